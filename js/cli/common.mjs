// Helpers shared by the command modules (sign.mjs, verify.mjs, copy.mjs, cert.mjs, policy.mjs,
// login.mjs, blob.mjs, ...): option sets, argument checks, registry logins, output (JSON,
// notation-style trees, group help), and storing / showing a trust policy document.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as nv2 from '../node.js';
import { parseArgs, parseDuration, UsageError } from './args.mjs';
import { storedCredentials } from './creds.mjs';

// ---------------------------------------------------------------------------------------------
// Option sets

export const HELP = { help: { type: 'boolean', short: 'h', desc: 'show this help' } };
export const OUTPUT = { output: { type: 'string', short: 'o', value: 'text|json', desc: 'output format (default text)' } };
export const REGISTRY = {
  'plain-http': { type: 'boolean', desc: 'use plain HTTP (loopback registries use it by default)' },
  username: { type: 'string', short: 'u', value: 'user', desc: 'registry username' },
  password: { type: 'string', short: 'p', value: 'pass', desc: 'registry password (prefer --password-stdin)' },
  'password-stdin': { type: 'boolean', desc: 'read the registry password from stdin' },
  timeout: {
    type: 'string',
    value: 'duration',
    desc: 'deadline of the whole operation and of each wait, e.g. 30s, 5m; or first-byte=10s,idle=20s,operation=10m (default: 30s first byte, 30s idle, 120s + 1s per 256 KiB moved)',
  },
};
export const MAX_SIGS = { 'max-signatures': { type: 'string', value: 'N', desc: 'most signatures to examine (default 100)' } };
/** --key/--cert of the signing commands (sign, blob sign; resolved by keys.mjs). */
export const KEY_OPTS = {
  key: { type: 'string', short: 'k', value: 'file|name', desc: 'private key (PKCS#8/PKCS#1/SEC1 PEM) or a key name (default: the default key)' },
  cert: { type: 'string', short: 'c', value: 'file', desc: 'certificate chain PEM, leaf first (default for a key name: localkeys/<name>.crt)' },
};
/** The signature options of the signing commands: envelope format, expiry, signed user metadata. */
export const SIGN_OPTS = {
  'signature-format': { type: 'string', value: 'jws|cose', desc: 'envelope format: jws (default) or cose' },
  expiry: { type: 'string', short: 'e', value: 'duration', desc: 'signature expiry, e.g. 24h, 7d, 1h30m' },
  'user-metadata': { type: 'multi', short: 'm', value: 'key=value', desc: 'signed user metadata (payload annotations; repeatable)' },
  annotation: { type: 'multi', short: 'a', value: 'key=value', desc: 'same as --user-metadata' },
};

// ---------------------------------------------------------------------------------------------
// Arguments and output

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

/** Refuses any positional argument (for commands that take none). */
export function noPositionals(positionals, command) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
}

/** A flag that takes a positive integer, as a number (undefined when not given). */
export function positiveInt(text, flag, command) {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${flag} expects a positive integer, got "${text}"`, command);
  return Number(text);
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

/** A `policy show` command: prints the policy file at `path()` (see showPolicy). */
export function showPolicyCommand({ summary, usage, path, validate, what, importCommand }) {
  return {
    summary,
    usage,
    options: { ...HELP },
    run(argv, command) {
      const { positionals } = parseArgs(argv, this.options, command);
      noPositionals(positionals, command);
      showPolicy(path(), { validate, what, importCommand });
      return 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Registry logins

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Username/password from the flags (or NV2_USERNAME / NV2_PASSWORD), else null. */
export async function flagLogin(values, command, { required = false } = {}) {
  const username = values.username ?? process.env.NV2_USERNAME;
  const passwordFlag = values.password !== undefined || values['password-stdin'];
  let password = values.password;
  if (values['password-stdin']) {
    if (values.password !== undefined) {
      throw new UsageError('--password and --password-stdin are mutually exclusive', command);
    }
    password = await readStdin();
  } else if (password !== undefined) {
    warn('using --password on the command line is insecure; prefer --password-stdin');
  } else {
    password = process.env.NV2_PASSWORD;
  }
  if (username === undefined) {
    if (passwordFlag) throw new UsageError('a password was given without --username', command);
    if (required) throw new UsageError('--username is required', command);
    return null;
  }
  if (password === undefined) throw new UsageError('--username needs --password or --password-stdin', command);
  return { username, password };
}

const TIMEOUT_KEYS = { 'first-byte': 'firstByteMs', idle: 'idleMs', operation: 'operationMs' };

/**
 * The --timeout value as the API's `timeout` option (docs/cli.md §Deadlines): a duration (a
 * number of ms capping every deadline) or `first-byte=…,idle=…,operation=…`; `{}` when not given.
 */
export function timeoutOption(values, command) {
  const text = values.timeout;
  if (text === undefined) return {};
  if (!text.includes('=')) return { timeout: parseDuration(text, '--timeout', command) };
  const timeout = {};
  for (const part of text.split(',')) {
    const [k, v = ''] = part.split('=');
    const key = TIMEOUT_KEYS[k];
    if (!key) throw new UsageError(`--timeout: unknown deadline "${k}" (first-byte, idle, operation)`, command);
    timeout[key] = parseDuration(v, `--timeout ${k}`, command);
  }
  return { timeout };
}

/**
 * plainHttp, credentials and timeout for a registry call on `ref`. Credentials are resolved here into a
 * plain `{ host: login }` map (flags, else the stored logins; see creds.mjs).
 */
export async function registryOptions(values, command, ref) {
  const host = ref.split('/')[0];
  const login = (await flagLogin(values, command)) ?? (await storedCredentials(host));
  return {
    ...(values['plain-http'] ? { plainHttp: true } : {}),
    ...(login ? { credentials: { [host]: login } } : {}),
    ...timeoutOption(values, command),
  };
}

// ---------------------------------------------------------------------------------------------
// Text output

/** node: { label, children?: node[] }. Prints the root label, then ├──/└── branches. */
export function tree(root) {
  const lines = [root.label];
  const walk = (children, prefix) => {
    children.forEach((c, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${c.label}`);
      if (c.children?.length) walk(c.children, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root.children ?? [], '');
  return lines.join('\n') + '\n';
}

/** notation's names of the signature algorithms (inspect, blob inspect). */
export const ALG_NAMES = {
  PS256: 'RSASSA-PSS-SHA-256',
  PS384: 'RSASSA-PSS-SHA-384',
  PS512: 'RSASSA-PSS-SHA-512',
  ES256: 'ECDSA-SHA-256',
  ES384: 'ECDSA-SHA-384',
  ES512: 'ECDSA-SHA-512',
};

/** The `certificates` branch of an inspect tree: one node per certificate, leaf first. */
export const certificateNodes = (chain) =>
  chain.map((c) => ({
    label: `SHA256 fingerprint: ${c.thumbprint}`,
    children: [
      { label: `issued to: ${c.subject}` },
      { label: `issued by: ${c.issuer}` },
      { label: `expiry: ${c.notAfter}` },
    ],
  }));

/** Warns about each failed check that the policy only logs (verify, blob verify). */
export function warnLogged(results, level) {
  for (const r of results ?? []) {
    if (r.action === 'log' && !r.ok) {
      warn(`${r.type} check failed and was logged (level ${level}): ${r.error?.message ?? 'failed'}`);
    }
  }
}

/**
 * The help of command group `g` (`nv2 cert`, `nv2 blob policy`): its sub-commands in `commands`
 * (the registry) with their summaries, after `title` when there is one.
 */
export function groupHelp(commands, g, title) {
  const subs = Object.keys(commands).filter((k) => k.startsWith(`${g} `));
  return (
    (title ? `${title}\n\n` : '') +
    `Usage: nv2 ${g} <command> [options]\n\nCommands:\n` +
    subs.map((k) => `  ${k.slice(g.length + 1).padEnd(15)} ${commands[k].summary}\n`).join('') +
    `\nRun 'nv2 ${g} <command> --help' for a command's options.\n`
  );
}
