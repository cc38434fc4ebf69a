// (f) Error classes: hierarchy, stable codes, conversion of errors thrown by the wasm module.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import { buildJws, makeTarget, needs, pki, policy, refFor, storeOf, verifyWith } from './helpers.mjs';

const {
  NotationError,
  VerificationFailedError,
  VerificationInconclusiveError,
  PolicyError,
  TrustStoreError,
  ParseError,
  SigningError,
  RegistryError,
  ERROR_CODES,
} = nv2;

const EXPECTED_CLASS = {
  ERR_PARSE: ParseError,
  ERR_INVALID_ARGUMENT: ParseError,
  ERR_UNSUPPORTED_ENVELOPE: ParseError,
  ERR_UNSUPPORTED_ALGORITHM: ParseError,
  ERR_LIMIT: ParseError,
  ERR_POLICY_INVALID: PolicyError,
  ERR_NO_APPLICABLE_TRUST_POLICY: PolicyError,
  ERR_TRUST_STORE: TrustStoreError,
  ERR_SIGNATURE_INTEGRITY: VerificationFailedError,
  ERR_SIGNATURE_AUTHENTICITY: VerificationFailedError,
  ERR_UNTRUSTED_IDENTITY: VerificationFailedError,
  ERR_SIGNATURE_EXPIRED: VerificationFailedError,
  ERR_CERT_EXPIRED: VerificationFailedError,
  ERR_CERT_INVALID: VerificationFailedError,
  ERR_CERT_REVOKED: VerificationFailedError,
  ERR_DESCRIPTOR_MISMATCH: VerificationFailedError,
  ERR_USER_METADATA_MISMATCH: VerificationFailedError,
  ERR_VERIFICATION_PLUGIN: VerificationFailedError,
  ERR_TIMESTAMP: VerificationFailedError,
  ERR_VERIFICATION_INCONCLUSIVE: VerificationInconclusiveError,
  ERR_SIGNING: SigningError,
  ERR_INVALID_ANNOTATION: SigningError,
  ERR_NO_SIGNATURE: VerificationFailedError,
  ERR_REGISTRY_HTTP: RegistryError,
  ERR_REGISTRY_AUTH: RegistryError,
  ERR_DIGEST_MISMATCH: RegistryError,
  ERR_INSECURE_TRANSPORT: RegistryError,
  ERR_REFERRERS_INDEX: RegistryError,
};

test('ERROR_CODES lists the 28 stable codes, each once', () => {
  assert.equal(ERROR_CODES.length, 28);
  assert.equal(new Set(ERROR_CODES).size, 28);
  assert.deepEqual([...ERROR_CODES].sort(), Object.keys(EXPECTED_CLASS).sort());
  assert.ok(Object.isFrozen(ERROR_CODES));
});

test('every code maps to its class; instanceof, name, code, details, message', () => {
  for (const code of ERROR_CODES) {
    const e = nv2.createError(code, `msg for ${code}`, { details: { k: code } });
    assert.ok(e instanceof EXPECTED_CLASS[code], code);
    assert.ok(e instanceof NotationError);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code);
    assert.equal(e.name, EXPECTED_CLASS[code].name);
    assert.equal(e.message, `msg for ${code}`);
    assert.deepEqual(e.details, { k: code });
    assert.match(String(e.stack), new RegExp(`^${EXPECTED_CLASS[code].name}: msg for ${code}`));
  }
});

test('fromWasmError: JS Errors carrying a code become subclasses; message and cause kept', () => {
  const raw = Object.assign(new Error('policy "p" is bad'), {
    code: 'ERR_POLICY_INVALID',
    name: 'PolicyError',
    details: { statement: 'p' },
  });
  const e = nv2.fromWasmError(raw);
  assert.ok(e instanceof PolicyError);
  assert.equal(e.message, 'policy "p" is bad');
  assert.equal(e.code, 'ERR_POLICY_INVALID');
  assert.deepEqual(e.details, { statement: 'p' });
  assert.equal(e.cause, raw);
  // Unknown codes and plain errors pass through untouched.
  const other = Object.assign(new Error('x'), { code: 'ENOENT' });
  assert.equal(nv2.fromWasmError(other), other);
  const trap = new WebAssembly.RuntimeError('unreachable');
  assert.equal(nv2.fromWasmError(trap), trap);
  // Strings thrown by wasm-bindgen glue become NotationErrors.
  assert.ok(nv2.fromWasmError('boom') instanceof NotationError);
});

test('assertVerified throws the outcome error as a subclass', () => {
  const ok = { verified: true, results: [], warnings: [] };
  assert.equal(nv2.assertVerified(ok), ok);
  assert.throws(
    () =>
      nv2.assertVerified({
        verified: false,
        error: { code: 'ERR_SIGNATURE_EXPIRED', message: 'expired' },
      }),
    (e) => e instanceof VerificationFailedError && e.code === 'ERR_SIGNATURE_EXPIRED',
  );
  assert.throws(() => nv2.assertVerified({ verified: false }), VerificationFailedError);
});

// --- errors thrown by the real verifyEnvelope ---------------------------------------------------

const p256 = pki.algorithms.p256;
function envelope() {
  const target = makeTarget('errors');
  const { bytes } = buildJws({ alg: 'ES256', keyPem: p256.key, chainPem: p256.chain, target });
  return { bytes, target };
}

test('invalid trust policy throws PolicyError ERR_POLICY_INVALID', { skip: needs('verifyEnvelope') }, () => {
  const { bytes, target } = envelope();
  const bad = [
    { version: '2.0', trustPolicies: policy().trustPolicies },
    { version: '1.0', trustPolicies: [] },
    { version: '1.0', trustPolicies: [{ ...policy().trustPolicies[0], trustStores: ['bogus:x'] }] },
    {
      version: '1.0',
      trustPolicies: [{ ...policy().trustPolicies[0], signatureVerification: { level: 'lenient' } }],
    },
  ];
  for (const trustPolicy of bad) {
    assert.throws(
      () => verifyWith(nv2, bytes, target, { root: p256.root, trustPolicy }),
      (e) => e instanceof PolicyError && e.code === 'ERR_POLICY_INVALID' && e.message.length > 0,
      JSON.stringify(trustPolicy),
    );
  }
});

test('no applicable policy is ERR_NO_APPLICABLE_TRUST_POLICY', { skip: needs('verifyEnvelope') }, () => {
  const { bytes, target } = envelope();
  const trustPolicy = policy();
  trustPolicy.trustPolicies[0].registryScopes = ['registry.example/other/repo'];
  let code;
  try {
    const out = verifyWith(nv2, bytes, target, { root: p256.root, trustPolicy });
    assert.equal(out.verified, false);
    code = out.error?.code;
  } catch (e) {
    assert.ok(e instanceof PolicyError, String(e));
    code = e.code;
  }
  assert.equal(code, 'ERR_NO_APPLICABLE_TRUST_POLICY');
});

test('a malformed trust store throws TrustStoreError ERR_TRUST_STORE', { skip: needs('verifyEnvelope') }, () => {
  const { bytes, target } = envelope();
  for (const trustStore of [
    { 'ca:test': ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'] },
    { 'ca:test': [new Uint8Array([0x30, 0x03, 0x02, 0x01])] },
  ]) {
    assert.throws(
      () => verifyWith(nv2, bytes, target, { trustStore }),
      (e) => e instanceof TrustStoreError && e.code === 'ERR_TRUST_STORE',
    );
  }
});

test('an unparseable envelope is a ParseError or an integrity failure', { skip: needs('verifyEnvelope') }, () => {
  const target = makeTarget('garbage');
  try {
    const out = verifyWith(nv2, new TextEncoder().encode('{not json'), target, { root: p256.root });
    assert.equal(out.verified, false);
    assert.equal(out.results.find((r) => r.type === 'integrity')?.ok, false);
  } catch (e) {
    assert.ok(e instanceof ParseError, String(e));
    assert.equal(e.code, 'ERR_PARSE');
  }
});

test('an unsupported envelope media type is ERR_UNSUPPORTED_ENVELOPE', { skip: needs('verifyEnvelope') }, () => {
  const { bytes, target } = envelope();
  let code;
  try {
    const out = nv2.verifyEnvelope({
      envelope: bytes,
      mediaType: 'application/x-unknown',
      target,
      artifactReference: refFor(target),
      trustPolicy: policy(),
      trustStore: storeOf(p256.root),
    });
    assert.equal(out.verified, false);
    code = out.error?.code;
  } catch (e) {
    assert.ok(e instanceof ParseError, String(e));
    code = e.code;
  }
  assert.equal(code, 'ERR_UNSUPPORTED_ENVELOPE');
});

test('signing with a malformed key throws a NotationError subclass', { skip: needs('signDescriptor') }, async () => {
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), key: 'not a key', certChain: p256.chain }),
    (e) => e instanceof NotationError && ['ERR_PARSE', 'ERR_SIGNING'].includes(e.code),
  );
  // A key that does not match the leaf certificate.
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), key: pki.algorithms.p384.key, certChain: p256.chain }),
    (e) => e instanceof NotationError && ['ERR_SIGNING', 'ERR_UNSUPPORTED_ALGORITHM'].includes(e.code),
  );
});

test('reserved annotation prefix is refused with SigningError ERR_INVALID_ANNOTATION', { skip: needs('signDescriptor') }, async () => {
  await assert.rejects(
    nv2.signDescriptor({
      target: makeTarget(),
      key: p256.key,
      certChain: p256.chain,
      annotations: { 'io.cncf.notary.custom': 'x' },
    }),
    (e) => e instanceof SigningError && e.code === 'ERR_INVALID_ANNOTATION',
  );
});
