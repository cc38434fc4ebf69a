// `nv2 blob`: detached blob signatures, as `notation blob sign|verify|inspect|policy`
// (signature-specification.md §Blob Signatures).
//
// A signature of FILE is written to `<signature-directory>/<basename FILE>.<jws|cose>.sig`
// (`--signature-format`); the file extension names the envelope format when verifying. The blob
// trust policy is `$NV2_CONFIG/trustpolicy.blob.json` (notation's blob trust policy document).
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as nv2 from '../node.js';
import { keyValues, parseArgs, UsageError } from './args.mjs';
import {
  ALG_NAMES,
  certificateNodes,
  HELP,
  KEY_OPTS,
  onePositional,
  output,
  OUTPUT,
  printJson,
  showPolicyCommand,
  SIGN_OPTS,
  signatureFormat,
  storePolicy,
  tree,
  warn,
  warnLogged,
} from './common.mjs';
import { configDir, loadTrustStore, readJson, resolveX509Dir } from './config.mjs';
import { verificationCrls } from './crl.mjs';
import { BLOB_REVOCATION, revocationHints, revocationOptions } from './revocation.mjs';
import { signatureFlags, signingOptions } from './keys.mjs';

const FORMATS = { jws: 'application/jose+json', cose: 'application/cose' };

export const blobPolicyPath = () => join(configDir(), 'trustpolicy.blob.json');

/** A regular file to read, or ERR_INVALID_ARGUMENT. */
function requireFile(path, what) {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read ${what} ${path}: ${e.code ?? e.message}`);
  }
  if (!st.isFile()) throw nv2.createError('ERR_INVALID_ARGUMENT', `${what} ${path} is not a regular file`);
}

function readBytes(path, what) {
  requireFile(path, what);
  return new Uint8Array(readFileSync(path));
}

/** The envelope format a signature file name gives (`<blob>.<format>.sig`, signature-specification.md §Blob Signatures). */
function formatOfSignaturePath(path) {
  const m = /\.([A-Za-z0-9]+)\.sig$/.exec(basename(path));
  const format = m?.[1].toLowerCase();
  if (!format || !FORMATS[format]) {
    throw nv2.createError(
      'ERR_UNSUPPORTED_ENVELOPE',
      `signature file ${path} must be named <blob>.jws.sig or <blob>.cose.sig (the extension gives the envelope format)`,
    );
  }
  return format;
}

/** The blob as a stream of chunks: never read whole (64 KiB reads). */
const blobStream = (path) => createReadStream(path, { highWaterMark: 1 << 16 });

function loadBlobPolicy(file) {
  const path = file ?? blobPolicyPath();
  if (!existsSync(path)) {
    throw nv2.createError(
      'ERR_POLICY_INVALID',
      `no blob trust policy at ${path}; import one with \`nv2 blob policy import <file>\` or pass --trust-policy`,
    );
  }
  return readJson(path, 'blob trust policy');
}

const kvNodes = (obj) => {
  const entries = Object.entries(obj ?? {}).filter(([, v]) => v !== null && v !== undefined);
  return entries.length ? entries.map(([k, v]) => ({ label: `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}` })) : [{ label: '(empty)' }];
};

function metadataTable(annotations) {
  const rows = Object.entries(annotations ?? {});
  if (rows.length === 0) return '';
  const w = Math.max(3, ...rows.map(([k]) => k.length)) + 2;
  return (
    '\nThe signature contains the following user metadata:\n\n' +
    'KEY'.padEnd(w) + 'VALUE\n' +
    rows.map(([k, v]) => k.padEnd(w) + v + '\n').join('')
  );
}

export const groups = {
  blob: { aliases: {}, title: 'Sign, verify and inspect detached blob signatures; manage the blob trust policy' },
  'blob policy': { aliases: {}, title: 'Manage the blob trust policy (trustpolicy.blob.json)' },
};

export const commands = {};

commands['blob sign'] = {
  summary: 'Produce a detached signature (<file>.jws.sig or <file>.cose.sig) for a blob',
  usage: 'nv2 blob sign [options] <file>',
  example: 'nv2 blob sign --key wabbit-networks --signature-directory sigs ./release.tar.gz',
  options: {
    ...KEY_OPTS,
    'signature-directory': { type: 'string', value: 'dir', desc: 'where to write the signature (default: the current directory)' },
    'media-type': { type: 'string', value: 'type', desc: 'media type of the blob (default application/octet-stream)' },
    ...SIGN_OPTS,
    force: { type: 'boolean', desc: 'overwrite an existing signature file' },
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const file = onePositional(positionals, 'blob file', command);
    const out = output(values, command);
    const format = signatureFormat(values, command);
    if (values['media-type'] === '') throw new UsageError('--media-type must not be empty', command);
    const flags = signatureFlags(values, command);
    requireFile(file, 'blob');
    const dir = values['signature-directory'] ?? '.';
    const sigPath = join(dir, `${basename(file)}.${format}.sig`);
    const existed = existsSync(sigPath);
    if (existed && !values.force) {
      throw nv2.createError('ERR_INVALID_ARGUMENT', `signature file ${sigPath} already exists; use --force to overwrite it`);
    }
    const result = await nv2.signBlob({
      blob: blobStream(file),
      ...signingOptions(values, command, format, flags),
      ...(values['media-type'] !== undefined ? { mediaType: values['media-type'] } : {}),
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(sigPath, result.envelope);
    if (out === 'json') {
      printJson({ file, signature: sigPath, mediaType: result.mediaType, descriptor: result.descriptor });
    } else {
      process.stdout.write(`Successfully signed ${file}\n`);
      process.stdout.write(`Signature file ${existed ? 'overwritten' : 'written'} to ${sigPath}\n`);
    }
    return 0;
  },
};

commands['blob verify'] = {
  summary: 'Verify a detached blob signature against the blob trust policy',
  usage: 'nv2 blob verify --signature <file>.jws.sig [options] <file>',
  example: 'nv2 blob verify --signature release.tar.gz.jws.sig ./release.tar.gz',
  options: {
    signature: { type: 'string', short: 's', value: 'file', desc: 'the signature file (<blob>.jws.sig or <blob>.cose.sig)' },
    'policy-name': { type: 'string', value: 'name', desc: 'blob trust policy statement to use (default: the global statement)' },
    'trust-policy': { type: 'string', value: 'file', desc: 'blob trust policy (default $NV2_CONFIG/trustpolicy.blob.json)' },
    'trust-store': { type: 'string', value: 'dir', desc: 'trust store directory holding x509/<type>/<name>/ (default $NV2_CONFIG/truststore)' },
    'media-type': { type: 'string', value: 'type', desc: 'media type the signature must name for the blob' },
    'user-metadata': { type: 'multi', short: 'm', value: 'key=value', desc: 'metadata the signature must carry (repeatable)' },
    crl: { type: 'multi', value: 'file', desc: 'CRL (DER or PEM) for air-gapped revocation checks, with the stored ones (repeatable)' },
    ...BLOB_REVOCATION,
    'verification-time': { type: 'string', value: 'RFC 3339', desc: 'verify as of this time instead of now (e.g. an archived signature)' },
    ...OUTPUT,
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const file = onePositional(positionals, 'blob file', command);
    const out = output(values, command);
    if (values.signature === undefined) throw new UsageError('--signature is required', command);
    if (values['policy-name'] !== undefined && values['policy-name'].trim() === '') {
      throw new UsageError('--policy-name must not be empty', command);
    }
    if (values['media-type'] === '') throw new UsageError('--media-type must not be empty', command);
    const userMetadata = keyValues(values['user-metadata'], '--user-metadata', command);
    let now;
    if (values['verification-time'] !== undefined) {
      const t = values['verification-time'];
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(t) || Number.isNaN(Date.parse(t))) {
        throw new UsageError(`--verification-time expects an RFC 3339 time such as 2025-01-31T12:00:00Z, got "${t}"`, command);
      }
      now = t;
      // Verifying as of another time accepts what has expired since: say so every time.
      process.stderr.write(`Warning: verifying as of ${t}, not now; expiry and validity are judged at that time\n`);
    }
    const format = formatOfSignaturePath(values.signature);
    const signature = readBytes(values.signature, 'signature file');
    requireFile(file, 'blob');
    const trustPolicy = loadBlobPolicy(values['trust-policy']);
    const trustStore = loadTrustStore(trustPolicy, resolveX509Dir(values['trust-store']), warn);
    const crls = verificationCrls(values.crl); // --crl files, then the CRL store
    const result = await nv2.verifyBlob({
      blob: blobStream(file),
      signature,
      signatureFormat: format,
      trustPolicy,
      trustStore,
      ...(values['policy-name'] !== undefined ? { policyName: values['policy-name'] } : {}),
      ...(values['media-type'] !== undefined ? { mediaType: values['media-type'] } : {}),
      ...(now !== undefined ? { now } : {}),
      ...(crls.length ? { crls } : {}),
      ...revocationOptions(values),
      ...(Object.keys(userMetadata).length ? { userMetadata } : {}),
    });
    for (const w of result.warnings ?? []) warn(w);
    if (out === 'json') {
      printJson({ signature: values.signature, file, ...result });
      return result.verified ? 0 : 1;
    }
    if (!result.verified) {
      const e = result.error ?? { message: 'signature verification failed', code: 'ERR_SIGNATURE_INTEGRITY' };
      process.stderr.write(`Error: signature verification failed: ${e.message} (${e.code})\n${revocationHints(e.message)}`);
      return 1;
    }
    if (result.verificationLevel === 'skip') {
      process.stdout.write(`Trust policy is configured to skip signature verification for ${values.signature}\n`);
      return 0;
    }
    warnLogged(result.results, result.verificationLevel);
    const using = values['policy-name'] !== undefined ? ` using policy \`${result.policyName}\`` : '';
    process.stdout.write(`Successfully verified signature ${values.signature}${using}\n`);
    if (values['media-type'] !== undefined) {
      process.stdout.write(`\nThe blob is of media type \`${result.targetArtifact?.mediaType}\`.\n`);
    }
    process.stdout.write(metadataTable(result.targetArtifact?.annotations));
    return 0;
  },
};

commands['blob inspect'] = {
  summary: 'Show a detached blob signature (attributes, certificates, signed blob) without trusting it',
  usage: 'nv2 blob inspect [options] <file>.jws.sig',
  options: { ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const path = onePositional(positionals, 'signature file', command);
    const out = output(values, command);
    const format = formatOfSignaturePath(path);
    const info = nv2.inspectBlobSignature(readBytes(path, 'signature file'), { signatureFormat: format });
    if (info.payloadError) warn(`the signature does not verify under its own certificate: ${info.payloadError}`);
    if (out === 'json') {
      printJson(info);
      return 0;
    }
    const s = info.signedAttributes;
    const signed = {
      'content type': s.contentType,
      'signing scheme': s.signingScheme,
      'signing time': s.signingTime,
      expiry: s.expiry,
      'io.cncf.notary.verificationPlugin': s.verificationPlugin,
      'io.cncf.notary.verificationPluginMinVersion': s.verificationPluginMinVersion,
      ...s.extended,
    };
    const u = info.unsignedAttributes;
    const unsigned = {
      'io.cncf.notary.timestampSignature': u.timestampSignature,
      'io.cncf.notary.signingAgent': u.signingAgent,
    };
    const artifact = info.signedArtifact;
    const { annotations, ...descriptor } = artifact ?? {};
    process.stdout.write(
      tree({
        label: path,
        children: [
          { label: `signature algorithm: ${ALG_NAMES[info.signatureAlgorithm] ?? info.signatureAlgorithm}` },
          { label: `signature envelope type: ${info.mediaType}` },
          { label: 'signed attributes', children: kvNodes(signed) },
          { label: 'user defined attributes', children: kvNodes(annotations) },
          { label: 'unsigned attributes', children: kvNodes(unsigned) },
          {
            label: 'certificates',
            children: certificateNodes(info.certificates),
          },
          {
            label: 'signed artifact',
            children: artifact
              ? [
                  { label: `media type: ${descriptor.mediaType}` },
                  { label: `digest: ${descriptor.digest}` },
                  { label: `size: ${descriptor.size}` },
                ]
              : [{ label: `(unreadable: ${info.payloadError})` }],
          },
        ],
      }),
    );
    return 0;
  },
};

commands['blob policy import'] = {
  summary: 'Import a blob trust policy file (trustpolicy.blob.json)',
  usage: 'nv2 blob policy import [--force] <file>',
  options: { force: { type: 'boolean', desc: 'overwrite an existing blob trust policy' }, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const file = onePositional(positionals, 'blob trust policy file', command);
    const policy = readJson(file, 'blob trust policy');
    nv2.validateBlobTrustPolicy(policy);
    const dest = blobPolicyPath();
    storePolicy(policy, { dest, force: values.force, what: 'blob trust policy' });
    process.stdout.write(`Blob trust policy imported to ${dest}\n`);
    return 0;
  },
};

commands['blob policy show'] = showPolicyCommand({
  summary: 'Show the blob trust policy in effect',
  usage: 'nv2 blob policy show',
  path: blobPolicyPath,
  validate: nv2.validateBlobTrustPolicy,
  what: 'blob trust policy',
  importCommand: 'nv2 blob policy import',
});
