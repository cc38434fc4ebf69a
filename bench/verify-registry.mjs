// Benchmark (not a test): verifying 1, 10 and 100 signed tags in a local CNCF distribution
// registry with nv2's registry API, against the bare fetches a verifier cannot avoid, measured in
// the same run on the same registry.
//
// The unavoidable fetches per tag, for a registry without the Referrers API: the manifest (to
// hash it), the referrers tag index, the signature manifest and the envelope blob. The baseline
// issues exactly those four GETs with plain `fetch` and does no verification at all; nv2 does them
// plus parsing, digest checks, the Referrers API probe and verification.
//
// Usage: node bench/verify-registry.mjs [--pkg pkg] [--pki tests/.work/pki] [--counts 1,10,100]
// (`make bench` builds the package and the test PKI first.)
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRegistry, pushImage } from '../tests/js/support/registry.mjs';

const { values: args } = parseArgs({
  options: {
    pkg: { type: 'string', default: 'pkg' },
    pki: { type: 'string', default: 'tests/.work/pki' },
    counts: { type: 'string', default: '1,10,100' },
  },
});
const nv2 = await import(pathToFileURL(resolve(args.pkg, 'node.js')).href);
const pki = JSON.parse(readFileSync(join(resolve(args.pki), 'index.json'), 'utf8'));
const alg = pki.algorithms.p256;
const trustPolicy = {
  version: '1.0',
  trustPolicies: [{ name: 'bench', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:bench'], trustedIdentities: ['*'] }],
};
const trustStore = { 'ca:bench': [alg.root] };
const counts = args.counts.split(',').map(Number);
const max = Math.max(...counts);

const reg = await startRegistry();
try {
  const refs = [];
  for (let i = 0; i < max; i++) {
    const tag = `v${i}`;
    await pushImage(reg.url, 'bench/app', tag, { layers: 1 });
    const ref = `${reg.host}/bench/app:${tag}`;
    await nv2.sign(ref, { key: alg.key, certChain: alg.chain });
    refs.push({ ref, tag });
  }

  let requests = 0;
  const countingFetch = (url, init) => {
    requests++;
    return fetch(url, init);
  };
  const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

  async function baseline(tag) {
    const m = await countingFetch(`${reg.url}/v2/bench/app/manifests/${tag}`, { headers: { Accept: MANIFEST_ACCEPT } });
    const body = new Uint8Array(await m.arrayBuffer());
    const digest = 'sha256:' + Buffer.from(await crypto.subtle.digest('SHA-256', body)).toString('hex');
    const idx = await (await countingFetch(`${reg.url}/v2/bench/app/manifests/${digest.replace(':', '-')}`, { headers: { Accept: MANIFEST_ACCEPT } })).json();
    const sig = await (await countingFetch(`${reg.url}/v2/bench/app/manifests/${idx.manifests[0].digest}`, { headers: { Accept: MANIFEST_ACCEPT } })).json();
    await (await countingFetch(`${reg.url}/v2/bench/app/blobs/${sig.layers[0].digest}`)).arrayBuffer();
  }

  const rows = [];
  for (const n of counts) {
    const subset = refs.slice(0, n);
    requests = 0;
    let t0 = performance.now();
    for (const { tag } of subset) await baseline(tag);
    const baseMs = performance.now() - t0;
    const baseReq = requests;

    // Cold: every call on its own (cache: false). Warm: the same tags verified again with the
    // shared caches (signature manifests and envelopes by digest, Referrers API answer, tokens);
    // tags and referrers indexes are still fetched, as they can change.
    const pass = async (cache) => {
      requests = 0;
      const start = performance.now();
      for (const { ref } of subset) {
        const r = await nv2.verify(ref, { trustPolicy, trustStore, fetch: countingFetch, cache });
        if (!r.verified) throw new Error(`${ref} did not verify`);
      }
      return { ms: performance.now() - start, req: requests };
    };
    const cold = await pass(false);
    await pass(true); // fills the caches
    const warm = await pass(true);
    rows.push({
      tags: n,
      'baseline requests': baseReq,
      'nv2 cold requests': cold.req,
      'cold request ratio': (cold.req / baseReq).toFixed(2),
      'nv2 warm requests': warm.req,
      'warm request ratio': (warm.req / baseReq).toFixed(2),
      'baseline ms': baseMs.toFixed(1),
      'cold time ratio': (cold.ms / baseMs).toFixed(2),
      'warm time ratio': (warm.ms / baseMs).toFixed(2),
    });
  }
  console.table(rows);
} finally {
  reg.stop();
}
