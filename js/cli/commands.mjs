// The nv2 CLI commands: option tables, help texts and implementations.
import { X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import * as nv2 from '../node.js';
import { keyValues, parseArgs, parseDuration, UsageError } from './args.mjs';
import {
  checkStoreArgs,
  configDir,
  defaultPolicyPath,
  loadPolicy,
  loadTrustStore,
  localkeysDir,
  readCertificates,
  readJson,
  resolveX509Dir,
  storeDir,
  STORE_TYPES,
  truststoreRoot,
  writePrivate,
} from './config.mjs';
import { registerBlobCommands } from './blob.mjs';
import { HELP, OUTPUT, onePositional, output, printJson, showPolicy, signatureFormat, storePolicy, warn } from './common.mjs';
import { removeLogin, storedCredentials, storeLogin } from './creds.mjs';
import { generateTestCertificates, KEY_TYPES } from './x509gen.mjs';

const pkgVersion = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

// ---------------------------------------------------------------------------------------------
// Shared option sets

const REGISTRY = {
  'plain-http': { type: 'boolean', desc: 'use plain HTTP (loopback registries use it by default)' },
  username: { type: 'string', short: 'u', value: 'user', desc: 'registry username' },
  password: { type: 'string', short: 'p', value: 'pass', desc: 'registry password (prefer --password-stdin)' },
  'password-stdin': { type: 'boolean', desc: 'read the registry password from stdin' },
};
const MAX_SIGS = { 'max-signatures': { type: 'string', value: 'N', desc: 'most signatures to examine (default 100)' } };

function positiveInt(text, flag, command) {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${flag} expects a positive integer, got "${text}"`, command);
  return Number(text);
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Username/password from the flags (or NV2_USERNAME / NV2_PASSWORD), else null. */
async function flagLogin(values, command, { required = false } = {}) {
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

/**
 * plainHttp and credentials for a registry call on `ref`. Credentials are resolved here into a
 * plain `{ host: login }` map (flags, else the stored logins; see creds.mjs).
 */
async function registryOptions(values, command, ref) {
  const host = ref.split('/')[0];
  const login = (await flagLogin(values, command)) ?? (await storedCredentials(host));
  return {
    ...(values['plain-http'] ? { plainHttp: true } : {}),
    ...(login ? { credentials: { [host]: login } } : {}),
  };
}

function readFileArg(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read ${what} ${path}: ${e.code ?? e.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Signing keys (signingkeys.json: { default, keys: [{ name, keyPath, certPath }] })

const signingKeysPath = () => join(configDir(), 'signingkeys.json');
function readSigningKeys() {
  const p = signingKeysPath();
  return existsSync(p) ? { keys: [], ...readJson(p, 'signing keys file') } : { keys: [] };
}

/** Resolves --key/--cert: a key file, else a key name (signingkeys.json or localkeys/), else the default key. */
function resolveKey(values, command) {
  const keys = readSigningKeys();
  let keyArg = values.key;
  if (keyArg === undefined) {
    if (!keys.default) {
      throw new UsageError('--key is required (no default signing key; see `nv2 cert generate-test --default`)', command);
    }
    keyArg = keys.default;
  }
  let keyPath;
  let certPath = values.cert;
  if (existsSync(keyArg) && statSync(keyArg).isFile()) {
    keyPath = keyArg;
  } else {
    const named = keys.keys.find((k) => k.name === keyArg);
    const local = join(localkeysDir(), `${keyArg}.key`);
    if (named) {
      keyPath = named.keyPath;
      certPath ??= named.certPath;
    } else if (/^[a-zA-Z0-9_.-]+$/.test(keyArg) && existsSync(local)) {
      keyPath = local;
      certPath ??= join(localkeysDir(), `${keyArg}.crt`);
    } else {
      throw nv2.createError('ERR_INVALID_ARGUMENT', `--key "${keyArg}" is neither a key file nor a key name in ${localkeysDir()}`);
    }
  }
  if (certPath === undefined) throw new UsageError('--cert is required with a key file', command);
  return { key: readFileArg(keyPath, 'key file'), certChain: readFileArg(certPath, 'certificate chain file') };
}

// ---------------------------------------------------------------------------------------------
// Tree printing (notation-style)

/** node: { label, children?: node[] }. Prints the root label, then ├──/└── branches. */
function tree(root) {
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

const ALG_NAMES = {
  PS256: 'RSASSA-PSS-SHA-256',
  PS384: 'RSASSA-PSS-SHA-384',
  PS512: 'RSASSA-PSS-SHA-512',
  ES256: 'ECDSA-SHA-256',
  ES384: 'ECDSA-SHA-384',
  ES512: 'ECDSA-SHA-512',
};

// ---------------------------------------------------------------------------------------------
// Commands

export const COMMANDS = {};

COMMANDS.sign = {
  summary: 'Sign an artifact in a registry and push the signature next to it',
  usage: 'nv2 sign [options] <reference>',
  example: 'nv2 sign --key wabbit-networks localhost:5000/net-monitor:v1',
  options: {
    key: { type: 'string', short: 'k', value: 'file|name', desc: 'private key (PKCS#8/PKCS#1/SEC1 PEM) or a key name (default: the default key)' },
    cert: { type: 'string', short: 'c', value: 'file', desc: 'certificate chain PEM, leaf first (default for a key name: localkeys/<name>.crt)' },
    'signature-format': { type: 'string', value: 'jws|cose', desc: 'envelope format: jws (default) or cose' },
    expiry: { type: 'string', short: 'e', value: 'duration', desc: 'signature expiry, e.g. 24h, 7d, 1h30m' },
    'user-metadata': { type: 'multi', short: 'm', value: 'key=value', desc: 'signed user metadata (payload annotations; repeatable)' },
    annotation: { type: 'multi', short: 'a', value: 'key=value', desc: 'same as --user-metadata' },
    ...REGISTRY,
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const ref = onePositional(positionals, 'artifact reference', command);
    const out = output(values, command);
    const format = signatureFormat(values, command);
    const expiryMs = values.expiry === undefined ? undefined : parseDuration(values.expiry, '--expiry', command);
    const annotations = keyValues([...values['user-metadata'], ...values.annotation], '--user-metadata/--annotation', command);
    const reg = await registryOptions(values, command, ref);
    const { key, certChain } = resolveKey(values, command);
    const now = Date.now();
    const result = await nv2.sign(ref, {
      key,
      certChain,
      signatureFormat: format,
      signingTime: now,
      ...(expiryMs !== undefined ? { expiry: now + expiryMs } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...reg,
    });
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

COMMANDS.verify = {
  summary: 'Verify the signatures of an artifact against the trust policy and trust store',
  usage: 'nv2 verify [options] <reference>',
  example: 'nv2 verify localhost:5000/net-monitor@sha256:…',
  options: {
    'trust-policy': { type: 'string', value: 'file', desc: 'trust policy (default $NV2_CONFIG/trustpolicy.oci.json, else trustpolicy.json)' },
    'trust-store': { type: 'string', value: 'dir', desc: 'trust store directory holding x509/<type>/<name>/ (default $NV2_CONFIG/truststore)' },
    'user-metadata': { type: 'multi', short: 'm', value: 'key=value', desc: 'metadata the signature must carry (repeatable)' },
    crl: { type: 'multi', value: 'file', desc: 'CRL (DER or PEM) for air-gapped revocation checks (repeatable)' },
    ...MAX_SIGS,
    ...REGISTRY,
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const ref = onePositional(positionals, 'artifact reference', command);
    const out = output(values, command);
    const userMetadata = keyValues(values['user-metadata'], '--user-metadata', command);
    const maxSignatures = positiveInt(values['max-signatures'], '--max-signatures', command);
    const reg = await registryOptions(values, command, ref);
    const trustPolicy = loadPolicy(values['trust-policy']);
    const trustStore = loadTrustStore(trustPolicy, resolveX509Dir(values['trust-store']), warn);
    // Air-gapped revocation: CRLs carried in as files; nothing is fetched (spec §8.1).
    const crls = values.crl.map((f) => {
      try {
        return new Uint8Array(readFileSync(f));
      } catch (e) {
        throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read CRL file ${f}: ${e.code ?? e.message}`);
      }
    });
    const result = await nv2.verify(ref, {
      trustPolicy,
      trustStore,
      ...(crls.length ? { crls } : {}),
      ...(Object.keys(userMetadata).length ? { userMetadata } : {}),
      ...(maxSignatures !== undefined ? { maxSignatures } : {}),
      ...reg,
    });
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') {
      printJson(result);
      return result.verified ? 0 : 1;
    }
    const at = result.reference;
    if (result.verified) {
      const sig = result.verifiedSignature;
      if (result.verificationLevel === 'skip') {
        process.stdout.write(`Trust policy is configured to skip signature verification for ${at}\n`);
        return 0;
      }
      for (const r of sig?.results ?? []) {
        if (r.action === 'log' && !r.ok) {
          warn(`${r.type} check failed and was logged (level ${result.verificationLevel}): ${r.error?.message ?? 'failed'}`);
        }
      }
      process.stdout.write(`Successfully verified signature for ${at}\n`);
      const checks = (sig?.results ?? []).map((r) => `${r.type}: ${r.action === 'skip' ? 'skipped' : r.ok ? 'passed' : 'logged'}`);
      if (checks.length) process.stdout.write(`Checks (${result.verificationLevel}): ${checks.join(', ')}\n`);
      if (sig?.signer?.subject) process.stdout.write(`Signed by: ${sig.signer.subject}\n`);
      return 0;
    }
    let first;
    for (const s of result.signatures ?? []) {
      const e = s.outcome?.error ?? s.error;
      first ??= e;
      if (e) process.stderr.write(`  signature ${s.descriptor?.digest}: ${e.message} (${e.code})\n`);
    }
    // The core reports the most specific failure, not the first (src/error/rank.rs).
    first = result.error ?? first;
    const code = result.inconclusive ? 'ERR_VERIFICATION_INCONCLUSIVE' : first?.code ?? 'ERR_SIGNATURE_AUTHENTICITY';
    process.stderr.write(
      `Error: signature verification failed for ${at}${first ? `: ${first.message}` : ''} (${code})\n`,
    );
    return 1;
  },
};

/**
 * The arguments of a read-only artifact command (list, inspect): the reference, the output
 * format, and the registry options with --max-signatures.
 */
async function readQuery(cmd, argv, command) {
  const { values, positionals } = parseArgs(argv, cmd.options, command);
  const ref = onePositional(positionals, 'artifact reference', command);
  const out = output(values, command);
  const maxSignatures = positiveInt(values['max-signatures'], '--max-signatures', command);
  const options = {
    ...(await registryOptions(values, command, ref)),
    ...(maxSignatures !== undefined ? { maxSignatures } : {}),
  };
  return { ref, out, options };
}

COMMANDS.list = {
  summary: 'List the signatures of an artifact (alias: ls)',
  usage: 'nv2 list [options] <reference>',
  options: { ...MAX_SIGS, ...REGISTRY, ...OUTPUT, ...HELP },
  async run(argv, command) {
    const { ref, out, options } = await readQuery(this, argv, command);
    const result = await nv2.listSignatures(ref, options);
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') printJson(result);
    else if (result.signatures.length === 0) process.stdout.write(`${result.reference} has no associated signature\n`);
    else {
      process.stdout.write(
        tree({
          label: result.reference,
          children: [
            {
              label: 'application/vnd.cncf.notary.signature',
              children: result.signatures.map((d) => ({ label: d.digest })),
            },
          ],
        }),
      );
    }
    return 0;
  },
};

COMMANDS.inspect = {
  summary: 'Show the signatures of an artifact (envelope, attributes, certificates) without trusting them',
  usage: 'nv2 inspect [options] <reference>',
  options: { ...MAX_SIGS, ...REGISTRY, ...OUTPUT, ...HELP },
  async run(argv, command) {
    const { ref, out, options } = await readQuery(this, argv, command);
    const result = await nv2.inspect(ref, options);
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') {
      printJson(result);
      return 0;
    }
    if (result.signatures.length === 0) {
      process.stdout.write(`${result.reference} has no associated signature\n`);
      return 0;
    }
    const kv = (obj) => {
      const entries = Object.entries(obj ?? {});
      return entries.length ? entries.map(([k, v]) => ({ label: `${k}: ${v}` })) : [{ label: '(empty)' }];
    };
    const sigNode = (s) => {
      if (s.error) return { label: s.descriptor.digest, children: [{ label: `error: ${s.error.message} (${s.error.code})` }] };
      const signed = { signingScheme: s.signingScheme, signingTime: s.signingTime };
      if (s.expiry) signed.expiry = s.expiry;
      const target = s.signedTarget ?? result.target ?? {};
      return {
        label: s.descriptor.digest,
        children: [
          { label: `media type: ${s.mediaType}` },
          { label: `signature algorithm: ${ALG_NAMES[s.algorithm] ?? s.algorithm}` },
          { label: 'signed attributes', children: kv(signed) },
          // notation inspect: the payload's signed user metadata (integrity-checked, not trusted).
          { label: 'user defined attributes', children: kv(s.userMetadata ?? {}) },
          { label: 'unsigned attributes', children: kv(s.signingAgent ? { signingAgent: s.signingAgent } : {}) },
          {
            label: 'certificates',
            children: (s.chain ?? []).map((c) => ({
              label: `SHA256 fingerprint: ${c.thumbprint}`,
              children: [
                { label: `issued to: ${c.subject}` },
                { label: `issued by: ${c.issuer}` },
                { label: `expiry: ${c.notAfter}` },
              ],
            })),
          },
          {
            label: 'signed artifact',
            children: [
              { label: `media type: ${target.mediaType}` },
              { label: `digest: ${target.digest ?? result.digest}` },
              { label: `size: ${target.size}` },
            ],
          },
        ],
      };
    };
    process.stdout.write(
      tree({
        label: result.reference,
        children: [{ label: 'application/vnd.cncf.notary.signature', children: result.signatures.map(sigNode) }],
      }),
    );
    return 0;
  },
};

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

COMMANDS.copy = {
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


// ---- cert ------------------------------------------------------------------------------------

const STORE_OPTS = {
  type: { type: 'string', short: 't', value: 'ca|signingAuthority|tsa', desc: 'trust store type' },
  store: { type: 'string', short: 's', value: 'name', desc: 'named trust store' },
};

function requireStoreArgs(values, command) {
  if (values.type === undefined) throw new UsageError('--type is required', command);
  if (values.store === undefined) throw new UsageError('--store is required', command);
  checkStoreArgs(values.type, values.store, command);
}

const x509Dir = () => join(truststoreRoot(), 'x509');
const oneLineDn = (dn) => dn.split('\n').join(', ');
const thumbprint = (c) => c.fingerprint256.replace(/:/g, '').toLowerCase();
const selfSigned = (c) => c.checkIssued(c) && c.verify(c.publicKey);

COMMANDS['cert add'] = {
  summary: 'Add certificates to a named trust store',
  usage: 'nv2 cert add --type <type> --store <name> <file>...',
  options: { ...STORE_OPTS, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    if (positionals.length === 0) throw new UsageError('missing certificate file(s)', command);
    const dir = storeDir(x509Dir(), values.type, values.store);
    for (const file of positionals) {
      if (!existsSync(file)) throw nv2.createError('ERR_INVALID_ARGUMENT', `certificate file ${file} does not exist`);
      const certs = readCertificates(file);
      for (const c of certs) {
        if (values.type === 'tsa' && !(c.ca && selfSigned(c))) {
          throw nv2.createError('ERR_TRUST_STORE', `${file}: a tsa store takes self-signed root CA certificates only (${oneLineDn(c.subject)})`);
        }
        if (values.type !== 'tsa' && !c.ca && !selfSigned(c)) {
          throw nv2.createError('ERR_TRUST_STORE', `${file}: ${oneLineDn(c.subject)} is neither a CA nor self-signed`);
        }
      }
      if (existsSync(join(dir, basename(file)))) {
        throw nv2.createError('ERR_INVALID_ARGUMENT', `certificate ${basename(file)} already exists in ${values.type}:${values.store}`);
      }
    }
    mkdirSync(dir, { recursive: true });
    for (const file of positionals) copyFileSync(file, join(dir, basename(file)));
    process.stdout.write(
      `Successfully added following certificates to named store ${values.store} of type ${values.type}:\n` +
        positionals.map((f) => `${basename(f)}\n`).join(''),
    );
    return 0;
  },
};

COMMANDS['cert list'] = {
  summary: 'List trust store certificates (alias: ls)',
  usage: 'nv2 cert list [--type <type>] [--store <name>]',
  options: { ...STORE_OPTS, ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
    checkStoreArgs(values.type, values.store, command);
    const out = output(values, command);
    const rows = [];
    for (const type of values.type ? [values.type] : STORE_TYPES) {
      const tdir = join(x509Dir(), type);
      if (!existsSync(tdir)) continue;
      for (const store of readdirSync(tdir).sort()) {
        if (values.store && store !== values.store) continue;
        const sdir = join(tdir, store);
        if (!lstatSync(sdir).isDirectory()) continue;
        for (const file of readdirSync(sdir).sort()) {
          if (lstatSync(join(sdir, file)).isFile()) rows.push({ type, store, file, path: join(sdir, file) });
        }
      }
    }
    if (out === 'json') printJson(rows);
    else if (rows.length === 0) process.stdout.write('No certificates found\n');
    else {
      const w1 = Math.max(10, ...rows.map((r) => r.type.length)) + 2;
      const w2 = Math.max(10, ...rows.map((r) => r.store.length)) + 2;
      process.stdout.write('STORE TYPE'.padEnd(w1) + 'STORE NAME'.padEnd(w2) + 'CERTIFICATE\n');
      for (const r of rows) process.stdout.write(r.type.padEnd(w1) + r.store.padEnd(w2) + r.file + '\n');
    }
    return 0;
  },
};

COMMANDS['cert show'] = {
  summary: 'Show the certificates of a trust store file',
  usage: 'nv2 cert show --type <type> --store <name> <file>',
  options: { ...STORE_OPTS, ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    const file = onePositional(positionals, 'certificate file name', command);
    const out = output(values, command);
    const path = join(storeDir(x509Dir(), values.type, values.store), basename(file));
    if (!existsSync(path)) {
      throw nv2.createError('ERR_TRUST_STORE', `certificate ${basename(file)} not found in ${values.type}:${values.store}`);
    }
    const certs = readCertificates(path).map((c) => ({
      subject: oneLineDn(c.subject),
      issuer: oneLineDn(c.issuer),
      serialNumber: c.serialNumber.toLowerCase(),
      notBefore: new Date(c.validFrom).toISOString(),
      notAfter: new Date(c.validTo).toISOString(),
      isCA: c.ca,
      sha256Thumbprint: thumbprint(c),
    }));
    if (out === 'json') printJson(certs);
    else {
      for (const c of certs) {
        process.stdout.write(
          'Certificate details\n' +
            '-'.repeat(80) +
            `\nIssuer: ${c.issuer}\nSubject: ${c.subject}\nSerial number: ${c.serialNumber}\n` +
            `Valid from: ${c.notBefore}\nValid to: ${c.notAfter}\nIsCA: ${c.isCA}\n` +
            `SHA256 Thumbprint: ${c.sha256Thumbprint}\n\n`,
        );
      }
    }
    return 0;
  },
};

async function confirm(question, yes, command) {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('confirmation needed: pass -y/--yes when stdin is not a terminal', command);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise((r) => rl.question(`${question} [y/N] `, r));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

COMMANDS['cert delete'] = {
  summary: 'Delete a certificate file, or all certificates, of a named trust store',
  usage: 'nv2 cert delete --type <type> --store <name> (--all | <file>) [-y]',
  options: {
    ...STORE_OPTS,
    all: { type: 'boolean', desc: 'delete the whole named store' },
    yes: { type: 'boolean', short: 'y', desc: 'do not ask for confirmation' },
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    if (values.all && positionals.length) throw new UsageError('give either --all or a file name, not both', command);
    if (!values.all && positionals.length !== 1) throw new UsageError('give --all or exactly one certificate file name', command);
    const dir = storeDir(x509Dir(), values.type, values.store);
    if (!existsSync(dir)) throw nv2.createError('ERR_TRUST_STORE', `trust store ${values.type}:${values.store} does not exist`);
    const target = values.all ? dir : join(dir, basename(positionals[0]));
    if (!values.all && !existsSync(target)) {
      throw nv2.createError('ERR_TRUST_STORE', `certificate ${basename(positionals[0])} not found in ${values.type}:${values.store}`);
    }
    const what = values.all ? `all certificates of ${values.type}:${values.store}` : `${basename(target)} from ${values.type}:${values.store}`;
    if (!(await confirm(`Delete ${what}?`, values.yes, command))) {
      process.stderr.write('Nothing deleted\n');
      return 1;
    }
    rmSync(target, { recursive: true, force: true });
    process.stdout.write(`Successfully deleted ${what}\n`);
    return 0;
  },
};

COMMANDS['cert generate-test'] = {
  summary: 'Generate a test CA and signing key/certificate; trust the CA in store ca:<name>',
  usage: 'nv2 cert generate-test [--key-type <type>] [--default] <name>',
  options: {
    'key-type': { type: 'string', value: KEY_TYPES.join('|'), desc: 'key type (default p256)' },
    default: { type: 'boolean', desc: 'make it the default signing key' },
    ...HELP,
  },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const name = onePositional(positionals, 'key name', command);
    if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new UsageError(`"${name}" is not a valid name (letters, digits, _ . -)`, command);
    const keyType = values['key-type'] ?? 'p256';
    if (!KEY_TYPES.includes(keyType)) throw new UsageError(`--key-type must be one of ${KEY_TYPES.join(', ')}`, command);
    const keyPath = join(localkeysDir(), `${name}.key`);
    const certPath = join(localkeysDir(), `${name}.crt`);
    if (existsSync(keyPath)) throw nv2.createError('ERR_INVALID_ARGUMENT', `signing key ${name} already exists (${keyPath})`);
    const g = generateTestCertificates(name, { keyType });
    writePrivate(keyPath, g.leafKeyPem);
    writeFileSync(certPath, g.leafCertPem + g.caCertPem);
    const storeFile = join(storeDir(x509Dir(), 'ca', name), `${name}.crt`);
    mkdirSync(join(storeFile, '..'), { recursive: true });
    writeFileSync(storeFile, g.caCertPem);
    const keys = readSigningKeys();
    keys.keys = keys.keys.filter((k) => k.name !== name).concat([{ name, keyPath, certPath }]);
    if (values.default) keys.default = name;
    writeFileSync(signingKeysPath(), JSON.stringify(keys, null, 2) + '\n');
    const leaf = new X509Certificate(g.leafCertPem);
    process.stdout.write(
      `generated ${keyType} key "${name}"; certificate expires ${new Date(leaf.validTo).toISOString()}\n` +
        `wrote key: ${keyPath}\nwrote certificate chain: ${certPath}\n` +
        `Successfully added ${name}.crt to named store ${name} of type ca\n` +
        (values.default ? `${name}: marked as the default signing key\n` : ''),
    );
    return 0;
  },
};

// ---- policy ----------------------------------------------------------------------------------

/** Validates a trust policy document (throws PolicyError ERR_POLICY_INVALID with the reason). */
function validatePolicy(policy) {
  return nv2.validateTrustPolicy(policy);
}

COMMANDS['policy import'] = {
  summary: 'Import a trust policy file into the configuration',
  usage: 'nv2 policy import [--force] <file>',
  options: { force: { type: 'boolean', desc: 'overwrite an existing trust policy' }, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const file = onePositional(positionals, 'trust policy file', command);
    const policy = readJson(file, 'trust policy');
    validatePolicy(policy);
    const dest = join(configDir(), 'trustpolicy.oci.json');
    storePolicy(policy, { dest, existing: defaultPolicyPath(), force: values.force, what: 'trust policy' });
    const legacy = join(configDir(), 'trustpolicy.json');
    if (existsSync(legacy)) rmSync(legacy); // one policy in effect, never two
    process.stdout.write(`Trust policy imported to ${dest}\n`);
    return 0;
  },
};

COMMANDS['policy show'] = {
  summary: 'Show the trust policy in effect',
  usage: 'nv2 policy show',
  options: { ...HELP },
  run(argv, command) {
    const { positionals } = parseArgs(argv, this.options, command);
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
    showPolicy(defaultPolicyPath(), { validate: validatePolicy, what: 'trust policy', importCommand: 'nv2 policy import' });
    return 0;
  },
};

// ---- login / logout --------------------------------------------------------------------------

const isLoopback = (host) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);

/** Checks a login against the registry: GET /v2/, then Basic, or a token request for Bearer. */
async function checkLogin(host, login, plainHttp) {
  const url = `${plainHttp || isLoopback(host) ? 'http' : 'https'}://${host}/v2/`;
  const basic = 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64');
  const get = async (u, headers = {}) => {
    try {
      return await fetch(u, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw nv2.createError('ERR_REGISTRY_HTTP', `cannot reach ${u}: ${e.cause?.code ?? e.message}`);
    }
  };
  const first = await get(url);
  if (first.ok) return;
  if (first.status !== 401) throw nv2.createError('ERR_REGISTRY_HTTP', `${url} answered ${first.status}`);
  const challenge = first.headers.get('www-authenticate') ?? '';
  let r;
  if (/^bearer /i.test(challenge)) {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw nv2.createError('ERR_REGISTRY_AUTH', `${host}: Bearer challenge without realm`);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    r = await get(tokenUrl, { Authorization: basic });
  } else {
    r = await get(url, { Authorization: basic });
  }
  if (r.status === 401 || r.status === 403) throw nv2.createError('ERR_REGISTRY_AUTH', `${host} refused the login for ${login.username} (${r.status})`);
  if (!r.ok) throw nv2.createError('ERR_REGISTRY_HTTP', `${host} answered ${r.status} to the login`);
}

COMMANDS.login = {
  summary: 'Log in to a registry (stored in $NV2_CONFIG/credentials.json, mode 0600)',
  usage: 'nv2 login -u <user> (-p <pass> | --password-stdin) [--plain-http] <registry>',
  options: { ...REGISTRY, ...HELP },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const host = onePositional(positionals, 'registry (host[:port])', command);
    if (host.includes('/')) throw new UsageError(`registry must be host[:port], got "${host}"`, command);
    const login = await flagLogin(values, command, { required: true });
    await checkLogin(host, login, values['plain-http']);
    storeLogin(host, login.username, login.password);
    process.stdout.write('Login Succeeded\n');
    return 0;
  },
};

COMMANDS.logout = {
  summary: 'Forget the stored login of a registry',
  usage: 'nv2 logout <registry>',
  options: { ...HELP },
  run(argv, command) {
    const { positionals } = parseArgs(argv, this.options, command);
    const host = onePositional(positionals, 'registry (host[:port])', command);
    if (!removeLogin(host)) warn(`not logged in to ${host}`);
    process.stdout.write('Logout Succeeded\n');
    return 0;
  },
};

COMMANDS.version = {
  summary: 'Show the nv2 version',
  usage: 'nv2 version',
  options: { ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
    const info = { version: pkgVersion, core: nv2.version(), node: process.version };
    if (output(values, command) === 'json') printJson(info);
    else process.stdout.write(`nv2 ${info.version}\ncore: ${info.core}\nnode: ${info.node}\n`);
    return 0;
  },
};

// ---------------------------------------------------------------------------------------------
// Help

export const GROUPS = {
  cert: { aliases: { ls: 'list', rm: 'delete' } },
  policy: { aliases: {} },
};
for (const [g, group] of Object.entries(GROUPS)) {
  group.help = () => {
    const subs = Object.keys(COMMANDS).filter((k) => k.startsWith(`${g} `));
    return (
      `Usage: nv2 ${g} <command> [options]\n\nCommands:\n` +
      subs.map((k) => `  ${k.slice(g.length + 1).padEnd(15)} ${COMMANDS[k].summary}\n`).join('') +
      `\nRun 'nv2 ${g} <command> --help' for a command's options.\n`
    );
  };
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
    "\nRun 'nv2 <command> --help' for a command's options.\n" +
    'Exit codes: 0 success, 1 failure or not verified, 2 usage error.\n'
  );
}

registerBlobCommands(COMMANDS, GROUPS, { resolveKey, tree, ALG_NAMES });
