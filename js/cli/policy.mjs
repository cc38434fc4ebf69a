// `nv2 policy`: import and show the OCI trust policy (trustpolicy.oci.json, notation's trust
// policy document, version 1.0).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as nv2 from '../node.js';
import { parseArgs } from './args.mjs';
import { HELP, onePositional, showPolicyCommand, storePolicy } from './common.mjs';
import { configDir, defaultPolicyPath, readJson } from './config.mjs';

export const groups = { policy: { aliases: {} } };

export const commands = {};

commands['policy import'] = {
  summary: 'Import a trust policy file into the configuration',
  usage: 'nv2 policy import [--force] <file>',
  options: { force: { type: 'boolean', desc: 'overwrite an existing trust policy' }, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const file = onePositional(positionals, 'trust policy file', command);
    const policy = readJson(file, 'trust policy');
    nv2.validateTrustPolicy(policy); // throws PolicyError ERR_POLICY_INVALID with the reason
    const dest = join(configDir(), 'trustpolicy.oci.json');
    storePolicy(policy, { dest, existing: defaultPolicyPath(), force: values.force, what: 'trust policy' });
    const legacy = join(configDir(), 'trustpolicy.json');
    if (existsSync(legacy)) rmSync(legacy); // one policy in effect, never two
    process.stdout.write(`Trust policy imported to ${dest}\n`);
    return 0;
  },
};

commands['policy show'] = showPolicyCommand({
  summary: 'Show the trust policy in effect',
  usage: 'nv2 policy show',
  path: defaultPolicyPath,
  validate: nv2.validateTrustPolicy,
  what: 'trust policy',
  importCommand: 'nv2 policy import',
});
