// `nv2 sign`: sign an artifact in a registry and push the signature beside it (notation sign).
import * as nv2 from '../node.js';
import { parseArgs } from './args.mjs';
import {
  HELP,
  KEY_OPTS,
  onePositional,
  output,
  OUTPUT,
  printJson,
  REGISTRY,
  registryOptions,
  SIGN_OPTS,
  signatureFormat,
  warn,
} from './common.mjs';
import { signatureFlags, signingOptions } from './keys.mjs';

export const commands = {};

commands.sign = {
  summary: 'Sign an artifact in a registry and push the signature next to it',
  usage: 'nv2 sign [options] <reference>',
  example: 'nv2 sign --key wabbit-networks localhost:5000/net-monitor:v1',
  options: {
    ...KEY_OPTS,
    ...SIGN_OPTS,
    ...REGISTRY,
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const ref = onePositional(positionals, 'artifact reference', command);
    const out = output(values, command);
    const format = signatureFormat(values, command);
    const flags = signatureFlags(values, command);
    const reg = await registryOptions(values, command, ref);
    const result = await nv2.sign(ref, { ...signingOptions(values, command, format, flags), ...reg });
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') printJson(result);
    else {
      process.stdout.write(`Successfully signed ${result.reference}\n`);
      process.stdout.write(`Pushed the signature manifest ${result.manifestDescriptor?.digest}\n`);
      process.stdout.write(`Signature envelope: ${format.toUpperCase()} (${result.signatureDescriptor?.mediaType})\n`);
    }
    return 0;
  },
};
