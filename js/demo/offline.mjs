#!/usr/bin/env node
// Offline demo: sign an OCI manifest descriptor with nv2 and verify the signature, printing each
// step. The private key stays in WebCrypto (host-callback signing); nv2 only sees the signature.
// Usage: node js/demo/offline.mjs <pki dir from tests/gen/make_pki.py>   (or: make demo)
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as nv2 from '../../pkg/node.js';

const pkiDir = resolve(process.argv[2] ?? 'tests/.work/pki');
const step = (n, text) => console.log(`\n[${n}] ${text}`);
const b64url = (s) => Buffer.from(s, 'base64url').toString('utf8');

console.log(`nv2 ${nv2.version()} — offline sign + verify demo (wasm SRI ${nv2.WASM_SRI.slice(0, 18)}…)`);

step(1, `load the test PKI from ${pkiDir}`);
const index = JSON.parse(readFileSync(join(pkiDir, 'index.json'), 'utf8'));
const signerEntry = index.algorithms.p256;
console.log(`    signing certificate: ${signerEntry.subject}`);
console.log(`    issued by:           ${signerEntry.issuer}`);
console.log(`    valid until:         ${signerEntry.notAfter}`);

step(2, 'describe the artifact to sign (an OCI image manifest)');
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
    layers: [],
  }),
);
const target = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
  size: manifest.length,
};
const reference = `localhost:5000/demo/app@${target.digest}`;
console.log(`    ${reference} (${target.size} bytes)`);

const missing = ['signDescriptor', 'prepareSignature', 'verifyEnvelope'].filter(
  (e) => !WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(new URL('../../pkg/dist/nv2_wasm_bg.wasm', import.meta.url)))).some((x) => x.name === e),
);
if (missing.length) {
  console.error(`\nThis wasm build does not export ${missing.join(', ')} yet; the demo stops here.`);
  process.exit(1);
}

step(3, 'sign with a WebCrypto ECDSA P-256 key through the host-callback signer');
const der = Buffer.from(signerEntry.key.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const signed = await nv2.signDescriptor({
  target,
  certChain: signerEntry.chain,
  annotations: { 'org.example.stage': 'demo' },
  signingAgent: `nv2-demo/${nv2.version()}`,
  signer: {
    async sign(bytes, { algorithm }) {
      console.log(`    signer callback: ${bytes.length} bytes to sign with ${algorithm}`);
      return new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, bytes));
    },
  },
});
const env = JSON.parse(Buffer.from(signed.envelope).toString('utf8'));
console.log(`    envelope: ${signed.mediaType}, ${signed.envelope.length} bytes, ${signed.signatureDescriptor.digest}`);
console.log(`    protected header: ${b64url(env.protected)}`);
console.log(`    payload:          ${b64url(env.payload)}`);
console.log(`    signature manifest: ${signed.manifestDescriptor.digest} (${signed.manifestDescriptor.size} bytes)`);

step(4, 'verify against a strict trust policy and the test root CA');
const trustPolicy = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'demo',
      registryScopes: ['*'],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:demo'],
      trustedIdentities: ['*'],
    },
  ],
};
const verifyOpts = {
  envelope: signed.envelope,
  mediaType: signed.mediaType,
  target,
  artifactReference: reference,
  trustPolicy,
  trustStore: { 'ca:demo': [signerEntry.root] },
  userMetadata: { 'org.example.stage': 'demo' },
};
const report = (o) => {
  for (const r of o.results) {
    console.log(`    ${r.ok ? 'ok  ' : 'FAIL'} ${r.type.padEnd(18)} ${r.action.padEnd(7)} ${r.error ? `${r.error.code}: ${r.error.message}` : ''}`);
  }
  console.log(`    => verified: ${o.verified}${o.error ? ` (${o.error.code})` : ''}`);
};
const outcome = nv2.verifyEnvelope(verifyOpts);
report(outcome);
console.log(`    signer: ${outcome.signer?.subject}; signed at ${outcome.signingTime}`);

step(5, 'verify again after tampering with the payload (one byte)');
const tampered = Buffer.from(signed.envelope);
const i = tampered.indexOf(Buffer.from('"payload":"')) + 12;
tampered[i] = tampered[i] === 0x41 ? 0x42 : 0x41;
const bad = nv2.verifyEnvelope({ ...verifyOpts, envelope: tampered });
report(bad);

step(6, 'verify against a different artifact digest');
const other = { ...target, digest: `sha256:${'0'.repeat(64)}` };
const mismatch = nv2.verifyEnvelope({ ...verifyOpts, target: other, artifactReference: `localhost:5000/demo/app@${other.digest}` });
console.log(`    => verified: ${mismatch.verified} (${mismatch.error?.code})`);

const ok = outcome.verified && !bad.verified && !mismatch.verified;
console.log(`\ndemo ${ok ? 'succeeded' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
