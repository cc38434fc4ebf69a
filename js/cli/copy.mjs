// `nv2 copy` (alias cp): copy an artifact with its signatures and other referrers to another
// repository or registry, with a progress display on stderr.
import * as nv2 from '../node.js';
import { parseArgs, UsageError } from './args.mjs';
import { flagLogin, HELP, output, OUTPUT, positiveInt, printJson, REGISTRY, timeoutOption, warn } from './common.mjs';
import { storedCredentials } from './creds.mjs';

const MB = (n) => `${(n / 1e6).toFixed(1)} MB`;

/** Progress on stderr: one rewritten line on a terminal, one line per item otherwise. */
function copyProgress(quiet) {
  if (quiet) return undefined;
  const tty = process.stderr.isTTY;
  const st = { manifests: 0, referrers: 0, blobs: 0, bytes: 0, done: 0, sent: new Map(), plan: null };
  let last = 0;
  const line = (force) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const p = st.plan;
    const streamed = [...st.sent.values()].reduce((a, b) => a + b, 0) + st.done;
    process.stderr.write(
      `\rCopying: blobs ${st.blobs}/${p.blobs}, ${MB(streamed)}/${MB(p.bytes)}, ` +
        `manifests ${st.manifests}/${p.manifests} (referrers ${st.referrers}/${p.referrers})\x1b[K`,
    );
  };
  return (e) => {
    if (e.type === 'plan') {
      st.plan = e;
      if (tty) line(true);
      else process.stderr.write(`Copying ${e.manifests} manifest(s) (${e.referrers} referrer(s)) and ${e.blobs} blob(s), ${MB(e.bytes)}\n`);
    } else if (e.type === 'blob-progress') {
      st.sent.set(e.digest, e.sent);
      if (tty) line(false);
    } else if (e.type === 'blob') {
      st.blobs += 1;
      st.sent.delete(e.digest);
      st.done += e.size;
      if (tty) line(true);
      else process.stderr.write(`  blob ${e.digest} ${e.status} (${e.size} bytes)\n`);
    } else if (e.type === 'manifest') {
      st.manifests += 1;
      if (e.referrer) st.referrers += 1;
      if (tty) {
        line(true);
        if (st.manifests === st.plan?.manifests) process.stderr.write('\n');
      } else {
        const what = e.referrer ? `referrer${e.artifactType ? ` (${e.artifactType})` : ''}` : 'manifest';
        process.stderr.write(`  ${what} ${e.digest} ${e.status}\n`);
      }
    }
  };
}

/** A login from `--<side>-username/--<side>-password`, else -u/-p, else the stored one. */
async function sideLogin(values, side, host, command) {
  const username = values[`${side}-username`];
  const password = values[`${side}-password`];
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError(`--${side}-username and --${side}-password go together`, command);
  }
  if (username !== undefined) return { username, password };
  return (await flagLogin(values, command)) ?? (await storedCredentials(host));
}

export const commands = {};

commands.copy = {
  summary: 'Copy an artifact with its signatures to another repository or registry (alias: cp)',
  usage: 'nv2 copy [options] <source-reference> <destination-reference>',
  example: 'nv2 copy localhost:5000/net-monitor:v1 localhost:5001/net-monitor',
  options: {
    'no-referrers': { type: 'boolean', desc: 'copy the artifact only, not its signatures and other referrers' },
    concurrency: { type: 'string', value: 'N', desc: 'blobs copied at once (default 4)' },
    'from-username': { type: 'string', value: 'user', desc: 'source registry username' },
    'from-password': { type: 'string', value: 'pass', desc: 'source registry password' },
    'to-username': { type: 'string', value: 'user', desc: 'destination registry username' },
    'to-password': { type: 'string', value: 'pass', desc: 'destination registry password' },
    quiet: { type: 'boolean', short: 'q', desc: 'no progress display' },
    ...REGISTRY,
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    if (positionals.length < 2) throw new UsageError('copy needs a source and a destination reference', command);
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`, command);
    const [src, dst] = positionals;
    const out = output(values, command);
    const concurrency = positiveInt(values.concurrency, '--concurrency', command);
    const credentials = {};
    for (const [side, ref] of [['from', src], ['to', dst]]) {
      const host = ref.split('/')[0];
      const login = await sideLogin(values, side, host, command);
      if (login && !credentials[host]) credentials[host] = login;
    }
    const result = await nv2.copy(src, dst, {
      referrers: !values['no-referrers'],
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(values['plain-http'] ? { plainHttp: true } : {}),
      ...timeoutOption(values, command),
      credentials,
      onProgress: copyProgress(values.quiet || out === 'json' && !process.stderr.isTTY),
    });
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') {
      printJson(result);
      return 0;
    }
    const m = result.manifests;
    const r = result.referrers;
    const b = result.blobs;
    process.stdout.write(
      `Copied ${result.source.reference} to ${result.destination.reference}\n` +
        `  manifests: ${m.copied} copied, ${m.skipped} already present (referrers: ${r.copied} copied, ${r.skipped} already present)\n` +
        `  blobs: ${b.copied} copied (${MB(result.bytes)}), ${b.mounted} mounted, ${b.skipped} already present\n` +
        (result.referrersIndexUpdates ? `  referrers tag indexes written: ${result.referrersIndexUpdates}\n` : '') +
        `Digest: ${result.destination.digest}\n`,
    );
    return 0;
  },
};
