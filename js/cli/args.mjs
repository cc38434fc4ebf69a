// A small, strict command-line parser for the nv2 CLI (no dependencies).
//
// A command declares its options as { name: { type: 'boolean'|'string'|'multi', short?, value? } }.
// Accepted forms: --name value, --name=value, -s value, -s=value, -svalue (string options),
// bundled boolean shorts (-yf), and `--` to end option parsing. Unknown options, missing values and
// repeated single-valued options are usage errors (exit code 2).

/** An invalid command line: printed as `Error: <message> (ERR_USAGE)`, exit code 2. */
export class UsageError extends Error {
  constructor(message, command) {
    super(message);
    this.name = 'UsageError';
    this.code = 'ERR_USAGE';
    this.command = command;
  }
}

export function parseArgs(argv, options, command) {
  const values = {};
  const positionals = [];
  const byShort = new Map();
  for (const [name, o] of Object.entries(options)) {
    if (o.short) byShort.set(o.short, name);
    if (o.type === 'multi') values[name] = [];
  }
  const set = (name, value, flag) => {
    const o = options[name];
    if (o.type === 'multi') values[name].push(value);
    else if (name in values && o.type !== 'boolean') {
      throw new UsageError(`option ${flag} was given more than once`, command);
    } else values[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const o = options[name];
      if (!o) throw new UsageError(`unknown option --${name}`, command);
      if (o.type === 'boolean') {
        if (eq !== -1) throw new UsageError(`option --${name} takes no value`, command);
        set(name, true, `--${name}`);
      } else if (eq !== -1) {
        set(name, arg.slice(eq + 1), `--${name}`);
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`, command);
        set(name, argv[++i], `--${name}`);
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      // One value-taking short, or a bundle of boolean shorts.
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]);
        if (!name) throw new UsageError(`unknown option -${arg[j]}`, command);
        const o = options[name];
        if (o.type === 'boolean') {
          set(name, true, `-${arg[j]}`);
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '') {
          if (i + 1 >= argv.length) throw new UsageError(`option -${arg[j]} needs a value`, command);
          value = argv[++i];
        }
        set(name, value, `-${arg[j]}`);
        break;
      }
    } else {
      positionals.push(arg);
    }
  }
  return { values, positionals };
}

/** Parses repeated `key=value` options into an object (duplicate keys are usage errors). */
export function keyValues(list, flag, command) {
  const out = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got "${item}"`, command);
    const k = item.slice(0, eq);
    if (k in out) throw new UsageError(`${flag} key "${k}" was given more than once`, command);
    out[k] = item.slice(eq + 1);
  }
  return out;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration like `24h`, `7d`, `1h30m`, `90s`, `2w` (Go duration units plus d and w) into
 * milliseconds. Zero and negative durations are refused.
 */
export function parseDuration(text, flag, command) {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m; (m = re.exec(text)); ) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  // Number.isFinite: 400 digits make `Infinity` milliseconds, which no Date can hold (found by
  // tests/js/cli-parsers-fuzz.test.mjs).
  if (text === '' || matched !== text.length || !(total > 0) || !Number.isFinite(total)) {
    throw new UsageError(
      `${flag} expects a positive duration such as 24h, 7d or 1h30m, got "${text}"`,
      command,
    );
  }
  return total;
}
