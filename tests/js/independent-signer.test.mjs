// (c) Envelopes built in the test with node:crypto only (no nv2 code) verify with nv2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import {
  ALG_NAMES,
  buildJws,
  makeTarget,
  needs,
  pemToDers,
  pki,
  resultOf,
  sha256hex,
  show,
  storeOf,
  verifyWith,
} from './helpers.mjs';

const skip = needs('verifyEnvelope');

for (const name of ALG_NAMES) {
  const a = pki.algorithms[name];
  test(`(c) ${name} ${a.alg}: node:crypto JWS → nv2 verify`, { skip }, () => {
    const target = makeTarget(`indep-${name}`);
    const signingTime = Date.now() - 120_000;
    const { bytes } = buildJws({ alg: a.alg, keyPem: a.key, chainPem: a.chain, target, signingTime });
    for (const level of ['strict', 'permissive', 'audit']) {
      const out = verifyWith(nv2, bytes, target, { root: a.root, level });
      assert.equal(out.verified, true, `${level}: ${show(out)}`);
      assert.equal(out.verificationLevel, level);
      assert.ok(out.results.every((r) => r.ok || r.type === 'revocation'), show(out));
      assert.deepEqual(out.warnings, [], show(out));
    }
    const out = verifyWith(nv2, bytes, target, { root: a.root });
    assert.equal(out.algorithm, a.alg);
    assert.equal(out.signingScheme, 'notary.x509');
    assert.equal(Date.parse(out.signingTime), Math.floor(signingTime / 1000) * 1000);
    assert.equal(out.expiry ?? null, null);
    assert.deepEqual(out.signer.thumbprints.map((t) => t.toLowerCase()), pemToDers(a.chain).map(sha256hex));
    assert.equal(out.targetArtifact.digest, target.digest);
  });
}

test('(c) with a future expiry (critical) and an extra unprotected member', { skip }, () => {
  const a = pki.algorithms.p256;
  const target = makeTarget('indep-expiry');
  const expiry = Date.now() + 3600_000;
  const { bytes } = buildJws({
    alg: 'ES256',
    keyPem: a.key,
    chainPem: a.chain,
    target,
    expiry,
    unprotected: { 'x-unknown-unprotected': 'ignored' },
  });
  const out = verifyWith(nv2, bytes, target, { root: a.root });
  assert.equal(out.verified, true, show(out));
  assert.equal(Date.parse(out.expiry), Math.floor(expiry / 1000) * 1000);
  assert.equal(resultOf(out, 'expiry').ok, true);
});

test('(c) signing time with fractional seconds and an offset is accepted (signature-envelope-jws.md §Protected Headers)', { skip }, () => {
  const a = pki.algorithms.p256;
  const target = makeTarget('indep-offset');
  const { bytes } = buildJws({
    alg: 'ES256',
    keyPem: a.key,
    chainPem: a.chain,
    target,
    header: { 'io.cncf.notary.signingTime': '2026-01-02T03:04:05.25+08:00' },
  });
  const out = verifyWith(nv2, bytes, target, { root: a.root });
  assert.equal(out.verified, true, show(out));
  assert.equal(Date.parse(out.signingTime), Date.parse('2026-01-01T19:04:05.25Z'));
});

test('(c) 3-level chain verifies against its root, and against a pinned intermediate', { skip }, () => {
  const c = pki.chain3;
  const target = makeTarget('chain3');
  const { bytes } = buildJws({ alg: 'ES256', keyPem: c.key, chainPem: c.chain, target });
  assert.equal(pemToDers(c.chain).length, 3);
  const out = verifyWith(nv2, bytes, target, { root: c.root });
  assert.equal(out.verified, true, show(out));
  assert.equal(out.signer.chain.length, 3);
  // Authenticity is "any chain certificate equals a trusted certificate"
  // (trust-store-trust-policy.md §Signature Verification step "Validate Authenticity").
  const pinned = verifyWith(nv2, bytes, target, { trustStore: storeOf(c.intermediateEntry.cert) });
  assert.equal(pinned.verified, true, show(pinned));
});

test('(c) trusted identity: exact subject and a subset of its attributes match', { skip }, () => {
  const id = pki.identity;
  const target = makeTarget('identity');
  const { bytes } = buildJws({ alg: 'ES256', keyPem: id.key, chainPem: id.chain, target });
  for (const identities of [
    [id.trustedIdentity],
    ['x509.subject: C=US, ST=WA, O=acme'],
    ['x509.subject: C=US, ST=WA, O=other', 'x509.subject: C=US, ST=WA, O=acme, CN=signer'],
  ]) {
    const out = verifyWith(nv2, bytes, target, { root: id.root, identities });
    assert.equal(out.verified, true, `${identities}: ${show(out)}`);
  }
});

test('(c) two trust stores listed, the right one wins; a store of another type does not count', { skip }, () => {
  const a = pki.algorithms.p521;
  const target = makeTarget('stores');
  const { bytes } = buildJws({ alg: 'ES512', keyPem: a.key, chainPem: a.chain, target });
  const trustStore = { 'ca:a': [pki.algorithms.p256.root], 'ca:b': [a.root], 'signingAuthority:s': [a.root] };
  const both = verifyWith(nv2, bytes, target, { trustStore, stores: ['ca:a', 'ca:b'] });
  assert.equal(both.verified, true, show(both));
  const onlyA = verifyWith(nv2, bytes, target, { trustStore, stores: ['ca:a', 'signingAuthority:s'] });
  assert.equal(onlyA.verified, false, show(onlyA));
  assert.equal(resultOf(onlyA, 'authenticity').ok, false);
});
