// Structural budgets through the installed package (docs/limits.md, issue 9): each adversarial
// input is refused with ERR_LIMIT and `details` `{ limit, max, found }` (CRLs: fail closed, the
// revocation status is unknown and names the budget), and after each the module still answers: a
// normal verifyEnvelope succeeds (no trap, no poisoned state).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKI_DIR, makeTarget, needs, pki } from './helpers.mjs';
import * as adv from './support/adversarial.mjs';

const skip = needs('signDescriptor', 'verifyEnvelope', 'inspectBlobSignature');
const p256 = pki.algorithms.p256;

function policy(extraStores = [], verifyTimestamp) {
  return {
    version: '1.0',
    trustPolicies: [
      {
        name: 'b',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict', ...(verifyTimestamp ? { verifyTimestamp } : {}) },
        trustStores: ['ca:b', ...extraStores],
        trustedIdentities: ['*'],
      },
    ],
  };
}

let signed;
async function normal() {
  if (!signed) {
    const target = makeTarget('budgets');
    signed = { target, envelope: (await nv2.signDescriptor({ target, key: p256.key, certChain: p256.chain })).envelope };
  }
  return signed;
}

function verifyNormal(extra = {}) {
  const { target, envelope } = signed;
  return nv2.verifyEnvelope({
    envelope,
    mediaType: 'application/jose+json',
    target,
    artifactReference: `registry.example/app@${target.digest}`,
    trustPolicy: policy(),
    trustStore: { 'ca:b': [p256.root] },
    ...extra,
  });
}

/** The module still answers after an adversarial input. */
async function stillAnswers() {
  await normal();
  const out = verifyNormal();
  assert.equal(out.verified, true, JSON.stringify(out.error));
}

function refused(fn, limit, max, foundAtLeast) {
  assert.throws(fn, (e) => {
    assert.equal(e.code, 'ERR_LIMIT', `${e.code}: ${e.message}`);
    assert.ok(e instanceof nv2.ParseError);
    assert.equal(e.details?.limit, limit, JSON.stringify(e.details));
    assert.equal(e.details.max, max);
    assert.ok(e.details.found > max && e.details.found >= foundAtLeast, JSON.stringify(e.details));
    return true;
  });
}

const inspect = (bytes) => () => nv2.inspectBlobSignature(bytes);

const cases = [
  ['cose.header.entries', () => adv.cose({ extra: adv.coseKeys(400_000) }), 1024, 2000],
  ['cose.crit.entries', () => adv.cose({ critExtra: adv.critLabels(100_000) }), 256, 500],
  ['cbor.items', () => adv.cose({ raw: Buffer.concat([Buffer.from([0xba, 0x00, 0x01, 0x00, 0x01]), Buffer.alloc(200_000)]) }), 65536, 65537],
  ['cbor.depth', () => adv.cose({ extra: adv.deepCbor(10_000) }), 64, 65],
  ['cbor.depth', () => adv.cose({ extra: adv.declaredCounts(4 << 20) }), 64, 65],
  ['jws.header.entries', () => adv.jws({ extra: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x${i}`, i])) }), 1024, 5000],
  ['jws.crit.entries', () => adv.jws({ critExtra: adv.jwsCrit(20_000) }), 256, 500],
  ['json.depth', () => adv.jws({ protectedJson: adv.deepJson(5000) }), 64, 65],
  ['envelope.chain.certificates', () => {
    const j = JSON.parse(adv.jws().toString());
    j.header.x5c = Array(11).fill(j.header.x5c[0]);
    return Buffer.from(JSON.stringify(j));
  }, 10, 11],
  ['x509.extensions', () => adv.jws({ cert: adv.certWithExtensions(20_000) }), 256, 20_000],
  ['x509.extensions', () => adv.cose({ cert: adv.certWithExtensions(20_000) }), 256, 20_000],
];

for (const [limit, build, max, found] of cases) {
  test(`${limit} is refused with ERR_LIMIT and details; the module still answers`, { skip }, async () => {
    refused(inspect(build()), limit, max, found);
    await stillAnswers();
  });
}

test('timestamp.signedAttributes: the authenticTimestamp check fails with ERR_LIMIT', { skip }, async () => {
  await normal();
  const envelope = adv.withTimestamp(signed.envelope, adv.tokenWithAttributes(5000));
  const out = verifyNormal({
    envelope,
    trustPolicy: policy(['tsa:t'], 'always'),
    trustStore: { 'ca:b': [p256.root], 'tsa:t': [p256.root] },
  });
  assert.equal(out.verified, false);
  const check = out.results.find((r) => r.type === 'authenticTimestamp');
  assert.equal(check?.error?.code, 'ERR_LIMIT', JSON.stringify(out.results));
  assert.deepEqual(check.error.details, { limit: 'timestamp.signedAttributes', max: 64, found: 65 });
  await stillAnswers();
});

test('CRL budgets: a CRL over a budget is no evidence (fail closed, the budget named)', { skip }, async () => {
  // The CRL PKI: a leaf naming a CRL distribution point, so revocation is checked.
  const c = pki.crl;
  const target = makeTarget('budgets-crl');
  const { envelope } = await nv2.signDescriptor({ target, key: c.key, certChain: c.chain });
  const good = new Uint8Array(readFileSync(join(PKI_DIR, c.crls.good.derFile)));
  const withCrls = (crls) =>
    verifyNormal({ envelope, target, artifactReference: `registry.example/app@${target.digest}`, trustStore: { 'ca:b': [c.root] }, crls });
  assert.equal(withCrls([good]).verified, true);
  // Beside the good CRL, one over a budget makes "good" impossible: inconclusive, budget named.
  const out = withCrls([good, adv.crl({ extensions: 1000 })]);
  assert.equal(out.verified, false);
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE', JSON.stringify(out.error));
  assert.match(out.error.message, /limit crl\.extensions exceeded: 1001 found, at most 256 accepted/);
  // Many entries are not a budget: a 100 000-entry CRL (another issuer's) is parsed, no evidence.
  assert.equal(withCrls([good, adv.crl({ entries: 100_000 })]).verified, true);
  await stillAnswers();
});

// Entries, not indexes (issue 9 item 4): a referrers tag index holding junk beside a real
// signature still verifies, and the skipped entries reach `result.warnings` (which the CLI
// prints). The junk is served by a minimal registry (distribution validates index entries on
// push, other registries need not), the signature comes from nv2.sign on the spec-following
// test registry.
test('a junk referrers tag-index entry is skipped with a warning; the signature still verifies', { skip }, async () => {
  const { createServer } = await import('node:http');
  const { startReferrersRegistry } = await import('./support/referrers-registry.mjs');
  const { pushImage } = await import('./support/registry.mjs');
  const src = await startReferrersRegistry();
  const servers = [src];
  try {
    const target = await pushImage(src.url, 'app/junk', 'v1');
    await nv2.sign(`${src.host}/app/junk@${target.digest}`, { key: p256.key, certChain: p256.chain });
    const get = async (path, accept) => Buffer.from(await (await fetch(`${src.url}${path}`, { headers: { Accept: accept } })).arrayBuffer());
    const INDEX = 'application/vnd.oci.image.index.v1+json';
    const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
    const listed = JSON.parse(await get(`/v2/app/junk/referrers/${target.digest}`, INDEX));
    const sig = listed.manifests[0];
    const sigManifest = await get(`/v2/app/junk/manifests/${sig.digest}`, MANIFEST);
    const layer = JSON.parse(sigManifest).layers[0];
    const envelope = await get(`/v2/app/junk/blobs/${layer.digest}`, '*/*');
    const image = await get(`/v2/app/junk/manifests/${target.digest}`, MANIFEST);
    const tagIndex = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: ['junk', { mediaType: 7 }, sig] }),
    );
    const tag = target.digest.replace(':', '-');
    const routes = new Map([
      [`/v2/app/junk/manifests/${tag}`, [INDEX, tagIndex]],
      [`/v2/app/junk/manifests/${target.digest}`, [MANIFEST, image]],
      [`/v2/app/junk/manifests/${sig.digest}`, [MANIFEST, sigManifest]],
      [`/v2/app/junk/blobs/${layer.digest}`, ['application/octet-stream', envelope]],
    ]);
    const junk = createServer((req, res) => {
      const hit = routes.get(new URL(req.url, 'http://x').pathname);
      if (!hit) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
      }
      res.writeHead(200, { 'content-type': hit[0], 'docker-content-digest': req.url.split('/').pop() });
      res.end(req.method === 'HEAD' ? undefined : hit[1]);
    });
    await new Promise((r) => junk.listen(0, '127.0.0.1', r));
    servers.push({ stop: () => junk.close() });
    const host = `127.0.0.1:${junk.address().port}`;
    const result = await nv2.verify(`${host}/app/junk@${target.digest}`, {
      trustPolicy: policy(),
      trustStore: { 'ca:b': [p256.root] },
    });
    assert.equal(result.verified, true, JSON.stringify(result));
    const skipped = result.warnings.filter((w) => /entry \d skipped/.test(w));
    assert.equal(skipped.length, 2, JSON.stringify(result.warnings));
    await stillAnswers();
  } finally {
    for (const s of servers) s.stop();
  }
});
