// The Referrers API path (distribution-spec 1.1), against the small spec-following test registry
// in support/referrers-registry.mjs — the one stand-in in these tests, used only because no
// registry available here implements that API. Registries without it are tested against the real
// CNCF distribution registry (registry.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { pushImage, pushBlob } from './support/registry.mjs';
import { startReferrersRegistry } from './support/referrers-registry.mjs';

const signers = [pki.algorithms.p256, pki.algorithms.p384, pki.algorithms.rsa2048];
let reg;
before(async () => {
  reg = await startReferrersRegistry({ pageSize: 2 });
});
after(() => reg?.stop());

test('signatures are pushed with OCI-Subject (no tag schema) and listed through paged referrers', async () => {
  const target = await pushImage(reg.url, 'app/api', 'v1');
  const ref = `${reg.host}/app/api@${target.digest}`;
  // Another kind of referrer (an SBOM) must be filtered out, never fetched as a signature.
  const empty = await pushBlob(reg.url, 'app/api', Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const sbomLayer = await pushBlob(reg.url, 'app/api', crypto.randomBytes(64), 'application/spdx+json');
  const sbom = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/spdx+json',
    config: empty,
    layers: [sbomLayer],
    subject: target,
  }));
  const put = await fetch(`${reg.url}/v2/app/api/manifests/sbom`, {
    method: 'PUT',
    body: sbom,
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(put.status, 201);

  for (const s of signers) {
    const pushed = await nv2.sign(ref, { key: s.key, certChain: s.chain });
    assert.equal(pushed.referrersIndexUpdated, false, 'the registry answered OCI-Subject');
  }
  assert.ok(
    !reg.requests.some((r) => r.startsWith('PUT') && /manifests\/sha256-/.test(r)),
    'no referrers tag index written',
  );

  const list = await nv2.listSignatures(ref);
  assert.equal(list.viaTagSchema, false);
  assert.equal(list.signatures.length, 3, 'three signatures over two pages');
  assert.ok(list.signatures.every((d) => d.artifactType === 'application/vnd.cncf.notary.signature'));
  const referrerCalls = reg.requests.filter((r) => r.includes('/referrers/'));
  assert.ok(referrerCalls.length >= 2, 'the Link to page 2 was followed');

  for (const s of signers) {
    const r = await nv2.verify(ref, { trustPolicy: policy(), trustStore: { 'ca:test': [s.root] } });
    assert.equal(r.verified, true, JSON.stringify(r.signatures.map((x) => x.error ?? x.outcome?.error)));
  }
  // The SBOM layer is never downloaded.
  assert.ok(!reg.requests.some((r) => r.includes(sbomLayer.digest)));
});
