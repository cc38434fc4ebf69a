// Helpers shared by the command files (commands.mjs, blob.mjs): option sets, argument checks,
// output, and storing / showing a trust policy document.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as nv2 from '../node.js';
import { UsageError } from './args.mjs';

export const HELP = { help: { type: 'boolean', short: 'h', desc: 'show this help' } };
export const OUTPUT = { output: { type: 'string', short: 'o', value: 'text|json', desc: 'output format (default text)' } };

export const warn = (msg) => process.stderr.write(`Warning: ${msg}\n`);
export const printJson = (v) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** The --output value: text (default) or json. */
export function output(values, command) {
  const o = values.output ?? 'text';
  if (o !== 'text' && o !== 'json') throw new UsageError(`--output must be text or json, got "${o}"`, command);
  return o;
}

/** The one positional argument, named `what` in errors. */
export function onePositional(positionals, what, command) {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`, command);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`, command);
  return positionals[0];
}

/** The --signature-format value: jws (default) or cose. */
export function signatureFormat(values, command) {
  const format = values['signature-format'] ?? 'jws';
  if (format !== 'jws' && format !== 'cose') throw new UsageError(`--signature-format must be jws or cose (got "${format}")`, command);
  return format;
}

/**
 * Writes a validated policy document to `dest`, refusing to replace `existing` (the policy in
 * effect) without `force`. `what`: "trust policy" or "blob trust policy".
 */
export function storePolicy(policy, { dest, existing = dest, force, what }) {
  if (existsSync(existing) && !force) {
    throw nv2.createError('ERR_INVALID_ARGUMENT', `a ${what} already exists at ${existing}; use --force to replace it`);
  }
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, JSON.stringify(policy, null, 2) + '\n');
}

/**
 * Prints the policy file at `path` as it is, with a warning when `validate` refuses it.
 * `importCommand` is named in the error when there is none.
 */
export function showPolicy(path, { validate, what, importCommand }) {
  if (!existsSync(path)) {
    throw nv2.createError('ERR_POLICY_INVALID', `no ${what} at ${path}; import one with \`${importCommand} <file>\``);
  }
  const text = readFileSync(path, 'utf8');
  try {
    validate(JSON.parse(text));
  } catch (e) {
    warn(`the ${what} is invalid: ${String(e.message).replace(/^nv2: /, '')}`);
  }
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
