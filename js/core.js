// The runtime-independent API. `node.js` and `browser.js` load the wasm module (synchronously
// in Node, with `init()` in browsers) and re-export everything here.
import * as wasm from './dist/nv2_wasm.js';
import { normaliseTimeout, withSignal } from './deadlines.js';
import { createError, errorFromResult, fromWasmError, SigningError } from './errors.js';

let ready = false;

/** @internal Called by the entry points once the wasm instance exists. */
export function _markReady() {
  ready = true;
}

/** True once the wasm module is instantiated (always true in Node). */
export function isInitialized() {
  return ready;
}

function raw(name) {
  if (!ready) {
    throw createError(
      'ERR_INVALID_ARGUMENT',
      `nv2: call \`await init()\` before ${name}() (the WebAssembly module is not loaded yet)`,
    );
  }
  const fn = wasm[name];
  if (typeof fn !== 'function') {
    throw createError(
      'ERR_INVALID_ARGUMENT',
      `nv2: this build's WebAssembly module does not export ${name}()`,
    );
  }
  return fn;
}

function call(name, ...args) {
  const fn = raw(name);
  try {
    return fn(...args);
  } catch (e) {
    throw fromWasmError(e);
  }
}

function invalid(message) {
  return createError('ERR_INVALID_ARGUMENT', message);
}

function requireObject(value, what) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`nv2: ${what} must be an object`);
  }
}

/** Uint8Array view of bytes-like input (Buffer, ArrayBuffer, typed array, DataView). */
function toBytes(value, what) {
  if (value instanceof Uint8Array) {
    // Buffers are Uint8Arrays; hand wasm a plain view so serde sees an ordinary Uint8Array.
    return value.constructor === Uint8Array
      ? value
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw invalid(`nv2: ${what} must be a Uint8Array (or ArrayBuffer / Buffer)`);
}

/** ms since the epoch for Date, number or RFC 3339 string; other values are refused. */
function toTime(value, what) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw invalid(`nv2: ${what} is an invalid Date`);
    return ms;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`nv2: ${what} must be a finite number of ms`);
    return value;
  }
  if (typeof value === 'string') return value;
  throw invalid(`nv2: ${what} must be a Date, a number (ms since epoch) or an RFC 3339 string`);
}

function normaliseTrustStore(store) {
  requireObject(store, 'trustStore');
  const out = {};
  for (const [name, certs] of Object.entries(store)) {
    if (!Array.isArray(certs)) {
      throw invalid(`nv2: trustStore["${name}"] must be an array of PEM strings or DER bytes`);
    }
    out[name] = certs.map((c, i) =>
      typeof c === 'string' ? c : toBytes(c, `trustStore["${name}"][${i}]`),
    );
  }
  return out;
}

/**
 * `certChain` as the one PEM text the wasm signers read: a PEM string (one or more
 * certificates), or an array of PEM strings and/or DER bytes, leaf first (as `trustStore`
 * takes them). DER is wrapped as a PEM CERTIFICATE block (RFC 7468 §2, §5); the core parses and
 * checks every certificate. Also accepts the bytes of one PEM or DER file.
 */
function normaliseCertChain(chain) {
  // Absent: the core reports the missing field.
  if (typeof chain === 'string' || chain === undefined || chain === null) return chain;
  if (!Array.isArray(chain)) return certificatePem(toBytes(chain, 'certChain'));
  if (chain.length === 0) throw invalid('nv2: certChain holds no certificate');
  return chain
    .map((c, i) => (typeof c === 'string' ? c.trim() + '\n' : certificatePem(toBytes(c, `certChain[${i}]`))))
    .join('');
}

/** PEM text of one certificate's bytes: DER (a SEQUENCE, 0x30) wrapped; PEM bytes decoded. */
function certificatePem(bytes) {
  if (bytes[0] !== 0x30) return new TextDecoder().decode(bytes);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const lines = btoa(bin).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** CRLs for air-gapped revocation checks: PEM strings or DER bytes, or undefined. */
function normaliseCrls(crls) {
  if (crls === undefined || crls === null) return undefined;
  if (!Array.isArray(crls)) throw invalid('nv2: crls must be an array of PEM strings or DER bytes');
  return crls.map((c, i) => (typeof c === 'string' ? c : toBytes(c, `crls[${i}]`)));
}

/**
 * Downloaded CRLs kept per module instance (docs/revocation.md), by distribution-point URL, as
 * `{ baseCRL, deltaCRL? }`; the wasm side uses a cached CRL only until its nextUpdate. Bounded:
 * the oldest entry goes first.
 */
const MEMORY_CRL_CACHE_ENTRIES = 256;
const memoryCrlCache = new Map();
const defaultCrlCache = {
  get: (url) => memoryCrlCache.get(url),
  set: (url, bundle) => {
    memoryCrlCache.delete(url);
    if (memoryCrlCache.size >= MEMORY_CRL_CACHE_ENTRIES) memoryCrlCache.delete(memoryCrlCache.keys().next().value);
    memoryCrlCache.set(url, bundle);
  },
};

/** `{ offline, revocationCache }` for the wasm side from the caller's options. */
function revocationArgs(opts) {
  if (opts.offline !== undefined && typeof opts.offline !== 'boolean') throw invalid('nv2: offline must be a boolean');
  const cache = opts.revocationCache ?? defaultCrlCache;
  if (cache === false) return { offline: opts.offline === true, revocationCache: undefined };
  if (typeof cache !== 'object' || typeof cache.get !== 'function' || typeof cache.set !== 'function') {
    throw invalid('nv2: revocationCache must be an object with get(url) and set(url, { baseCRL, deltaCRL }) methods, or false');
  }
  return { offline: opts.offline === true, revocationCache: cache };
}

/**
 * Describes a CRL (PEM text or DER bytes) without trusting it: issuer, thisUpdate, nextUpdate,
 * number (hex), delta, revoked (entry count), scopeUrls (issuing distribution point), deltaUrls.
 */
export function inspectCrl(crl) {
  return call('inspectCrl', typeof crl === 'string' ? crl : toBytes(crl, 'crl'));
}

/** The nv2 version string. */
export function version() {
  return call('version');
}

/**
 * Verifies one signature envelope against a trust policy and trust store. Returns the outcome
 * (check `outcome.verified`); throws only for invalid inputs.
 */
export function verifyEnvelope(opts) {
  requireObject(opts, 'options');
  const now = opts.now === undefined ? Date.now() : toTime(opts.now, 'now');
  const args = {
    ...opts,
    envelope: toBytes(opts.envelope, 'envelope'),
    trustStore: normaliseTrustStore(opts.trustStore),
    crls: normaliseCrls(opts.crls),
    now,
  };
  return call('verifyEnvelope', args);
}

/**
 * Throws the outcome's error (as a `NotationError` subclass) unless `outcome.verified` is true;
 * returns the outcome otherwise.
 */
export function assertVerified(outcome) {
  if (outcome && outcome.verified === true) return outcome;
  const e = outcome && outcome.error;
  if (e && typeof e.code === 'string') throw errorFromResult(e);
  throw createError('ERR_SIGNATURE_INTEGRITY', 'nv2: signature verification failed');
}

function signArgs(opts) {
  const args = { ...opts };
  delete args.signer;
  delete args.key;
  // Registry credentials are resolved by registryArgs(); a callback must not reach wasm.
  delete args.credentials;
  // The core never reads a clock: the host's clock is captured here, once per signature.
  args.certChain = normaliseCertChain(opts.certChain);
  args.signingTime =
    opts.signingTime === undefined ? Date.now() : toTime(opts.signingTime, 'signingTime');
  if (opts.expiry !== undefined) args.expiry = toTime(opts.expiry, 'expiry');
  return args;
}

/**
 * Validates a trust policy document (notation's trustpolicy.json, version 1.0) and returns a
 * summary of its statements; throws PolicyError ERR_POLICY_INVALID with the reason otherwise.
 */
export function validateTrustPolicy(trustPolicy) {
  requireObject(trustPolicy, 'trustPolicy');
  return call('validateTrustPolicy', trustPolicy);
}

/**
 * Signs an OCI descriptor. Give either `key` (a PEM private key; it enters the wasm module) or
 * `signer` (`{ sign(bytes) }`, called with the bytes to be signed; the key stays in the host).
 * Resolves to the envelope, the signature manifest and descriptors.
 */
export async function signDescriptor(opts) {
  requireObject(opts, 'options');
  const hasKey = opts.key !== undefined;
  const hasSigner = opts.signer !== undefined;
  if (hasKey === hasSigner) {
    throw invalid('nv2: signDescriptor needs exactly one of `key` or `signer`');
  }
  if (hasKey) {
    if (typeof opts.key !== 'string') throw invalid('nv2: key must be a PEM string');
    return call('signDescriptor', { ...signArgs(opts), key: opts.key });
  }
  const signer = opts.signer;
  if (signer === null || typeof signer !== 'object' || typeof signer.sign !== 'function') {
    throw invalid('nv2: signer must be an object with a sign(bytes) method');
  }
  const pending = call('prepareSignature', signArgs(opts));
  try {
    let sig;
    try {
      sig = await signer.sign(pending.toBeSigned, {
        algorithm: pending.algorithm,
        keySpec: pending.keySpec,
        signatureFormat: pending.signatureFormat,
      });
    } catch (cause) {
      throw new SigningError(`nv2: the signer callback failed: ${cause?.message ?? cause}`, {
        code: 'ERR_SIGNING',
        cause,
      });
    }
    let bytes;
    try {
      bytes = toBytes(sig, 'the signature returned by signer.sign()');
    } catch (e) {
      throw new SigningError(e.message, { code: 'ERR_SIGNING' });
    }
    try {
      return pending.finish(bytes);
    } catch (e) {
      throw fromWasmError(e);
    }
  } finally {
    // finish() may consume the handle; freeing must never mask the real result.
    // (wasm-bindgen zeroes __wbg_ptr when a method takes the handle by value.)
    if (pending.__wbg_ptr) {
      try {
        pending.free();
      } catch {
        /* already consumed */
      }
    }
  }
}

/**
 * Low-level two-phase signing: returns the wasm `PendingSignature` handle (`toBeSigned`,
 * `algorithm`, `keySpec`, `finish(signature)`, `free()`). Prefer `signDescriptor({ signer })`.
 */
export function prepareSignature(opts) {
  requireObject(opts, 'options');
  const pending = call('prepareSignature', signArgs(opts));
  const finish = pending.finish.bind(pending);
  // Wrap finish so its errors become NotationError subclasses too.
  Object.defineProperty(pending, 'finish', {
    value: (signature) => {
      try {
        return finish(toBytes(signature, 'signature'));
      } catch (e) {
        throw fromWasmError(e);
      }
    },
  });
  return pending;
}

// ---------------------------------------------------------------------------------------------
// Registry API: everything goes through `fetch` (default globalThis.fetch, captured per call).

/** Resolves `credentials` (a map, or an async callback per registry) into a plain map. */
// The platform's streaming blob copy (Node: node-pipe.js); none in browsers.
let pipeFactory = null;
/** @internal Set by the Node entry point. */
export function _setPipeFactory(factory) {
  pipeFactory = factory;
}

async function registryArgs(references, opts = {}) {
  requireObject(opts, 'options');
  const refs = Array.isArray(references) ? references : [references];
  for (const reference of refs) {
    if (typeof reference !== 'string' || reference === '') {
      throw invalid('nv2: reference must be a non-empty string like "registry.example/repo:tag"');
    }
  }
  const args = { ...opts };
  delete args.credentials;
  delete args.signal;
  delete args.timeout;
  if (opts.fetch !== undefined && typeof opts.fetch !== 'function') {
    throw invalid('nv2: fetch must be a function');
  }
  // Deadlines (docs/api.md §Deadlines): checked here, computed and enforced by the wasm side.
  const timeout = normaliseTimeout(opts.timeout);
  if (timeout) args.timeout = timeout;
  if (opts.signal !== undefined) {
    // An AbortSignal stops every request of the operation (the wasm side sees an abort). It is
    // combined with each request's own signal, which the transport aborts on a deadline.
    if (opts.signal === null || typeof opts.signal.aborted !== 'boolean') {
      throw invalid('nv2: signal must be an AbortSignal');
    }
    args.fetch = withSignal(opts.fetch ?? globalThis.fetch, opts.signal);
  }
  let credentials = {};
  if (typeof opts.credentials === 'function') {
    for (const registry of new Set(refs.map((r) => r.split('/')[0]))) {
      const login = await opts.credentials(registry);
      if (login) credentials[registry] = login;
    }
  } else if (opts.credentials !== undefined && opts.credentials !== null) {
    requireObject(opts.credentials, 'credentials');
    credentials = opts.credentials;
  }
  for (const [host, login] of Object.entries(credentials)) {
    if (!login || typeof login.username !== 'string' || typeof login.password !== 'string') {
      throw invalid(`nv2: credentials for ${host} need string username and password`);
    }
  }
  args.credentials = credentials;
  return args;
}

/**
 * @internal The deadlines `timeout` gives an operation that moves `bytes` bytes, as
 * `{ firstByteMs, idleMs, operationMs }` (the core's rules), for the CLI's own requests.
 */
export function _deadlines(timeout, bytes = 0) {
  return call('deadlines', { timeout: normaliseTimeout(timeout) }, bytes);
}

async function callAsync(name, ...args) {
  const fn = raw(name);
  try {
    return await fn(...args);
  } catch (e) {
    throw fromWasmError(e);
  }
}

/**
 * Signs the artifact `reference` names and pushes the signature next to it (the artifact's
 * digest and tags never change). Give `key` (PEM) or `signer` (`{ sign(bytes, info) }`).
 */
export async function sign(reference, opts = {}) {
  const args = await registryArgs(reference, opts);
  const hasKey = opts.key !== undefined;
  const hasSigner = opts.signer !== undefined;
  if (hasKey === hasSigner) throw invalid('nv2: sign needs exactly one of `key` or `signer`');
  Object.assign(args, signArgs(opts));
  if (hasKey) {
    if (typeof opts.key !== 'string') throw invalid('nv2: key must be a PEM string');
    args.key = opts.key;
  } else {
    const signer = opts.signer;
    if (signer === null || typeof signer !== 'object' || typeof signer.sign !== 'function') {
      throw invalid('nv2: signer must be an object with a sign(bytes) method');
    }
    args.signer = async (bytes, info) => toBytes(await signer.sign(bytes, info), 'signature');
  }
  return callAsync('registrySign', reference, args);
}

/**
 * Verifies the artifact `reference` names against a trust policy and trust store, as
 * `notation verify` does: resolves the digest once, lists its signatures, stops at the first
 * that satisfies the policy. Network failures throw ERR_VERIFICATION_INCONCLUSIVE (or set
 * `inconclusive`), never "verified".
 */
export async function verify(reference, opts = {}) {
  const args = await registryArgs(reference, opts);
  args.now = opts.now === undefined ? Date.now() : toTime(opts.now, 'now');
  args.crls = normaliseCrls(opts.crls);
  Object.assign(args, revocationArgs(opts));
  return callAsync('registryVerify', reference, args);
}

/**
 * Attaches CRLs (PEM or DER) to the artifact `reference` names, as a revocation-data referrer
 * (docs/revocation.md): `copy` carries it with the signatures, and `verify` reads it when a
 * revocation status cannot be established otherwise (an isolated network).
 */
export async function attachRevocation(reference, opts = {}) {
  const args = await registryArgs(reference, opts);
  args.crls = normaliseCrls(opts.crls);
  if (!args.crls || args.crls.length === 0) throw invalid('nv2: attachRevocation needs `crls`');
  args.created = new Date(Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return callAsync('registryAttachRevocation', reference, args);
}

/** Bounds of one CRL download, as the wasm side's (src/revocation/material.rs). */
const CRL_DOWNLOAD_MS = 5_000;
const CRL_DOWNLOAD_BYTES = 32 * 1024 * 1024;

/** One bounded CRL download: 200, at most CRL_DOWNLOAD_BYTES, within CRL_DOWNLOAD_MS. */
async function downloadCrl(fetchFn, url) {
  const signal = AbortSignal.timeout(CRL_DOWNLOAD_MS);
  let res;
  try {
    res = await fetchFn(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw new Error(signal.aborted ? `deadline passed: waited ${CRL_DOWNLOAD_MS} ms` : (e?.cause?.code ?? e?.message ?? String(e)));
  }
  if (res.status !== 200) {
    res.body?.cancel().catch(() => {});
    throw new Error(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length'));
  if (declared > CRL_DOWNLOAD_BYTES) {
    res.body?.cancel().catch(() => {});
    throw new Error(`response larger than ${CRL_DOWNLOAD_BYTES} bytes`);
  }
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > CRL_DOWNLOAD_BYTES) throw new Error(`response larger than ${CRL_DOWNLOAD_BYTES} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    res.body?.cancel?.().catch?.(() => {});
    throw new Error(signal.aborted ? `deadline passed: waited ${CRL_DOWNLOAD_MS} ms` : e.message);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Downloads the CRLs at `urls` with verification's bounds (5 s and 32 MiB each, the delta CRL a
 * base names with it, through `fetch`; `revocationCache` answers while its entry is current):
 * one `{ url, crl?, delta?, error? }` per URL. Each download must parse as a CRL; nothing is
 * trusted until a verification checks it, and nothing is cached (only verification, which knows
 * the issuer, caches).
 */
export async function downloadCrls(urls, opts = {}) {
  requireObject(opts, 'options');
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) throw invalid('nv2: urls must be an array of strings');
  if (urls.length > 64) throw createError('ERR_LIMIT', 'nv2: more than 64 CRL URLs');
  if (opts.fetch !== undefined && typeof opts.fetch !== 'function') throw invalid('nv2: fetch must be a function');
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const { revocationCache } = revocationArgs(opts);
  const now = opts.now === undefined ? Date.now() : toTime(opts.now, 'now');
  const current = (bytes) => {
    try {
      const next = inspectCrl(bytes).nextUpdate;
      return next !== null && Date.parse(next) > now;
    } catch {
      return false;
    }
  };
  const one = async (url) => {
    if (!/^https?:\/\//.test(url)) return { url, error: 'not an HTTP(S) URL' };
    const cached = revocationCache?.get(url);
    if (cached?.baseCRL instanceof Uint8Array && current(cached.baseCRL) && (!cached.deltaCRL || current(cached.deltaCRL))) {
      return { url, crl: cached.baseCRL, ...(cached.deltaCRL ? { delta: cached.deltaCRL } : {}) };
    }
    try {
      const crl = await downloadCrl(fetchFn, url);
      const info = inspectCrl(crl);
      const deltaUrl = info.deltaUrls.find((u) => /^https?:\/\//.test(u));
      if (!deltaUrl) return { url, crl };
      try {
        return { url, crl, delta: await downloadCrl(fetchFn, deltaUrl) };
      } catch (e) {
        return { url, error: `delta CRL at ${deltaUrl}: ${e.message}` };
      }
    } catch (e) {
      return { url, error: e.message };
    }
  };
  const out = [];
  for (let i = 0; i < urls.length; i += 4) out.push(...(await Promise.all(urls.slice(i, i + 4).map(one))));
  return out;
}

/** Lists the Notary signatures of `reference` (Referrers API, or the referrers tag schema). */
export async function listSignatures(reference, opts = {}) {
  return callAsync('registryList', reference, await registryArgs(reference, opts));
}

/** Reads every signature of `reference` without trusting it (notation inspect). */
export async function inspect(reference, opts = {}) {
  return callAsync('registryInspect', reference, await registryArgs(reference, opts));
}

/**
 * Copies the artifact `source` names (manifest or multi-platform index) with all its blobs and,
 * unless `referrers: false`, its referrers graph (signatures, and signatures on signatures) to
 * `destination` (`registry/repo[:tag]`; without a tag the source's is used). Every digest is
 * preserved; blobs already there are skipped, blobs on the same registry are mounted, others
 * are streamed in chunks and checked against their digest on the way. Running it again after an
 * interruption finishes the copy.
 *
 * Options: registry options (`plainHttp`, `credentials` map or `(registry) => login`, `fetch`),
 * `concurrency` (blobs at once, default 4), `chunkSize` (bytes, default 8 MiB), `streamUploads`
 * (Node: stream each blob in one request, default true; false copies in ranged chunks), `signal`
 * (AbortSignal), `onProgress(event)` with events `{ type: 'plan' | 'blob-progress' | 'blob' |
 * 'manifest', ... }`.
 */
export async function copy(source, destination, opts = {}) {
  const args = await registryArgs([source, destination], opts);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw invalid('nv2: onProgress must be a function');
  }
  delete args.streamUploads;
  if (pipeFactory && opts.streamUploads !== false) {
    args.pipe = pipeFactory(opts.onProgress, { userFetch: opts.fetch, signal: opts.signal });
  }
  return callAsync('registryCopy', source, destination, args);
}

// ---------------------------------------------------------------------------------------------
// Blob signing (detached signatures, signature-specification.md §Blob Signatures): the blob is
// hashed in chunks inside wasm with the hash paired with the signing key, so a large file given as
// chunks is never held whole.

/** notation's media type for a blob when none is given. */
export const DEFAULT_BLOB_MEDIA_TYPE = 'application/octet-stream';
// Bytes handed to wasm per update(): bounds the wasm memory a large Uint8Array needs.
const BLOB_SLICE = 1 << 20;

/** The chunks of a blob: bytes, a Blob/File, a ReadableStream, or a (async) iterable of bytes. */
async function* blobChunks(blob) {
  if (blob instanceof Uint8Array || blob instanceof ArrayBuffer || ArrayBuffer.isView(blob)) {
    yield toBytes(blob, 'blob');
    return;
  }
  if (blob !== null && typeof blob === 'object') {
    if (typeof blob.stream === 'function' && typeof blob.size === 'number') blob = blob.stream();
    if (typeof blob.getReader === 'function' && !(Symbol.asyncIterator in blob)) {
      const reader = blob.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield toBytes(value, 'blob chunk');
        }
      } finally {
        reader.releaseLock();
      }
    }
    if (Symbol.asyncIterator in blob || Symbol.iterator in blob) {
      let i = 0;
      for await (const chunk of blob) yield toBytes(chunk, `blob chunk ${i++}`);
      return;
    }
  }
  throw invalid('nv2: blob must be a Uint8Array, a Blob, a ReadableStream or an (async) iterable of Uint8Array chunks');
}

/** The blob's descriptor `{ mediaType, digest, size }` under `algorithm`, hashed chunk by chunk. */
async function hashBlob(blob, algorithm, mediaType) {
  const Hasher = raw('BlobHasher');
  let hasher;
  try {
    hasher = new Hasher(algorithm);
  } catch (e) {
    throw fromWasmError(e);
  }
  try {
    for await (const chunk of blobChunks(blob)) {
      for (let at = 0; at < chunk.length; at += BLOB_SLICE) {
        hasher.update(chunk.subarray(at, at + BLOB_SLICE));
      }
    }
    try {
      return hasher.finish(mediaType);
    } catch (e) {
      throw fromWasmError(e);
    }
  } finally {
    if (hasher.__wbg_ptr) hasher.free();
  }
}

function blobMediaType(value, what) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(`nv2: ${what} must be a non-empty string`);
  return value;
}

/** The envelope media type of a signature: by `signatureFormat`, else by its first byte. */
function signatureMediaType(format, envelope) {
  if (format === undefined || format === null) {
    // A JWS envelope is a JSON object; a COSE_Sign1 envelope is CBOR (tag 18, 0xd2).
    const first = envelope.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
    return first === 0x7b ? 'application/jose+json' : 'application/cose';
  }
  if (format === 'jws') return 'application/jose+json';
  if (format === 'cose') return 'application/cose';
  throw createError('ERR_UNSUPPORTED_ENVELOPE', `nv2: signature format "${format}" is not supported (jws or cose)`);
}

/**
 * Signs a blob: a detached envelope whose payload is the blob's descriptor, JWS by default (the
 * `<file>.jws.sig` content) or COSE_Sign1 with `signatureFormat: 'cose'` (`<file>.cose.sig`).
 * `blob` is bytes, a Blob/File, a ReadableStream or an async iterable of chunks; give `key` (PEM)
 * or `signer` (`{ sign(bytes, info) }`) with `certChain`.
 * Resolves to `{ envelope, mediaType, descriptor }`.
 */
export async function signBlob(opts) {
  requireObject(opts, 'options');
  // Checked before the blob is read.
  signatureMediaType(opts.signatureFormat ?? 'jws', new Uint8Array(0));
  if (opts.blob === undefined || opts.blob === null) throw invalid('nv2: signBlob needs `blob`');
  if ((opts.key !== undefined) === (opts.signer !== undefined)) {
    throw invalid('nv2: signBlob needs exactly one of `key` or `signer`');
  }
  const mediaType = blobMediaType(opts.mediaType, 'mediaType') ?? DEFAULT_BLOB_MEDIA_TYPE;
  if (opts.certChain === undefined) throw invalid('nv2: signBlob needs `certChain`');
  const certChain = normaliseCertChain(opts.certChain);
  const algorithm = call('blobHashAlgorithm', { certChain });
  const descriptor = await hashBlob(opts.blob, algorithm, mediaType);
  const args = { ...opts, certChain, target: descriptor };
  for (const k of ['blob', 'mediaType']) delete args[k];
  const signed = await signDescriptor(args);
  const annotations = opts.annotations && Object.keys(opts.annotations).length ? opts.annotations : undefined;
  return {
    envelope: signed.envelope,
    mediaType: signed.mediaType,
    descriptor: annotations ? { ...descriptor, annotations: { ...annotations } } : descriptor,
  };
}

/**
 * Verifies a detached blob signature against a blob trust policy (trustpolicy.blob.json). The
 * statement is `policyName`, else the global one. `mediaType`, when given, must equal the signed
 * one. Returns the outcome (check `outcome.verified`); throws only for invalid inputs or when no
 * statement applies.
 */
export async function verifyBlob(opts) {
  requireObject(opts, 'options');
  if (opts.blob === undefined || opts.blob === null) throw invalid('nv2: verifyBlob needs `blob`');
  const envelope = toBytes(opts.signature, 'signature');
  const envelopeMediaType = signatureMediaType(opts.signatureFormat, envelope);
  requireObject(opts.trustPolicy, 'trustPolicy');
  const mediaType = blobMediaType(opts.mediaType, 'mediaType');
  const args = {
    envelope,
    mediaType: envelopeMediaType,
    blobMediaType: mediaType,
    trustPolicy: opts.trustPolicy,
    policyName: opts.policyName,
    trustStore: normaliseTrustStore(opts.trustStore),
    now: opts.now === undefined ? Date.now() : toTime(opts.now, 'now'),
    userMetadata: opts.userMetadata,
    crls: normaliseCrls(opts.crls),
    ...revocationArgs(opts),
  };
  if (opts.fetch !== undefined && typeof opts.fetch !== 'function') throw invalid('nv2: fetch must be a function');
  if (opts.fetch) args.fetch = opts.fetch;
  const timeout = normaliseTimeout(opts.timeout);
  if (timeout) args.timeout = timeout;
  if (args.policyName !== undefined && args.policyName !== null && typeof args.policyName !== 'string') {
    throw invalid('nv2: policyName must be a string');
  }
  // An invalid policy document is reported before the blob is read.
  call('validateBlobTrustPolicy', opts.trustPolicy);
  const algorithm = call('blobHashAlgorithm', { envelope, mediaType: envelopeMediaType });
  const d = await hashBlob(opts.blob, algorithm, DEFAULT_BLOB_MEDIA_TYPE);
  return callAsync('verifyBlob', { ...args, blobDigest: d.digest, blobSize: d.size });
}

/**
 * Reads a detached blob signature without trusting it (notation blob inspect): algorithm,
 * signed and unsigned attributes, certificates and the signed blob descriptor.
 */
export function inspectBlobSignature(signature, opts = {}) {
  requireObject(opts, 'options');
  const envelope = toBytes(signature, 'signature');
  return call('inspectBlobSignature', {
    envelope,
    mediaType: signatureMediaType(opts.signatureFormat, envelope),
  });
}

/**
 * Validates a blob trust policy document (trustpolicy.blob.json, version 1.0) and returns a
 * summary of its statements; throws PolicyError ERR_POLICY_INVALID with the reason otherwise.
 */
export function validateBlobTrustPolicy(trustPolicy) {
  requireObject(trustPolicy, 'trustPolicy');
  return call('validateBlobTrustPolicy', trustPolicy);
}
