#!/usr/bin/env node
// nv2: a notation-compatible command line for the nv2 package (sign, verify, list and inspect OCI
// artifacts; manage trust stores, trust policy and registry logins). No runtime dependencies.
//
// Exit codes: 0 success, 1 failure (including "not verified"), 2 usage error.
// Errors are one line on stderr: `Error: <message> (<code>)`.
import { UsageError } from './args.mjs';
import { COMMANDS, GROUPS, commandHelp, mainHelp } from './commands.mjs';

async function main(argv) {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') argv = ['version'];
  let [name, ...rest] = argv;
  if (name === 'help') {
    const key = rest.join(' ');
    if (!key) {
      process.stdout.write(mainHelp());
      return 0;
    }
    name = rest[0];
    rest = [...rest.slice(1), '--help'];
  }
  // Groups nest (`blob policy import`): descend while the next word names a sub-group.
  while (GROUPS[name]) {
    const group = GROUPS[name];
    const [sub, ...subRest] = rest;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(group.help());
      return sub === undefined ? 2 : 0;
    }
    const key = `${name} ${group.aliases?.[sub] ?? sub}`;
    if (GROUPS[key]) {
      [name, rest] = [key, subRest];
      continue;
    }
    if (!COMMANDS[key]) throw new UsageError(`unknown command "${name} ${sub}"`, name);
    return runCommand(key, subRest);
  }
  const key = { ls: 'list', cp: 'copy' }[name] ?? name;
  if (!COMMANDS[key]) throw new UsageError(`unknown command "${name}"`);
  return runCommand(key, rest);
}

async function runCommand(key, argv) {
  const cmd = COMMANDS[key];
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(commandHelp(key));
    return 0;
  }
  const code = await cmd.run(argv, key);
  return code ?? 0;
}

function describe(e) {
  const message = String(e?.message ?? e).replace(/^nv2: /, '').replace(/\s*\n\s*/g, ' ');
  const code = typeof e?.code === 'string' && /^ERR_[A-Z_]+$/.test(e.code) ? e.code : 'ERR_UNEXPECTED';
  return `Error: ${message} (${code})\n`;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(describe(e));
  if (e instanceof UsageError) {
    process.stderr.write(`Run 'nv2 ${e.command ? `${e.command} ` : ''}--help' for usage.\n`);
    process.exitCode = 2;
  } else {
    if (process.env.NV2_DEBUG) process.stderr.write(`${e?.stack ?? e}\n`);
    process.exitCode = 1;
  }
}
