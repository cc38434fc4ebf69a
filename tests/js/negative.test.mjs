// (e) Negative cases: each asserts which check fails and what that means at strict, permissive
// and audit (trust-store-trust-policy.md §Signature Verification details, §Signature Verification).
// Envelopes are built with node:crypto (helpers.buildJws), so the failures are exactly the ones
// constructed here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import {
  LEVELS,
  b64url,
  buildJws,
  fromB64url,
  makeTarget,
  needs,
  pki,
  resultOf,
  show,
  storeOf,
  verifyWith,
} from './helpers.mjs';

const skip = needs('verifyEnvelope');
const p256 = pki.algorithms.p256;
const ACTION = {
  // level → check → action (trust-store-trust-policy.md §Trust Policy)
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log' },
};
// Codes an integrity failure may carry (the core may be more specific than "integrity").
const INTEGRITY_CODES = [
  'ERR_SIGNATURE_INTEGRITY',
  'ERR_PARSE',
  'ERR_UNSUPPORTED_ALGORITHM',
  'ERR_CERT_INVALID',
];

/**
 * Asserts that `check` fails at every level with `codes`; the verdict follows the level table:
 * enforce → verified false with outcome.error = the check's error; log → verified true with a
 * warning. `allowThrow`: structural breakage may also surface as a thrown ParseError.
 */
function expectCheckFailure({ check, codes, envelope, target, allowThrow = false, ...o }) {
  for (const level of LEVELS) {
    let out;
    try {
      out = verifyWith(nv2, envelope, target, { level, ...o });
    } catch (e) {
      if (!allowThrow) throw e;
      assert.ok(e instanceof nv2.NotationError, `${level}: threw a non-nv2 error: ${e}`);
      assert.ok(codes.includes(e.code), `${level}: threw ${e.code}, want one of ${codes}`);
      continue;
    }
    const r = resultOf(out, check);
    assert.ok(r, `${level}: no ${check} result: ${show(out)}`);
    assert.equal(r.ok, false, `${level}: ${check} should fail: ${show(out)}`);
    assert.equal(r.action, ACTION[level][check], `${level}: action: ${show(out)}`);
    assert.ok(codes.includes(r.error?.code), `${level}: code ${r.error?.code} not in ${codes}: ${show(out)}`);
    assert.equal(typeof r.error.message, 'string');
    if (r.action === 'enforce') {
      assert.equal(out.verified, false, `${level}: ${show(out)}`);
      assert.equal(out.error?.code, r.error.code, `${level}: outcome.error: ${show(out)}`);
      assert.throws(() => nv2.assertVerified(out), (e) => e instanceof nv2.NotationError && e.code === r.error.code);
    } else {
      assert.equal(out.verified, true, `${level}: a logged failure must not fail verification: ${show(out)}`);
      assert.ok(out.warnings.length > 0, `${level}: logged failure must produce a warning: ${show(out)}`);
    }
  }
}

function jws(o = {}) {
  const a = o.entry ?? p256;
  const target = o.target ?? makeTarget('neg');
  const { bytes } = buildJws({ alg: o.alg ?? a.alg ?? 'ES256', keyPem: a.key, chainPem: a.chain, target, ...o });
  return { envelope: bytes, target, root: o.root ?? a.root };
}

// --- integrity (enforced at every level) ---------------------------------------------------------

test('(e) tampered payload → integrity ERR_SIGNATURE_INTEGRITY at every level', { skip }, () => {
  const target = makeTarget('tamper-payload');
  const c = jws({
    target,
    after: (p) => {
      const pl = JSON.parse(fromB64url(p.payload));
      pl.targetArtifact.size += 1;
      p.payload = b64url(JSON.stringify(pl));
    },
  });
  expectCheckFailure({ check: 'integrity', codes: ['ERR_SIGNATURE_INTEGRITY'], ...c });
});

test('(e) tampered protected header → integrity failure at every level', { skip }, () => {
  const c = jws({
    after: (p) => {
      const h = JSON.parse(fromB64url(p.protected));
      h['io.cncf.notary.signingTime'] = '2020-01-01T00:00:00Z';
      p.protected = b64url(JSON.stringify(h));
    },
  });
  expectCheckFailure({ check: 'integrity', codes: ['ERR_SIGNATURE_INTEGRITY'], ...c });
});

test('(e) flipped signature bit → integrity failure', { skip }, () => {
  const c = jws({
    after: (p) => {
      const s = fromB64url(p.signature);
      s[5] ^= 0x40;
      p.signature = b64url(s);
    },
  });
  expectCheckFailure({ check: 'integrity', codes: ['ERR_SIGNATURE_INTEGRITY'], ...c });
});

test('(e) alg "none" with an empty signature → integrity failure', { skip }, () => {
  const c = jws({ header: { alg: 'none' }, after: (p) => { p.signature = ''; } });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) alg mismatch: header ES384 on a P-256 key (signed with ES256) → integrity', { skip }, () => {
  const c = jws({ header: { alg: 'ES384' }, signAlg: 'ES256' });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) alg mismatch: header PS256 with an EC leaf → integrity', { skip }, () => {
  const c = jws({ header: { alg: 'PS256' }, signAlg: 'ES256' });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) unknown critical header → integrity failure (signature-envelope-jws.md §Protected Headers, docs/conformance.md §D1)', { skip }, () => {
  const c = jws({
    header: { 'io.example.unknown': 'x' },
    crit: ['io.cncf.notary.signingScheme', 'io.example.unknown'],
  });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) crit missing the signing scheme → integrity failure', { skip }, () => {
  const c = jws({ crit: ['io.cncf.notary.expiry'], expiry: Date.now() + 3600_000 });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) base64url padding on the signature → integrity failure (signature-envelope-jws.md §Signature Envelope)', { skip }, () => {
  // A P-256 r||s signature is 64 bytes → 86 base64url chars + "==" when padded.
  const c = jws({ after: (p) => { p.signature += '=='; } });
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, ...c });
});

test('(e) base64url padding on the protected header → integrity failure', { skip }, () => {
  // Pad the protected header (signed over the padded form, so only the padding rule can reject it).
  const { key, chain, root } = p256;
  const target = makeTarget('pad-protected');
  let padded;
  for (let i = 0; i < 3 && !padded; i++) {
    const b = buildJws({
      alg: 'ES256', keyPem: key, chainPem: chain, target,
      header: { 'io.example.pad': 'x'.repeat(i) },
      crit: ['io.cncf.notary.signingScheme'],
    });
    if (Buffer.from(JSON.stringify(b.protectedHeader)).length % 3 !== 0) padded = b;
  }
  const env = JSON.parse(Buffer.from(padded.bytes).toString());
  env.protected = Buffer.from(fromB64url(env.protected)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  assert.match(env.protected, /=$/);
  const envelope = new TextEncoder().encode(JSON.stringify(env));
  expectCheckFailure({ check: 'integrity', codes: INTEGRITY_CODES, allowThrow: true, envelope, target, root });
});

// --- certificate profile (integrity: never downgradable, signature-specification.md §Certificate
// Requirements / docs/conformance.md §D4) --------------------------

for (const [label, key, codes] of [
  ['serverAuth EKU leaf', 'serverAuthEku', ['ERR_CERT_INVALID', 'ERR_SIGNATURE_INTEGRITY']],
  ['CA:true as leaf', 'leafIsCa', ['ERR_CERT_INVALID', 'ERR_SIGNATURE_INTEGRITY']],
  ['leaf with keyCertSign', 'keyCertSign', ['ERR_CERT_INVALID', 'ERR_SIGNATURE_INTEGRITY']],
  ['leaf without keyUsage', 'noKeyUsage', ['ERR_CERT_INVALID', 'ERR_SIGNATURE_INTEGRITY']],
  ['RSA-1024 leaf', 'rsa1024', ['ERR_UNSUPPORTED_ALGORITHM', 'ERR_CERT_INVALID', 'ERR_SIGNATURE_INTEGRITY']],
]) {
  test(`(e) ${label} → integrity failure at every level`, { skip }, () => {
    const n = pki.negatives[key];
    const c = jws({ entry: n, alg: n.alg });
    expectCheckFailure({ check: 'integrity', codes, allowThrow: true, ...c });
  });
}

// --- validity at verification time (authenticTimestamp: enforce / log / log) ----------------------

test('(e) expired leaf → authenticTimestamp ERR_CERT_EXPIRED (strict fails; permissive/audit log)', { skip }, () => {
  const c = jws({ entry: pki.negatives.expired, signingTime: Date.now() - 10 * 86_400_000 });
  expectCheckFailure({ check: 'authenticTimestamp', codes: ['ERR_CERT_EXPIRED'], ...c });
});

test('(e) not-yet-valid leaf → authenticTimestamp failure (strict fails; permissive/audit log)', { skip }, () => {
  const c = jws({ entry: pki.negatives.notYetValid });
  expectCheckFailure({ check: 'authenticTimestamp', codes: ['ERR_CERT_EXPIRED', 'ERR_CERT_INVALID'], ...c });
});

// --- authenticity (enforce / enforce / log) --------------------------------------------------------

test('(e) chain to an untrusted root → authenticity ERR_SIGNATURE_AUTHENTICITY (audit logs)', { skip }, () => {
  const c = jws({ entry: pki.untrusted, root: p256.root });
  expectCheckFailure({ check: 'authenticity', codes: ['ERR_SIGNATURE_AUTHENTICITY'], ...c });
});

test('(e) trusted identity mismatch → authenticity ERR_UNTRUSTED_IDENTITY (audit logs)', { skip }, () => {
  const c = jws({ entry: pki.identity });
  expectCheckFailure({
    check: 'authenticity',
    codes: ['ERR_UNTRUSTED_IDENTITY'],
    identities: ['x509.subject: C=US, ST=WA, O=other-org'],
    ...c,
  });
  // Same signature with the right identity passes: the mismatch is the only fault.
  const ok = verifyWith(nv2, c.envelope, c.target, { root: c.root, identities: [pki.identity.trustedIdentity] });
  assert.equal(ok.verified, true, show(ok));
});

// --- expiry (enforce / log / log) ------------------------------------------------------------------

test('(e) signature expiry passed → expiry ERR_SIGNATURE_EXPIRED (permissive/audit log)', { skip }, () => {
  const now = Date.now();
  const c = jws({ signingTime: now - 2 * 3600_000, expiry: now - 3600_000 });
  expectCheckFailure({ check: 'expiry', codes: ['ERR_SIGNATURE_EXPIRED'], ...c });
  // With `now` before the expiry the same envelope verifies.
  const ok = verifyWith(nv2, c.envelope, c.target, { root: c.root, now: new Date(now - 90 * 60_000) });
  assert.equal(ok.verified, true, show(ok));
});

// --- always fatal: target descriptor and user metadata ---------------------------------------------

test('(e) target mismatch → ERR_DESCRIPTOR_MISMATCH at every level', { skip }, () => {
  const c = jws();
  for (const verifyTarget of [
    { ...c.target, digest: makeTarget('other').digest },
    { ...c.target, size: c.target.size + 1 },
    { ...c.target, mediaType: 'application/vnd.oci.image.index.v1+json' },
  ]) {
    for (const level of LEVELS) {
      const out = verifyWith(nv2, c.envelope, c.target, { root: c.root, level, verifyTarget });
      assert.equal(out.verified, false, `${level}: ${show(out)}`);
      assert.equal(out.error?.code, 'ERR_DESCRIPTOR_MISMATCH', `${level}: ${show(out)}`);
      assert.throws(() => nv2.assertVerified(out), nv2.VerificationFailedError);
    }
  }
});

test('(e) user metadata not in the signature → ERR_USER_METADATA_MISMATCH', { skip }, () => {
  const target = makeTarget('meta');
  const c = jws({ target, payload: { targetArtifact: { ...target, annotations: { team: 'a' } } } });
  for (const level of LEVELS) {
    const out = verifyWith(nv2, c.envelope, target, { root: c.root, level, userMetadata: { team: 'b' } });
    assert.equal(out.verified, false, show(out));
    assert.equal(out.error?.code, 'ERR_USER_METADATA_MISMATCH', show(out));
  }
  const ok = verifyWith(nv2, c.envelope, target, { root: c.root, userMetadata: { team: 'a' } });
  assert.equal(ok.verified, true, show(ok));
});

// --- skip level ------------------------------------------------------------------------------------

test('(e) level skip: nothing is enforced', { skip }, () => {
  const c = jws({ after: (p) => { p.signature = p.signature.slice(0, -4) + 'AAAA'; } });
  const out = verifyWith(nv2, c.envelope, c.target, { trustPolicy: {
    version: '1.0',
    trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'skip' } }],
  }, trustStore: storeOf(c.root) });
  assert.equal(out.verificationLevel, 'skip');
  assert.ok(out.results.every((r) => r.action === 'skip'), show(out));
});
