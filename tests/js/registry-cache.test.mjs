// Independent registry requests run concurrently, and immutable content is reused by digest
// across calls (against the real CNCF distribution registry, Debian docker-registry).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry, pushImage } from './support/registry.mjs';

let reg;
before(async () => {
  reg = await startRegistry();
});
after(() => reg?.stop());

/** A fetch that records each request and the most requests in flight at once. */
function observedFetch() {
  const log = [];
  let inFlight = 0;
  const stats = { max: 0 };
  const f = async (url, init) => {
    log.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    inFlight += 1;
    stats.max = Math.max(stats.max, inFlight);
    try {
      return await fetch(url, init);
    } finally {
      inFlight -= 1;
    }
  };
  return { fetch: f, log, stats };
}

const signers = ['rsa2048', 'p384', 'p521', 'rsa3072', 'p256', 'rsa4096'].map((n) => pki.algorithms[n]);

test('inspect and verify fetch signatures concurrently and keep notation order', async () => {
  await pushImage(reg.url, 'conc/app', 'v1');
  const ref = `${reg.host}/conc/app:v1`;
  for (const s of signers) await nv2.sign(ref, { key: s.key, certChain: s.chain });

  const o = observedFetch();
  const ins = await nv2.inspect(ref, { fetch: o.fetch, cache: false });
  assert.equal(ins.signatures.length, 6);
  assert.ok(ins.signatures.every((s) => s.chain?.length >= 1));
  assert.ok(o.stats.max >= 2, `requests overlapped (max in flight ${o.stats.max})`);

  // Only the p256 signature (5th listed) is trusted: the ones before it are examined and fail,
  // the one after it is never reported.
  const listed = (await nv2.listSignatures(ref)).signatures.map((d) => d.digest);
  const v = await nv2.verify(ref, {
    trustPolicy: policy(),
    trustStore: { 'ca:test': [pki.algorithms.p256.root] },
    fetch: observedFetch().fetch,
    cache: false,
  });
  assert.equal(v.verified, true);
  const trustedAt = v.signatures.findIndex((s) => s.outcome?.verified);
  assert.equal(trustedAt, v.signatures.length - 1, 'the verified signature ends the search');
  assert.deepEqual(v.signatures.map((s) => s.descriptor.digest), listed.slice(0, v.signatures.length), 'listed order');
  assert.ok(v.signatures.slice(0, -1).every((s) => s.outcome && !s.outcome.verified));
});

test('a second verify reuses content by digest and the Referrers API answer', async () => {
  const image = await pushImage(reg.url, 'cache/app', 'v1');
  const ref = `${reg.host}/cache/app:v1`;
  const s = pki.algorithms.p256;
  const signed = await nv2.sign(ref, { key: s.key, certChain: s.chain });
  const opts = { trustPolicy: policy(), trustStore: { 'ca:test': [s.root] } };

  const cold = observedFetch();
  assert.equal((await nv2.verify(ref, { ...opts, fetch: cold.fetch, cache: false })).verified, true);
  const warm1 = observedFetch();
  assert.equal((await nv2.verify(ref, { ...opts, fetch: warm1.fetch })).verified, true);
  const warm2 = observedFetch();
  const again = await nv2.verify(ref, { ...opts, fetch: warm2.fetch });
  assert.equal(again.verified, true);
  assert.equal(again.digest, image.digest);

  const sigPaths = [`/v2/cache/app/manifests/${signed.manifestDescriptor.digest}`, `/v2/cache/app/blobs/${signed.signatureDescriptor.digest}`];
  assert.ok(sigPaths.every((p) => cold.log.includes(`GET ${p}`)), cold.log.join('\n'));
  assert.ok(!sigPaths.some((p) => warm2.log.includes(`GET ${p}`)), `no refetch: ${warm2.log.join('\n')}`);
  assert.ok(!warm2.log.some((l) => l.includes('/referrers/')), 'the Referrers API probe is not repeated');
  // The tag and the referrers index are mutable: always fetched.
  assert.ok(warm2.log.includes('GET /v2/cache/app/manifests/v1'));
  assert.ok(warm2.log.some((l) => l.includes(`/manifests/${image.digest.replace(':', '-')}`)));
  assert.ok(warm2.log.length < cold.log.length, `${warm2.log.length} < ${cold.log.length}`);

  // A new signature pushed since is seen at once (listings are never cached).
  await nv2.sign(ref, { key: pki.algorithms.p384.key, certChain: pki.algorithms.p384.chain });
  assert.equal((await nv2.listSignatures(ref)).signatures.length, 2);
});
