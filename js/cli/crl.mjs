// `nv2 crl`: revocation data for isolated (air-gapped) networks (docs/revocation.md).
//
//   the CRL store   $NV2_CONFIG/crl/<sha256 hex of the DER>.crl, one DER CRL per file, with
//                   <same>.json beside it ({ "url"?, "importedAt" }: where the CRL came from, when
//                   known). `nv2 verify` and `nv2 blob verify` pass every stored CRL as `crls`.
//   attach/refresh  CRLs pushed as a referrer of the artifact (application/vnd.nv2.revocation.v1),
//                   which `nv2 copy` carries into the isolated registry with the signatures.
//   export          the CRLs nv2 holds, written in notation-go's CRL file cache format, for
//                   notation or Ratify in the isolated network.
//
// Every write is a temporary file renamed into place; every read is bounded (file size, entries).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nv2 from '../node.js';
import { parseArgs, UsageError } from './args.mjs';
import { HELP, noPositionals, onePositional, output, OUTPUT, printJson, REGISTRY, registryOptions, warn } from './common.mjs';
import { configDir } from './config.mjs';
import { crlCacheDir, fileCrlCache } from './revocation.mjs';

/** The largest CRL accepted (the core's limit, src/revocation/crl.rs MAX_CRL_BYTES). */
const MAX_CRL_BYTES = 32 * 1024 * 1024;
/** The most CRLs one verification takes (src/revocation/crl.rs MAX_CRLS). */
export const MAX_CRLS = 64;
/** The most store or cache entries read: a directory holding more is not a store nv2 wrote. */
const MAX_ENTRIES = 4096;
/** Largest metadata or cache file read. */
const MAX_JSON_BYTES = 64 * 1024;
const MAX_CACHE_FILE = 2 * Math.ceil((MAX_CRL_BYTES * 4) / 3) + 1024;

const HEX64 = /^[0-9a-f]{64}$/;
const ENTRY = /^([0-9a-f]{64})\.crl$/;

export const crlStoreDir = () => join(configDir(), 'crl');

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const idOf = (der) => sha256(der);
const shortId = (id) => id.slice(0, 12);
const message = (e) => String(e?.message ?? e).replace(/^nv2: /, '');

/** Writes `data` to `file` through a temporary file in the same directory and a rename. */
function writeAtomic(file, data, mode = 0o600) {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot write ${file}: ${e.code ?? e.message}`);
  }
}

/** A file's bytes, refusing what is not a regular file or is larger than `max`. */
function readBounded(path, what, max) {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read ${what} ${path}: ${e.code ?? e.message}`);
  }
  if (!st.isFile()) throw nv2.createError('ERR_INVALID_ARGUMENT', `${what} ${path} is not a regular file`);
  if (st.size > max) throw nv2.createError('ERR_LIMIT', `${what} ${path} is larger than ${max} bytes`);
  return new Uint8Array(readFileSync(path));
}

/** DER bytes of a CRL given as DER or PEM (`-----BEGIN X509 CRL-----`). */
function toDer(bytes) {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes;
  const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(Buffer.from(bytes).toString('latin1'));
  if (!m) throw nv2.createError('ERR_PARSE', 'PEM input holds no X509 CRL block');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Reads and parses a CRL file: `{ der, info }`; ERR_PARSE when it is not a CRL. */
export function readCrlFile(path) {
  const bytes = readBounded(path, 'CRL file', 2 * MAX_CRL_BYTES);
  let info;
  try {
    info = nv2.inspectCrl(bytes);
  } catch (e) {
    throw nv2.createError(e.code ?? 'ERR_PARSE', `${path} is not a CRL: ${message(e)}`);
  }
  return { der: toDer(bytes), info };
}

/** 'stale' once nextUpdate has passed (or there is none), else 'current'. */
const statusOf = (info, now = Date.now()) => (info.nextUpdate && Date.parse(info.nextUpdate) > now ? 'current' : 'stale');

/**
 * Stores a CRL (DER) with its metadata; returns `{ id, added }` (added: false when the same CRL
 * was stored already; a `url` given now is recorded either way).
 */
export function storeCrl(der, { url } = {}) {
  const dir = crlStoreDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = idOf(der);
  const file = join(dir, `${id}.crl`);
  let added = true;
  try {
    added = !statSync(file).isFile();
  } catch {
    /* not stored yet */
  }
  if (added) writeAtomic(file, der);
  const old = readMeta(id);
  if (added || (url && old.url !== url)) {
    const meta = { ...old, ...(url ? { url } : {}), importedAt: old.importedAt ?? new Date().toISOString() };
    writeAtomic(join(dir, `${id}.json`), JSON.stringify(meta) + '\n');
  }
  return { id, added };
}

function readMeta(id) {
  try {
    const text = readBounded(join(crlStoreDir(), `${id}.json`), 'CRL metadata', MAX_JSON_BYTES);
    const meta = JSON.parse(Buffer.from(text).toString('utf8'));
    return meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {};
  } catch {
    return {};
  }
}

/** The ids (64 hex) of the stored CRLs, sorted; more than MAX_ENTRIES is an error. */
function storeIds() {
  let names;
  try {
    names = readdirSync(crlStoreDir());
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read the CRL store ${crlStoreDir()}: ${e.code ?? e.message}`);
  }
  const ids = names.map((n) => ENTRY.exec(n)?.[1]).filter(Boolean).sort();
  if (ids.length > MAX_ENTRIES) {
    throw nv2.createError('ERR_LIMIT', `the CRL store ${crlStoreDir()} holds more than ${MAX_ENTRIES} CRLs; delete some with \`nv2 crl delete\``);
  }
  return ids;
}

/**
 * Every stored CRL: `{ id, file, der?, info?, url?, importedAt?, error? }`. An entry that cannot
 * be read or no longer parses carries `error` (listed, never passed to a verification).
 */
export function storedEntries() {
  return storeIds().map((id) => {
    const file = join(crlStoreDir(), `${id}.crl`);
    const meta = readMeta(id);
    const entry = { id, file, ...(typeof meta.url === 'string' ? { url: meta.url } : {}), ...(meta.importedAt ? { importedAt: meta.importedAt } : {}) };
    try {
      entry.der = readBounded(file, 'stored CRL', MAX_CRL_BYTES);
      entry.info = nv2.inspectCrl(entry.der);
    } catch (e) {
      entry.error = message(e);
    }
    return entry;
  });
}

/** The CRL number (hex) as a Number, for ties of thisUpdate (its low 52 bits; -1 when absent). */
const crlNumber = (info) => {
  try {
    return Number(BigInt(`0x${info.number}`) % 2n ** 52n);
  } catch {
    return -1;
  }
};

/**
 * The stored CRLs for a verification, as DER bytes, at most `room` of them (the 64-CRL limit
 * less the --crl files). When more are stored: current before stale, then the newest CRL of each
 * issuer first (round by round), with a warning naming what was left out.
 */
export function storedCrls(room = MAX_CRLS, warnFn = warn) {
  const entries = storedEntries();
  for (const e of entries) if (e.error) warnFn(`stored CRL ${shortId(e.id)} is left out: ${e.error} (see \`nv2 crl list\`)`);
  const usable = entries.filter((e) => e.info);
  if (usable.length <= room) return usable.map((e) => e.der);
  const now = Date.now();
  const byIssuer = new Map();
  const newestFirst = [...usable].sort(
    (a, b) =>
      (statusOf(a.info, now) === 'current' ? 0 : 1) - (statusOf(b.info, now) === 'current' ? 0 : 1) ||
      Date.parse(b.info.thisUpdate) - Date.parse(a.info.thisUpdate) ||
      crlNumber(b.info) - crlNumber(a.info),
  );
  for (const e of newestFirst) {
    const key = `${e.info.issuer}\u0000${e.info.delta}`;
    if (!byIssuer.has(key)) byIssuer.set(key, []);
    byIssuer.get(key).push(e);
  }
  const chosen = [];
  for (let round = 0; chosen.length < room; round++) {
    const before = chosen.length;
    for (const list of byIssuer.values()) if (list[round] && chosen.length < room) chosen.push(list[round]);
    if (chosen.length === before) break;
  }
  warnFn(
    `the CRL store holds ${usable.length} CRLs and a verification takes at most ${MAX_CRLS} ` +
      `(${MAX_CRLS - room} given with --crl): passing the newest of each issuer first, ${usable.length - chosen.length} left out; ` +
      'delete old ones with `nv2 crl delete`',
  );
  return chosen.map((e) => e.der);
}

/** The CRLs of a verify command: the --crl files, then the store (up to the 64-CRL limit). */
export function verificationCrls(files) {
  const given = files.map((f) => readBounded(f, 'CRL file', 2 * MAX_CRL_BYTES));
  if (given.length > MAX_CRLS) {
    throw nv2.createError('ERR_LIMIT', `--crl was given ${given.length} times; a verification takes at most ${MAX_CRLS} CRLs`);
  }
  return [...given, ...storedCrls(MAX_CRLS - given.length)];
}

// ---------------------------------------------------------------------------------------------
// Commands

export const groups = {
  crl: { aliases: { ls: 'list', rm: 'delete' }, title: 'Manage revocation data (CRLs) for isolated networks: the CRL store, attached CRLs, export to notation' },
};

export const commands = {};

commands['crl import'] = {
  summary: 'Import CRL files (DER or PEM) into the CRL store that verify uses',
  usage: 'nv2 crl import [--url <url>] <file>...',
  example: 'nv2 crl import --url http://crl.example.com/root.crl root.crl',
  options: {
    url: { type: 'string', value: 'url', desc: 'distribution-point URL the CRL was downloaded from (one file only; lets `nv2 crl export` write it)' },
    ...OUTPUT,
    ...HELP,
  },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const out = output(values, command);
    if (positionals.length === 0) throw new UsageError('missing CRL file', command);
    const url = values.url;
    if (url !== undefined) {
      if (positionals.length > 1) throw new UsageError('--url applies to one CRL file; import the others separately', command);
      if (!/^https?:\/\/[^\s]+$/i.test(url)) throw new UsageError(`--url expects an http:// or https:// URL, got "${url}"`, command);
    }
    // Every file is read and parsed before anything is stored: a bad file stores nothing.
    const read = positionals.map((f) => ({ file: f, ...readCrlFile(f) }));
    const results = read.map((r) => ({ file: r.file, ...storeCrl(r.der, { url }), issuer: r.info.issuer, status: statusOf(r.info) }));
    if (out === 'json') {
      printJson({ store: crlStoreDir(), imported: results });
      return 0;
    }
    for (const r of results) {
      process.stdout.write(`${r.added ? 'Imported' : 'Already stored'} ${r.file} as ${shortId(r.id)} (${r.issuer})\n`);
      if (r.status === 'stale') warn(`${r.file}: the CRL's nextUpdate has passed; it cannot establish a revocation status`);
    }
    return 0;
  },
};

const listRow = (e, now) =>
  e.info
    ? {
        id: e.id,
        issuer: e.info.issuer,
        thisUpdate: e.info.thisUpdate,
        nextUpdate: e.info.nextUpdate ?? null,
        number: e.info.number ?? null,
        delta: e.info.delta,
        revoked: e.info.revoked,
        status: statusOf(e.info, now),
        ...(e.url ? { url: e.url } : {}),
        ...(e.importedAt ? { importedAt: e.importedAt } : {}),
      }
    : { id: e.id, status: 'invalid', error: e.error, ...(e.url ? { url: e.url } : {}) };

function table(rows) {
  const head = ['ID', 'ISSUER', 'THIS UPDATE', 'NEXT UPDATE', 'NUMBER', 'DELTA', 'REVOKED', 'STATUS'];
  const cells = rows.map((r) =>
    r.status === 'invalid'
      ? [shortId(r.id), `(unreadable: ${r.error})`, '', '', '', '', '', 'invalid']
      : [shortId(r.id), r.issuer, r.thisUpdate, r.nextUpdate ?? '-', r.number ?? '-', r.delta ? 'yes' : 'no', String(r.revoked), r.status],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ') + '\n';
  return line(head) + cells.map(line).join('');
}

commands['crl list'] = {
  summary: 'List the stored CRLs (alias: ls)',
  usage: 'nv2 crl list [-o json]',
  options: { ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    noPositionals(positionals, command);
    const out = output(values, command);
    const now = Date.now();
    const rows = storedEntries().map((e) => listRow(e, now));
    if (out === 'json') printJson({ store: crlStoreDir(), crls: rows });
    else if (rows.length === 0) process.stdout.write(`No CRLs are stored (${crlStoreDir()}); add some with \`nv2 crl import <file>\`\n`);
    else process.stdout.write(table(rows));
    return 0;
  },
};

commands['crl delete'] = {
  summary: 'Delete stored CRLs by id prefix (alias: rm)',
  usage: 'nv2 crl delete <id-prefix>...',
  options: { ...HELP },
  run(argv, command) {
    const { positionals } = parseArgs(argv, this.options, command);
    if (positionals.length === 0) throw new UsageError('missing CRL id (a prefix of an id `nv2 crl list` shows)', command);
    const ids = storeIds();
    // Every prefix is resolved before anything is deleted: one bad prefix deletes nothing.
    const chosen = positionals.map((p) => {
      const prefix = p.toLowerCase();
      if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new UsageError(`"${p}" is not a CRL id prefix (hex digits)`, command);
      const matches = ids.filter((id) => id.startsWith(prefix));
      if (matches.length === 0) throw nv2.createError('ERR_INVALID_ARGUMENT', `no stored CRL has an id starting with ${p}`);
      if (matches.length > 1) {
        throw nv2.createError('ERR_INVALID_ARGUMENT', `${p} is ambiguous: it starts ${matches.length} stored CRL ids (${matches.map(shortId).join(', ')}); give more digits`);
      }
      return matches[0];
    });
    for (const id of new Set(chosen)) {
      // The metadata last: a CRL file without metadata is still a stored CRL, the reverse is not.
      rmSync(join(crlStoreDir(), `${id}.crl`), { force: true });
      rmSync(join(crlStoreDir(), `${id}.json`), { force: true });
      process.stdout.write(`Deleted ${shortId(id)}\n`);
    }
    return 0;
  },
};

/** Pushes `crls` (DER) as one attachment; prints and returns the JS API result. */
async function attach(ref, crls, values, command) {
  const result = await nv2.attachRevocation(ref, { crls, ...(await registryOptions(values, command, ref)) });
  for (const w of result.warnings ?? []) warn(w);
  return result;
}

commands['crl attach'] = {
  summary: 'Attach CRL files to an artifact, so that copies of it carry them into isolated registries',
  usage: 'nv2 crl attach [options] <reference> <file>...',
  example: 'nv2 crl attach localhost:5000/net-monitor@sha256:… root.crl',
  options: { ...REGISTRY, ...OUTPUT, ...HELP },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const out = output(values, command);
    if (positionals.length === 0) throw new UsageError('missing artifact reference', command);
    if (positionals.length === 1) throw new UsageError('missing CRL file', command);
    const [ref, ...files] = positionals;
    if (files.length > MAX_CRLS) throw nv2.createError('ERR_LIMIT', `at most ${MAX_CRLS} CRLs are attached at once`);
    const read = files.map((f) => readCrlFile(f));
    const result = await attach(ref, read.map((r) => r.der), values, command);
    if (out === 'json') printJson(result);
    else {
      process.stdout.write(`Attached ${result.crls} CRL(s) to ${result.reference}\n`);
      for (const [i, r] of read.entries()) process.stdout.write(`  ${files[i]}: ${r.info.issuer}, next update ${r.info.nextUpdate ?? '-'}\n`);
      process.stdout.write(`Digest: ${result.digest}\n`);
    }
    return 0;
  },
};

commands['crl refresh'] = {
  summary: "Download the CRLs an artifact's signing certificates name and attach them to it",
  usage: 'nv2 crl refresh [options] <reference>',
  example: 'nv2 crl refresh --store localhost:5000/net-monitor@sha256:…',
  options: {
    store: { type: 'boolean', desc: 'also import the downloaded CRLs into the local CRL store' },
    ...REGISTRY,
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const ref = onePositional(positionals, 'artifact reference', command);
    const out = output(values, command);
    const reg = await registryOptions(values, command, ref);
    const inspected = await nv2.inspect(ref, reg);
    for (const w of inspected.warnings ?? []) warn(w);
    const urls = [];
    for (const s of inspected.signatures ?? []) {
      for (const c of s.chain ?? []) for (const u of c.crlUrls ?? []) if (!urls.includes(u)) urls.push(u);
    }
    const timestamped = (inspected.signatures ?? []).some((s) => s.timestamped);
    if (urls.length === 0) {
      throw nv2.createError(
        'ERR_INVALID_ARGUMENT',
        `no certificate of the ${inspected.signatures?.length ?? 0} signature(s) of ${inspected.reference} names a CRL distribution point; nothing to refresh`,
      );
    }
    const downloads = await nv2.downloadCrls(urls, { revocationCache: fileCrlCache(), ...(reg.timeout ? { timeout: reg.timeout } : {}) });
    const fetched = [];
    const failed = [];
    for (const d of downloads) {
      if (d.error || !d.crl) {
        failed.push({ url: d.url, error: d.error ?? 'nothing was downloaded' });
        continue;
      }
      try {
        const info = nv2.inspectCrl(d.crl);
        const delta = d.delta ? { der: d.delta, info: nv2.inspectCrl(d.delta) } : undefined;
        fetched.push({ url: d.url, der: d.crl, info, ...(delta ? { delta } : {}) });
      } catch (e) {
        failed.push({ url: d.url, error: `not a CRL: ${message(e)}` });
      }
    }
    const report = {
      reference: inspected.reference,
      fetched: fetched.map((f) => ({ url: f.url, issuer: f.info.issuer, thisUpdate: f.info.thisUpdate, nextUpdate: f.info.nextUpdate, delta: Boolean(f.delta) })),
      failed,
      ...(timestamped ? { note: 'timestamp chains are not read: inspect does not report their certificates' } : {}),
    };
    if (fetched.length > 0) {
      const crls = fetched.flatMap((f) => [f.der, ...(f.delta ? [f.delta.der] : [])]).slice(0, MAX_CRLS);
      const result = await attach(ref, crls, values, command);
      report.attached = { digest: result.digest, crls: result.crls };
      if (values.store) {
        report.stored = fetched.flatMap((f) => [
          storeCrl(f.der, { url: f.url }).id,
          ...(f.delta ? [storeCrl(f.delta.der, { url: f.url }).id] : []),
        ]);
      }
    }
    if (out === 'json') printJson(report);
    else {
      for (const f of report.fetched) process.stdout.write(`Downloaded ${f.url}: ${f.issuer}, next update ${f.nextUpdate ?? '-'}${f.delta ? ' (with its delta CRL)' : ''}\n`);
      for (const f of failed) process.stderr.write(`  failed ${f.url}: ${f.error}\n`);
      if (report.attached) process.stdout.write(`Attached ${report.attached.crls} CRL(s) to ${inspected.reference}\nDigest: ${report.attached.digest}\n`);
      if (report.stored) process.stdout.write(`Stored ${report.stored.length} CRL(s) in ${crlStoreDir()}\n`);
      if (timestamped) {
        process.stdout.write('Note: the CRLs of timestamp certificate chains are not refreshed (nv2 inspect does not report those chains); attach them with `nv2 crl attach`.\n');
      }
    }
    if (fetched.length === 0) {
      process.stderr.write(`Error: none of the ${urls.length} CRL(s) could be downloaded; nothing was attached (ERR_VERIFICATION_INCONCLUSIVE)\n`);
      return 1;
    }
    return failed.length ? 1 : 0;
  },
};

/** The `$NV2_CACHE/crl` entries: `{ name, baseCRL, deltaCRL? }` (base64), the ones that parse. */
function cacheEntries(skipped) {
  let names;
  try {
    names = readdirSync(crlCacheDir());
  } catch {
    return [];
  }
  const out = [];
  for (const name of names.filter((n) => HEX64.test(n)).sort().slice(0, MAX_ENTRIES)) {
    try {
      const text = Buffer.from(readBounded(join(crlCacheDir(), name), 'cache file', MAX_CACHE_FILE)).toString('utf8');
      const content = JSON.parse(text);
      const base = new Uint8Array(Buffer.from(content.baseCRL, 'base64'));
      const info = nv2.inspectCrl(base);
      const entry = { name, base, info };
      if (typeof content.deltaCRL === 'string') entry.delta = new Uint8Array(Buffer.from(content.deltaCRL, 'base64'));
      out.push(entry);
    } catch (e) {
      skipped.push({ source: join(crlCacheDir(), name), reason: `unreadable cache entry: ${message(e)}` });
    }
  }
  return out;
}

commands['crl export'] = {
  summary: "Write the CRLs nv2 holds into a notation CRL cache directory (notation-go's file cache format)",
  usage: 'nv2 crl export --notation-cache <dir>',
  example: 'nv2 crl export --notation-cache ~/.cache/notation',
  options: {
    'notation-cache': { type: 'string', value: 'dir', desc: "notation's cache directory; CRLs are written to <dir>/crl/<sha256 hex of the URL>" },
    ...OUTPUT,
    ...HELP,
  },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    noPositionals(positionals, command);
    const out = output(values, command);
    const dir = values['notation-cache'];
    if (!dir) throw new UsageError('--notation-cache is required', command);
    const skipped = [];
    // One bundle per cache file name (sha256 hex of the distribution-point URL).
    const bundles = new Map();
    const offer = (name, kind, der, info, source) => {
      const b = bundles.get(name) ?? {};
      const cur = b[kind];
      if (!cur || Date.parse(info.thisUpdate) > Date.parse(cur.info.thisUpdate)) b[kind] = { der, info, source };
      bundles.set(name, b);
    };
    for (const c of cacheEntries(skipped)) {
      offer(c.name, 'base', c.base, c.info, 'cache');
      if (c.delta) {
        try {
          offer(c.name, 'delta', c.delta, nv2.inspectCrl(c.delta), 'cache');
        } catch {
          /* a delta that does not parse is left out; the base stands alone */
        }
      }
    }
    for (const e of storedEntries()) {
      if (!e.info) {
        skipped.push({ source: `store ${shortId(e.id)}`, reason: `unreadable: ${e.error}` });
        continue;
      }
      if (!e.url) {
        skipped.push({ source: `store ${shortId(e.id)}`, issuer: e.info.issuer, reason: 'no source URL (import it with --url, or use `nv2 crl refresh --store`)' });
        continue;
      }
      offer(sha256(Buffer.from(e.url, 'utf8')), e.info.delta ? 'delta' : 'base', e.der, e.info, `store ${shortId(e.id)}`);
    }
    const target = join(dir, 'crl');
    const written = [];
    for (const [name, b] of bundles) {
      if (!b.base) {
        skipped.push({ source: b.delta.source, reason: 'a delta CRL without its base CRL' });
        continue;
      }
      mkdirSync(target, { recursive: true, mode: 0o755 });
      const content = { baseCRL: Buffer.from(b.base.der).toString('base64') };
      if (b.delta) content.deltaCRL = Buffer.from(b.delta.der).toString('base64');
      const file = join(target, name);
      writeAtomic(file, JSON.stringify(content), 0o644);
      written.push({ file, issuer: b.base.info.issuer, nextUpdate: b.base.info.nextUpdate ?? null, delta: Boolean(b.delta), source: b.base.source });
    }
    if (out === 'json') printJson({ directory: target, written, skipped });
    else {
      for (const w of written) process.stdout.write(`Wrote ${w.file} (${w.issuer}, next update ${w.nextUpdate ?? '-'}${w.delta ? ', with delta' : ''}; from ${w.source})\n`);
      for (const s of skipped) process.stdout.write(`Skipped ${s.source}${s.issuer ? ` (${s.issuer})` : ''}: ${s.reason}\n`);
      process.stdout.write(`${written.length} CRL cache file(s) written to ${target}\n`);
    }
    return 0;
  },
};
