// Benchmark (not a test): adversarial envelopes, certificates, CRLs and timestamp tokens of
// growing size through the wasm package (docs/limits.md, issue 9), reporting milliseconds per MiB
// of input. Every parser and check is linear in its input (or n log n), so the figure must stay
// flat as the input grows; a quadratic path shows as a per-MiB time that doubles with the size.
// Each input is also checked to end as expected (ERR_LIMIT, or parsed), so a regression that
// turns a refusal into a different failure is visible too.
//
// Usage: node bench/adversarial.mjs [--pkg pkg] [--pki tests/.work/pki] [--sizes 1,2,4,8] [--reps 5]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as adv from '../tests/js/support/adversarial.mjs';

const { values: args } = parseArgs({
  options: {
    pkg: { type: 'string', default: 'pkg' },
    pki: { type: 'string', default: 'tests/.work/pki' },
    sizes: { type: 'string', default: '1,2,4,8' },
    reps: { type: 'string', default: '5' },
  },
});
const nv2 = await import(pathToFileURL(resolve(args.pkg, 'node.js')).href);
const pkiDir = resolve(args.pki);
const pki = JSON.parse(readFileSync(join(pkiDir, 'index.json'), 'utf8'));
const sizes = args.sizes.split(',').map(Number);
const reps = Number(args.reps);
const MiB = 1 << 20;

// A normal signature of the CRL PKI (its leaf names a CRL distribution point, so CRLs are read).
const c = pki.crl;
const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'cd'.repeat(32)}`, size: 1 };
const { envelope } = await nv2.signDescriptor({ target, key: c.key, certChain: c.chain });
const goodCrl = new Uint8Array(readFileSync(join(pkiDir, c.crls.good.derFile)));
const verify = (extra) =>
  nv2.verifyEnvelope({
    envelope,
    mediaType: 'application/jose+json',
    target,
    artifactReference: `registry.example/app@${target.digest}`,
    trustPolicy: {
      version: '1.0',
      trustPolicies: [{ name: 'b', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:b'], trustedIdentities: ['*'] }],
    },
    trustStore: { 'ca:b': [c.root] },
    ...extra,
  });

/** What one call ended with: the error code (and budget), or `ok`. */
function outcome(fn) {
  try {
    const out = fn();
    const e = out?.error ?? out?.results?.find((r) => r.error)?.error;
    if (out?.verified === false && e) return e.details?.limit ? `${e.code} ${e.details.limit}` : e.code;
    return 'ok';
  } catch (e) {
    return e.details?.limit ? `${e.code} ${e.details.limit}` : `${e.code ?? e.message}`;
  }
}

const inspect = (bytes) => () => nv2.inspectBlobSignature(bytes);
// Each case: name, input builder for a byte size, the call, the size actually fed.
const cases = [
  ['COSE: distinct header keys', (s) => adv.cose({ extra: adv.coseKeys(s) }), inspect],
  ['COSE: crit entries', (s) => adv.cose({ critExtra: adv.critLabels(s) }), inspect],
  ['COSE: leaf with many extensions', (s) => adv.cose({ cert: adv.certWithExtensions(adv.extensionsFor(s)) }), inspect],
  ['COSE: deep nesting', (s) => adv.cose({ extra: adv.deepCbor(s) }), inspect],
  ['COSE: huge declared counts', (s) => adv.cose({ extra: adv.declaredCounts(s) }), inspect],
  ['JWS: crit entries', (s) => adv.jws({ critExtra: adv.jwsCrit(s) }), inspect],
  ['JWS: leaf with many extensions', (s) => adv.jws({ cert: adv.certWithExtensions(adv.extensionsFor(s * 0.75)) }), inspect],
  ['JWS: deep nesting', (s) => adv.jws({ protectedJson: adv.deepJson(Math.floor(s / 2)) }), inspect],
  ['CRL: many entries', (s) => adv.crl({ entries: Math.floor(s / 27) }), (crl) => () => verify({ crls: [goodCrl, crl] })],
  ['CRL: many extensions', (s) => adv.crl({ extensions: adv.extensionsFor(s) }), (crl) => () => verify({ crls: [goodCrl, crl] })],
  // Tokens are at most 1 MiB (MAX_TOKEN_LEN): fed at a ninth of the size.
  ['timestamp: signed attributes (size / 9)', (s) => adv.withTimestamp(envelope, adv.tokenWithAttributes(Math.floor(s / 9 / 17))),
    (env) => () =>
      nv2.verifyEnvelope({
        envelope: env,
        mediaType: 'application/jose+json',
        target,
        artifactReference: `registry.example/app@${target.digest}`,
        trustPolicy: {
          version: '1.0',
          trustPolicies: [{ name: 'b', registryScopes: ['*'], signatureVerification: { level: 'strict', verifyTimestamp: 'always' }, trustStores: ['ca:b', 'tsa:t'], trustedIdentities: ['*'] }],
        },
        trustStore: { 'ca:b': [c.root], 'tsa:t': [c.root] },
        crls: [goodCrl],
      })],
];

// The fastest of the repetitions: on a shared machine the other runs measure the neighbours.
const fastest = (xs) => Math.min(...xs);
const rows = [];
for (const [name, build, call] of cases) {
  const row = { input: name };
  let first;
  let last;
  for (const size of sizes) {
    const bytes = build(size * MiB);
    const fn = call(bytes);
    const end = outcome(fn);
    const times = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      outcome(fn);
      times.push(performance.now() - t0);
    }
    const perMiB = fastest(times) / (bytes.length / MiB);
    first ??= perMiB;
    last = perMiB;
    row[`${size} MiB ms/MiB`] = perMiB.toFixed(1);
    row.result = end;
  }
  row[`${sizes.at(-1)}/${sizes[0]}`] = (last / first).toFixed(2);
  rows.push(row);
}
// The module still answers after all of it.
if (!verify({ crls: [goodCrl] }).verified) throw new Error('a normal verification failed after the adversarial inputs');
console.log(`adversarial inputs through the wasm package, fastest of ${reps}, milliseconds per MiB of input (flat = linear)`);
console.table(rows);
