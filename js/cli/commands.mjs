// The nv2 CLI command registry: every command module's commands and groups, with the help texts
// (main help, group help, command help). One module per command group:
//   sign.mjs (sign), verify.mjs (verify, list, inspect), copy.mjs (copy), cert.mjs (cert ...),
//   policy.mjs (policy ...), login.mjs (login, logout), version.mjs (version), blob.mjs (blob ...),
//   crl.mjs (crl ...).
// Shared helpers are in common.mjs, signing keys in keys.mjs, configuration in config.mjs.
import * as blob from './blob.mjs';
import * as cert from './cert.mjs';
import { groupHelp } from './common.mjs';
import * as copy from './copy.mjs';
import * as crl from './crl.mjs';
import * as login from './login.mjs';
import * as policy from './policy.mjs';
import * as sign from './sign.mjs';
import * as verify from './verify.mjs';
import * as version from './version.mjs';

const MODULES = [sign, verify, copy, cert, policy, login, version, blob, crl];

/** Every command, keyed by its words (`sign`, `cert add`, `blob policy show`). */
export const COMMANDS = Object.assign({}, ...MODULES.map((m) => m.commands));

/** Command groups (`cert`, `blob policy`): sub-command aliases and the group help. */
export const GROUPS = {};
for (const m of MODULES) {
  for (const [g, { aliases, title }] of Object.entries(m.groups ?? {})) {
    GROUPS[g] = { aliases, help: () => groupHelp(COMMANDS, g, title) };
  }
}

export function commandHelp(key) {
  const cmd = COMMANDS[key];
  const opts = Object.entries(cmd.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` <${o.value}>` : ''}`;
    return `  ${flag.padEnd(40)} ${o.desc}${o.type === 'multi' ? '' : ''}\n`;
  });
  return (
    `${cmd.summary}\n\nUsage: ${cmd.usage}\n\nOptions:\n${opts.join('')}` +
    (cmd.example ? `\nExample:\n  ${cmd.example}\n` : '') +
    `\nConfiguration directory: $NV2_CONFIG (default ~/.config/nv2)\n`
  );
}

export function mainHelp() {
  const top = ['sign', 'verify', 'list', 'inspect', 'copy', 'login', 'logout', 'version'];
  return (
    'nv2: sign and verify OCI artifacts with Notary Project signatures (notation-compatible)\n\n' +
    'Usage: nv2 <command> [options]\n\nCommands:\n' +
    top.map((k) => `  ${k.padEnd(10)} ${COMMANDS[k].summary}\n`).join('') +
    `  ${'cert'.padEnd(10)} Manage trust store certificates and test keys (add, list, show, delete, generate-test)\n` +
    `  ${'policy'.padEnd(10)} Manage the trust policy (import, show)\n` +
    `  ${'blob'.padEnd(10)} Sign, verify and inspect detached blob signatures; blob trust policy (import, show)\n` +
    `  ${'crl'.padEnd(10)} Revocation data for isolated networks: CRL store, attach to artifacts, export to notation (import, list, delete, attach, refresh, export)\n` +
    "\nRun 'nv2 <command> --help' for a command's options.\n" +
    'Exit codes: 0 success, 1 failure or not verified, 2 usage error.\n'
  );
}

