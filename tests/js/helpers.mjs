// Shared helpers for the node --test suites. These files are copied into the throwaway consumer
// project (tests/.work/consumer/js-tests/) where `nv2` is the *installed* npm tarball.
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PAYLOAD_CTY = 'application/vnd.cncf.notary.payload.v1+json';
export const JWS_MEDIA_TYPE = 'application/jose+json';
export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
export const ALG_NAMES = ['rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384', 'p521'];
export const HASH_OF = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
export const LEVELS = ['strict', 'permissive', 'audit'];

// ------------------------------------------------------------------------------------------------
// Test PKI (tests/gen/make_pki.py output, directory in NV2_PKI_DIR)

const PKI_DIR = process.env.NV2_PKI_DIR;
if (!PKI_DIR) throw new Error('NV2_PKI_DIR is not set (run the suites through `make test-js`)');
export const pki = JSON.parse(readFileSync(join(PKI_DIR, 'index.json'), 'utf8'));
export { PKI_DIR };

/** Splits a PEM bundle into its PEM blocks. */
export function pemBlocks(pem) {
  return pem.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----\n?/g) ?? [];
}
/** DER bytes of every certificate in a PEM bundle. */
export function pemToDers(pem) {
  return pemBlocks(pem).map((b) => new crypto.X509Certificate(b).raw);
}
export function pemToDer(pem) {
  return pemToDers(pem)[0];
}

// ------------------------------------------------------------------------------------------------
// Which wasm exports exist (the integrator lands verify/sign later). Read from the installed
// package's own .wasm, through its "./wasm" export.

const wasmBytes = readFileSync(new URL(import.meta.resolve('nv2/wasm')));
export const WASM_BYTES = wasmBytes;
export const WASM_EXPORTS = new Set(
  WebAssembly.Module.exports(new WebAssembly.Module(wasmBytes)).map((e) => e.name),
);
const REQUIRE_FULL = process.env.NV2_REQUIRE_FULL_API === '1';

/**
 * `skip` option for node:test: a reason string when one of `exports` is missing from the wasm
 * module (and NV2_REQUIRE_FULL_API is not 1), else false.
 */
export function needs(...exports) {
  const missing = exports.filter((e) => !WASM_EXPORTS.has(e));
  if (missing.length === 0 || REQUIRE_FULL) return false;
  return `waiting on the integrator: wasm export(s) ${missing.join(', ')} not in this build`;
}

// ------------------------------------------------------------------------------------------------
// Encoding

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const fromB64url = (s) => Buffer.from(s, 'base64url');
export const sha256hex = (b) => crypto.createHash('sha256').update(b).digest('hex');
export const utf8 = (s) => new TextEncoder().encode(s);

/** A fresh OCI manifest descriptor to sign. */
export function makeTarget(label = 'target') {
  const body = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, label, n: Math.random() }),
  );
  return { mediaType: MANIFEST_MEDIA_TYPE, digest: `sha256:${sha256hex(body)}`, size: body.length };
}
export const refFor = (target) => `localhost:5000/nv2/test@${target.digest}`;

/** Whole-second RFC 3339 UTC. */
export function rfc3339(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// ------------------------------------------------------------------------------------------------
// Independent JWS implementation over node:crypto (no nv2 code involved)

export function algInfo(alg) {
  const bits = Number(alg.slice(2));
  return { hash: HASH_OF[bits], hashLen: bits / 8, ec: alg.startsWith('ES') };
}

/** Raw Notary signature: PSS (salt = hash length) or ECDSA r||s. */
export function rawSign(alg, key, data) {
  const { hash, hashLen, ec } = algInfo(alg);
  return crypto.sign(
    hash,
    data,
    ec
      ? { key, dsaEncoding: 'ieee-p1363' }
      : { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: hashLen },
  );
}

export function rawVerify(alg, publicKey, data, sig) {
  const { hash, hashLen, ec } = algInfo(alg);
  return crypto.verify(
    hash,
    data,
    ec
      ? { key: publicKey, dsaEncoding: 'ieee-p1363' }
      : { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: hashLen },
    sig,
  );
}

/**
 * Builds a JWS envelope (flattened JSON serialization) with node:crypto.
 * opts: { alg, keyPem, chainPem, target, signingTime (ms), expiry (ms), header (extra protected
 * members, `undefined` values delete), crit, unprotected (extra), signAlg (algorithm actually used
 * to sign, default alg), payload (object or string override), after(env) (mutate parts before
 * serialising) }. Returns { bytes, parts }.
 */
export function buildJws(opts) {
  const alg = opts.alg;
  const signingTime = opts.signingTime ?? Date.now() - 60_000;
  const protectedHeader = {
    alg,
    cty: PAYLOAD_CTY,
    crit: opts.crit ?? [
      'io.cncf.notary.signingScheme',
      ...(opts.expiry !== undefined ? ['io.cncf.notary.expiry'] : []),
    ],
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': rfc3339(signingTime),
    ...(opts.expiry !== undefined ? { 'io.cncf.notary.expiry': rfc3339(opts.expiry) } : {}),
  };
  for (const [k, v] of Object.entries(opts.header ?? {})) {
    if (v === undefined) delete protectedHeader[k];
    else protectedHeader[k] = v;
  }
  const payload =
    typeof opts.payload === 'string'
      ? opts.payload
      : JSON.stringify(opts.payload ?? { targetArtifact: opts.target });
  const parts = {
    protected: b64url(JSON.stringify(protectedHeader)),
    payload: b64url(payload),
  };
  const signingInput = Buffer.from(`${parts.protected}.${parts.payload}`, 'ascii');
  const key = crypto.createPrivateKey(opts.keyPem);
  parts.signature = b64url(rawSign(opts.signAlg ?? alg, key, signingInput));
  parts.header = {
    x5c: pemToDers(opts.chainPem).map((d) => d.toString('base64')),
    'io.cncf.notary.signingAgent': 'nv2-tests/node-crypto',
    ...(opts.unprotected ?? {}),
  };
  opts.after?.(parts);
  const env = {
    payload: parts.payload,
    protected: parts.protected,
    header: parts.header,
    signature: parts.signature,
  };
  return { bytes: utf8(JSON.stringify(env)), parts, protectedHeader };
}

/** Parses a JWS envelope's parts (base64url decoded). */
export function parseJws(bytes) {
  const env = JSON.parse(Buffer.from(bytes).toString('utf8'));
  return {
    env,
    protectedHeader: JSON.parse(fromB64url(env.protected).toString('utf8')),
    payload: JSON.parse(fromB64url(env.payload).toString('utf8')),
    signature: fromB64url(env.signature),
    signingInput: Buffer.from(`${env.protected}.${env.payload}`, 'ascii'),
  };
}

// ------------------------------------------------------------------------------------------------
// Policy / store / verification helpers

export function policy({ level = 'strict', stores = ['ca:test'], identities = ['*'], override } = {}) {
  const sv = { level };
  if (override) sv.override = override;
  return {
    version: '1.0',
    trustPolicies: [
      level === 'skip'
        ? { name: 'p', registryScopes: ['*'], signatureVerification: sv }
        : {
            name: 'p',
            registryScopes: ['*'],
            signatureVerification: sv,
            trustStores: stores,
            trustedIdentities: identities,
          },
    ],
  };
}

export const storeOf = (...rootPems) => ({ 'ca:test': rootPems });

/** verifyEnvelope with test defaults. */
export function verifyWith(nv2, envelopeBytes, target, o = {}) {
  return nv2.verifyEnvelope({
    envelope: envelopeBytes,
    mediaType: JWS_MEDIA_TYPE,
    target: o.verifyTarget ?? target,
    artifactReference: refFor(o.verifyTarget ?? target),
    trustPolicy: o.trustPolicy ?? policy(o),
    trustStore: o.trustStore ?? storeOf(o.root),
    ...(o.now !== undefined ? { now: o.now } : {}),
    ...(o.userMetadata ? { userMetadata: o.userMetadata } : {}),
  });
}

export const resultOf = (outcome, type) => outcome.results.find((r) => r.type === type);

/** A readable one-liner of an outcome for assertion messages. */
export function show(outcome) {
  if (!outcome || typeof outcome !== 'object') return String(outcome);
  const rs = (outcome.results ?? [])
    .map((r) => `${r.type}:${r.action}:${r.ok ? 'ok' : r.error?.code ?? 'fail'}`)
    .join(' ');
  return `verified=${outcome.verified} level=${outcome.verificationLevel} [${rs}] error=${
    outcome.error?.code ?? '-'
  } warnings=${JSON.stringify(outcome.warnings)}`;
}
