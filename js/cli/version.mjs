// `nv2 version`: the package version, the core's version and Node's.
import { readFileSync } from 'node:fs';
import * as nv2 from '../node.js';
import { parseArgs } from './args.mjs';
import { HELP, noPositionals, output, OUTPUT, printJson } from './common.mjs';

const pkgVersion = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export const commands = {};

commands.version = {
  summary: 'Show the nv2 version',
  usage: 'nv2 version',
  options: { ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    noPositionals(positionals, command);
    const info = { version: pkgVersion, core: nv2.version(), node: process.version };
    if (output(values, command) === 'json') printJson(info);
    else process.stdout.write(`nv2 ${info.version}\ncore: ${info.core}\nnode: ${info.node}\n`);
    return 0;
  },
};
