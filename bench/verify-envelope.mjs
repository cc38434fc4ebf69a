// Benchmark (not a test): one offline `verifyEnvelope` (strict policy, certificate chain, trust
// store) per algorithm, repeated as a verifier of many artifacts signed by one identity does,
// against the native floor measured in the same run: Node's OpenSSL checking the one signature
// that is new on every call, the envelope's, with no parsing, chain, policy or profile checks.
// (nv2 remembers certificate signatures it has verified, so after the first call a known chain
// costs no signature check; the first call is reported too.)
//
// Usage: node bench/verify-envelope.mjs [--pkg pkg] [--pki tests/.work/pki] [--n 200]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as crypto from 'node:crypto';

const { values: args } = parseArgs({
  options: {
    pkg: { type: 'string', default: 'pkg' },
    pki: { type: 'string', default: 'tests/.work/pki' },
    n: { type: 'string', default: '200' },
  },
});
const nv2 = await import(pathToFileURL(resolve(args.pkg, 'node.js')).href);
const pki = JSON.parse(readFileSync(join(resolve(args.pki), 'index.json'), 'utf8'));
const n = Number(args.n);

const pemBlocks = (pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const HASH = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512' };

function time(fn) {
  for (let i = 0; i < 5; i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

const rows = [];
for (const name of ['p256', 'p384', 'p521', 'rsa2048', 'rsa3072', 'rsa4096']) {
  const a = pki.algorithms[name];
  if (!a) continue;
  const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1234 };
  const signed = await nv2.signDescriptor({ target, key: a.key, certChain: a.chain });
  const opts = {
    envelope: signed.envelope,
    mediaType: 'application/jose+json',
    target,
    artifactReference: `registry.example/app@${target.digest}`,
    trustPolicy: {
      version: '1.0',
      trustPolicies: [{ name: 'b', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:b'], trustedIdentities: ['*'] }],
    },
    trustStore: { 'ca:b': [a.root] },
  };
  const firstStart = performance.now();
  if (!nv2.verifyEnvelope(opts).verified) throw new Error(`${name} did not verify`);
  const first = performance.now() - firstStart;

  // The native floor: the same signature checks with node:crypto.
  const jws = JSON.parse(Buffer.from(signed.envelope).toString('utf8'));
  const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8'));
  const input = Buffer.from(`${jws.protected}.${jws.payload}`);
  const sig = Buffer.from(jws.signature, 'base64url');
  const leafKey = new crypto.X509Certificate(pemBlocks(a.chain)[0]).publicKey;
  const verifyOpts = header.alg.startsWith('PS')
    ? { key: leafKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
    : { key: leafKey, dsaEncoding: 'ieee-p1363' };
  const native = () => {
    if (!crypto.verify(HASH[header.alg], input, verifyOpts, sig)) throw new Error('native verify failed');
  };
  native();
  const repeat = time(() => nv2.verifyEnvelope(opts));
  const floor = time(native);
  rows.push({
    algorithm: header.alg,
    'nv2 first ms': first.toFixed(2),
    'nv2 repeat ms': repeat.toFixed(3),
    'node:crypto envelope signature ms': floor.toFixed(3),
    'repeat ratio': (repeat / floor).toFixed(2),
  });
}
console.log(`verifyEnvelope (strict, full chain) against node:crypto's envelope signature check alone, ${n} runs each`);
console.table(rows);
