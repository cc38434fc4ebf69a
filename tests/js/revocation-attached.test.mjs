// Revocation data that travels with the artifact (docs/revocation.md §Air-gapped networks): CRLs
// attached as a referrer with attachRevocation, carried by copy to a second registry, and read by
// verify there when nothing else can establish the status. The leaf (tests/gen/make_pki.py "crl")
// names http://crl.nv2.test/root.crl, which does not resolve: every run here is as isolated as an
// air-gapped network. Both registries are the real CNCF distribution registry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as nv2 from 'nv2';
import { pki, show } from './helpers.mjs';
import { pushImage, startRegistry } from './support/registry.mjs';

const c = pki.crl;
let src;
let dst;
before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
});
after(() => Promise.all([src?.stop(), dst?.stop()]));

const trust = (level = 'strict') => ({
  trustPolicy: {
    version: '1.0',
    trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:crl'], trustedIdentities: ['*'] }],
  },
  trustStore: { 'ca:crl': [c.root] },
  revocationCache: false,
});

async function signedImage(reg, repo) {
  await pushImage(reg.url, repo, 'v1');
  const ref = `${reg.host}/${repo}:v1`;
  const signed = await nv2.sign(ref, { key: c.key, certChain: c.chain });
  return `${reg.host}/${repo}@${signed.digest}`;
}

const revocationResult = (v) => v.signatures.at(-1)?.outcome?.results?.find((r) => r.type === 'revocation');

test('no CRL anywhere: revocation unknown, inconclusive, whether offline or not (the DP does not resolve)', async () => {
  const ref = await signedImage(src, 'rev/none');
  for (const offline of [true, false]) {
    const v = await nv2.verify(ref, { ...trust(), offline });
    assert.equal(v.verified, false, show(v));
    const r = revocationResult(v);
    assert.equal(r?.ok, false, show(v));
    assert.equal(r.error.code, 'ERR_VERIFICATION_INCONCLUSIVE', show(v));
    assert.match(r.error.message, /nv2 test crl leaf/);
    assert.match(r.error.message, offline ? /not downloaded \(offline\)/ : /CRL at http:\/\/crl\.nv2\.test\/root\.crl: /);
  }
});

test('attached CRL: verify offline reads it (good), in the source and after copy to a second registry', async () => {
  const ref = await signedImage(src, 'rev/good');
  const attached = await nv2.attachRevocation(ref, { crls: [c.crls.good.pem] });
  assert.equal(attached.crls, 1);
  assert.equal(attached.subject, ref.split('@')[1]);
  assert.match(attached.digest, /^sha256:[0-9a-f]{64}$/);
  const v = await nv2.verify(ref, { ...trust(), offline: true });
  assert.equal(v.verified, true, show(v));
  assert.equal(revocationResult(v).ok, true, show(v));

  // copy carries the revocation data like any referrer; verified there with nothing else at hand.
  const report = await nv2.copy(ref, `${dst.host}/isolated/app`);
  assert.ok(report, 'copied');
  const there = `${dst.host}/isolated/app@${ref.split('@')[1]}`;
  const v2 = await nv2.verify(there, { ...trust(), offline: true });
  assert.equal(v2.verified, true, show(v2));
  // A lower bar is no stand-in: without the attachment the copy would be unknown (first test).
});

test('attached CRL that lists the leaf: revoked; stale or wrongly signed attached CRLs never make it good', async () => {
  const ref = await signedImage(src, 'rev/revoked');
  await nv2.attachRevocation(ref, { crls: [c.crls.revoked.pem] });
  const v = await nv2.verify(ref, { ...trust(), offline: true });
  assert.equal(v.verified, false, show(v));
  assert.equal(revocationResult(v).error.code, 'ERR_CERT_REVOKED', show(v));

  for (const bad of ['stale', 'wrongKey']) {
    const r = await signedImage(src, `rev/${bad.toLowerCase()}`);
    await nv2.attachRevocation(r, { crls: [c.crls[bad].pem] });
    const out = await nv2.verify(r, { ...trust(), offline: true });
    assert.equal(out.verified, false, `${bad}: ${show(out)}`);
    assert.equal(revocationResult(out).error.code, 'ERR_VERIFICATION_INCONCLUSIVE', `${bad}: ${show(out)}`);
  }
  // permissive logs the unknown status: verified, with the failed check recorded.
  const r = await signedImage(src, 'rev/permissive');
  const p = await nv2.verify(r, { ...trust('permissive'), offline: true });
  assert.equal(p.verified, true, show(p));
  assert.equal(revocationResult(p).ok, false);
});

test('attachRevocation refuses what is not a CRL, and nothing is attached', async () => {
  const ref = await signedImage(src, 'rev/refuse');
  await assert.rejects(nv2.attachRevocation(ref, { crls: [c.root] }), (e) => e.code === 'ERR_PARSE', 'a certificate is not a CRL');
  await assert.rejects(nv2.attachRevocation(ref, { crls: [] }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  const v = await nv2.verify(ref, { ...trust(), offline: true });
  assert.equal(revocationResult(v).error.code, 'ERR_VERIFICATION_INCONCLUSIVE', show(v));
});
