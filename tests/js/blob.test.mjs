// Detached blob signatures (signature-specification.md §Blob Signatures) through the installed
// package: the JS API (signBlob, verifyBlob, inspectBlobSignature) checked against node:crypto, and
// the `nv2 blob` CLI against notation's blob vectors (`verify-blob` cases of the conformance set)
// and its own signatures.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import { ALG_NAMES, JWS_MEDIA_TYPE, PKI_DIR, needs, parseJws, pki, rawVerify, show } from './helpers.mjs';
import { cliHome, errorLine } from './support/cli.mjs';

const skip = needs('verifyBlob', 'BlobHasher', 'blobHashAlgorithm', 'inspectBlobSignature');
const DIR = process.env.NV2_CONFORMANCE_DIR;
const HASH = { PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

/** Deterministic pseudo-random bytes (no fixed expected digests: node:crypto computes them). */
function bytesOf(n, seed = 1) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function* chunked(bytes, size) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const blobPolicy = (identities = ['*'], extra = {}) => ({
  version: '1.0',
  trustPolicies: [
    {
      name: 'blobs',
      globalPolicy: true,
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:test'],
      trustedIdentities: identities,
      ...extra,
    },
  ],
});

test('signBlob / verifyBlob round trip for every algorithm, checked with node:crypto', { skip }, async () => {
  const blob = bytesOf(300_001, 7);
  for (const name of ALG_NAMES) {
    const a = pki.algorithms[name];
    const signed = await nv2.signBlob({
      blob: chunked(blob, 4099),
      key: a.key,
      certChain: a.chain,
      mediaType: 'application/x-tar',
      annotations: { buildId: name },
    });
    assert.equal(signed.mediaType, JWS_MEDIA_TYPE);
    const hash = HASH[a.alg];
    const digest = `${hash}:${crypto.createHash(hash).update(blob).digest('hex')}`;
    assert.deepEqual(signed.descriptor, {
      mediaType: 'application/x-tar',
      digest,
      size: blob.length,
      annotations: { buildId: name },
    });
    // Independent reading of the envelope: the payload is the blob descriptor, signed by the leaf.
    const jws = parseJws(signed.envelope);
    assert.equal(jws.protectedHeader.alg, a.alg);
    assert.deepEqual(jws.payload.targetArtifact, signed.descriptor);
    const leaf = new crypto.X509Certificate(a.cert);
    assert.ok(rawVerify(a.alg, leaf.publicKey, jws.signingInput, jws.signature), `${name}: signature`);

    const base = { signature: signed.envelope, trustPolicy: blobPolicy(), trustStore: { 'ca:test': [a.rootEntry.cert] } };
    const ok = await nv2.verifyBlob({ ...base, blob, mediaType: 'application/x-tar', userMetadata: { buildId: name } });
    assert.equal(ok.verified, true, `${name}: ${show(ok)}`);
    assert.equal(ok.targetArtifact.digest, digest);

    const tampered = blob.slice();
    tampered[150_000] ^= 0x01;
    const bad = await nv2.verifyBlob({ ...base, blob: tampered });
    assert.equal(bad.verified, false);
    assert.equal(bad.error.code, 'ERR_DESCRIPTOR_MISMATCH', `${name}: ${show(bad)}`);
    assert.equal(bad.error.stage, 'descriptor');

    const shorter = await nv2.verifyBlob({ ...base, blob: blob.subarray(0, blob.length - 1) });
    assert.equal(shorter.error?.code, 'ERR_DESCRIPTOR_MISMATCH');
  }
});

test('verifyBlob: media type, user metadata, untrusted signer, unknown statement', { skip }, async () => {
  const a = pki.algorithms.p256;
  const blob = new TextEncoder().encode('release notes\n');
  const { envelope } = await nv2.signBlob({ blob, key: a.key, certChain: a.chain, annotations: { team: 'a' } });
  const base = { blob, signature: envelope, trustPolicy: blobPolicy(), trustStore: { 'ca:test': [a.rootEntry.cert] } };

  assert.equal((await nv2.verifyBlob(base)).targetArtifact.mediaType, nv2.DEFAULT_BLOB_MEDIA_TYPE);
  const mt = await nv2.verifyBlob({ ...base, mediaType: 'text/plain' });
  assert.equal(mt.error?.code, 'ERR_DESCRIPTOR_MISMATCH', show(mt));
  const md = await nv2.verifyBlob({ ...base, userMetadata: { team: 'b' } });
  assert.equal(md.error?.code, 'ERR_USER_METADATA_MISMATCH', show(md));

  // Another root in the store: the chain holds no trusted certificate.
  const untrusted = await nv2.verifyBlob({ ...base, trustStore: { 'ca:test': [pki.untrusted.rootEntry.cert] } });
  assert.equal(untrusted.verified, false);
  assert.equal(untrusted.error.stage, 'authenticity', show(untrusted));
  // Trusted root, but the policy trusts another identity only.
  const identity = await nv2.verifyBlob({ ...base, trustPolicy: blobPolicy([pki.identity.trustedIdentity]) });
  assert.equal(identity.error?.code, 'ERR_UNTRUSTED_IDENTITY', show(identity));

  await assert.rejects(nv2.verifyBlob({ ...base, policyName: 'nope' }), (e) => e instanceof nv2.NotationError);
  await assert.rejects(
    nv2.verifyBlob({ ...base, trustPolicy: { version: '1.0', trustPolicies: [{ name: 'x', registryScopes: ['*'] }] } }),
    (e) => e.code === 'ERR_POLICY_INVALID',
  );
});

test('signBlob with a host signer, a Blob and a ReadableStream; large blob in chunks', { skip }, async () => {
  const a = pki.algorithms.rsa3072;
  const big = bytesOf(12 * 1024 * 1024 + 5, 3);
  const calls = [];
  const signer = {
    sign(bytes, info) {
      calls.push(info);
      return crypto.sign('sha384', bytes, {
        key: a.key,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 48,
      });
    },
  };
  const fromStream = await nv2.signBlob({
    blob: new Blob([big]).stream(),
    signer,
    certChain: a.chain,
  });
  assert.deepEqual(calls, [{ algorithm: 'PS384', keySpec: 'RSA-3072', signatureFormat: 'jws' }]);
  assert.equal(fromStream.descriptor.digest, `sha384:${crypto.createHash('sha384').update(big).digest('hex')}`);
  const fromBlob = await nv2.signBlob({ blob: new Blob([big]), key: a.key, certChain: a.chain });
  assert.deepEqual(fromBlob.descriptor, fromStream.descriptor);
  const out = await nv2.verifyBlob({
    blob: chunked(big, 1 << 16),
    signature: fromStream.envelope,
    trustPolicy: blobPolicy(),
    trustStore: { 'ca:test': [a.rootEntry.cert] },
  });
  assert.equal(out.verified, true, show(out));
  await assert.rejects(nv2.signBlob({ blob: 42, key: a.key, certChain: a.chain }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(
    nv2.signBlob({ blob: big, key: a.key, certChain: a.chain, signatureFormat: 'cms' }),
    (e) => e.code === 'ERR_UNSUPPORTED_ENVELOPE',
  );
});

test('inspectBlobSignature reads the claims without trusting them', { skip }, async () => {
  const a = pki.algorithms.p521;
  const expiry = new Date(Date.now() + 86_400_000);
  const { envelope, descriptor } = await nv2.signBlob({
    blob: bytesOf(1000),
    key: a.key,
    certChain: a.chain,
    expiry,
    annotations: { k: 'v' },
    signingAgent: 'blob-tests/1',
  });
  const info = nv2.inspectBlobSignature(envelope);
  assert.equal(info.mediaType, JWS_MEDIA_TYPE);
  assert.equal(info.signatureAlgorithm, 'ES512');
  assert.equal(info.signedAttributes.signingScheme, 'notary.x509');
  assert.equal(Date.parse(info.signedAttributes.expiry), Math.floor(expiry.getTime() / 1000) * 1000);
  assert.equal(info.unsignedAttributes.signingAgent, 'blob-tests/1');
  assert.deepEqual(
    info.certificates.map((c) => c.thumbprint),
    a.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g).map((p) =>
      new crypto.X509Certificate(p).fingerprint256.replace(/:/g, '').toLowerCase(),
    ),
  );
  assert.deepEqual(info.signedArtifact, descriptor);
  // A changed payload byte: still described, but the payload is not offered.
  const env = JSON.parse(Buffer.from(envelope).toString('utf8'));
  const sig = Buffer.from(env.signature, 'base64url');
  sig[3] ^= 1;
  env.signature = sig.toString('base64url');
  const broken = nv2.inspectBlobSignature(new TextEncoder().encode(JSON.stringify(env)));
  assert.equal(broken.signedArtifact, null);
  assert.match(broken.payloadError, /signature/);
  assert.throws(() => nv2.inspectBlobSignature(new TextEncoder().encode('{"payload":1}')), (e) => e instanceof nv2.NotationError);
});

// ---------------------------------------------------------------------------------------------
// CLI

/** A trust store directory (x509/<type>/<name>/) from a case's `stores`. */
function storeDir(root, stores, read) {
  for (const [ref, files] of Object.entries(stores)) {
    const [type, name] = ref.split(':');
    const d = join(root, 'x509', type, name);
    mkdirSync(d, { recursive: true });
    for (const f of files) writeFileSync(join(d, f.split('/').pop()), read(f));
  }
  return root;
}

test('nv2 blob verify: notation blob vectors (verify-blob cases)', { skip: skip || (!DIR && 'no NV2_CONFORMANCE_DIR') }, async () => {
  const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')).filter((c) => c.kind === 'verify-blob');
  assert.ok(cases.length >= 10, `${cases.length} verify-blob cases`);
  const h = cliHome();
  try {
    const read = (p) => readFileSync(join(DIR, p));
    for (const c of cases) {
      const work = join(h.dir, c.id);
      mkdirSync(work, { recursive: true });
      // notation names detached signatures <blob>.<format>.sig; some vectors are stored as .json.
      const format = c.envelope_media_type === 'application/cose' ? 'cose' : 'jws';
      const sig = join(work, `blob.${format}.sig`);
      copyFileSync(join(DIR, c.envelope), sig);
      const args = [
        'blob', 'verify', '--signature', sig,
        '--trust-policy', join(DIR, c.policy),
        '--trust-store', storeDir(join(work, 'store'), c.truststore.stores, read),
        '--verification-time', c.now,
      ];
      if (c.policy_name) args.push('--policy-name', c.policy_name);
      if (c.blob_media_type) args.push('--media-type', c.blob_media_type);
      for (const [k, v] of Object.entries(c.user_metadata ?? {})) args.push('-m', `${k}=${v}`);
      args.push(join(DIR, c.blob));
      const r = await h.run(args);
      const e = c.expect;
      assert.equal(r.code, e.ok ? 0 : 1, `${c.id}: ${r.stdout}${r.stderr}`);
      if (e.ok) {
        assert.match(r.stdout, new RegExp(`^Successfully verified signature ${sig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), c.id);
        for (const [k, v] of Object.entries(c.user_metadata ?? {})) assert.match(r.stdout, new RegExp(`${k}\\s+${v}`), c.id);
      } else {
        const text = e.go_error ?? e.go_error_contains;
        if (text) assert.ok(errorLine(r)?.includes(text), `${c.id}: ${r.stderr} lacks ${text}`);
      }
      // JSON output carries the same verdict.
      const j = await h.run([...args.slice(0, 2), '-o', 'json', ...args.slice(2)]);
      assert.equal(JSON.parse(j.stdout).verified, e.ok, c.id);
    }
  } finally {
    h.dispose();
  }
});

test('nv2 blob sign / verify / inspect / policy: round trip for every algorithm', { skip }, async () => {
  const h = cliHome();
  try {
    const file = join(h.dir, 'release.bin');
    writeFileSync(file, bytesOf(200_000, 9));
    const policyFile = join(h.dir, 'blob-policy.json');
    writeFileSync(policyFile, JSON.stringify(blobPolicy()));
    let r = await h.run(['blob', 'policy', 'import', policyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(h.config, 'trustpolicy.blob.json')));
    r = await h.run(['blob', 'policy', 'show']);
    assert.deepEqual(JSON.parse(r.stdout), blobPolicy());
    r = await h.run(['blob', 'policy', 'import', policyFile]);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /--force/);

    for (const name of ALG_NAMES) {
      const a = pki.algorithms[name];
      const sigDir = join(h.dir, `sigs-${name}`);
      r = await h.run([
        'blob', 'sign', '--key', join(PKI_DIR, a.keyFile), '--cert', join(PKI_DIR, a.chainFile),
        '--signature-directory', sigDir, '--media-type', 'application/x-bin', '-a', `alg=${name}`, '--expiry', '24h', file,
      ]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const sig = join(sigDir, 'release.bin.jws.sig');
      assert.equal(r.stdout, `Successfully signed ${file}\nSignature file written to ${sig}\n`);
      const hash = HASH[a.alg];
      const payload = parseJws(readFileSync(sig)).payload;
      assert.equal(payload.targetArtifact.digest, `${hash}:${crypto.createHash(hash).update(readFileSync(file)).digest('hex')}`);

      const rootFile = join(h.dir, `root-${name}.pem`);
      copyFileSync(join(PKI_DIR, a.rootEntry.certFile), rootFile);
      r = await h.run(['cert', 'add', '--type', 'ca', '--store', 'test', rootFile]);
      assert.equal(r.code, 0, r.stderr);
      r = await h.run(['blob', 'verify', '--signature', sig, '-m', `alg=${name}`, '--media-type', 'application/x-bin', file]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /Successfully verified signature/);
      assert.match(r.stdout, new RegExp(`alg\\s+${name}`));

      r = await h.run(['blob', 'inspect', sig]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`signature algorithm: ${a.alg.startsWith('ES') ? 'ECDSA' : 'RSASSA-PSS'}-SHA-${a.alg.slice(2)}`));
      assert.match(r.stdout, new RegExp(`digest: ${payload.targetArtifact.digest}`));
      r = await h.run(['blob', 'inspect', '-o', 'json', sig]);
      assert.deepEqual(JSON.parse(r.stdout).signedArtifact, payload.targetArtifact);

      // Signing again refuses to overwrite unless --force.
      r = await h.run(['blob', 'sign', '--key', join(PKI_DIR, a.keyFile), '--cert', join(PKI_DIR, a.chainFile), '--signature-directory', sigDir, file]);
      assert.equal(r.code, 1);
      r = await h.run(['blob', 'sign', '--force', '--key', join(PKI_DIR, a.keyFile), '--cert', join(PKI_DIR, a.chainFile), '--signature-directory', sigDir, file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Signature file overwritten to/);
    }

    // A changed blob: the digest comparison fails.
    const sig = join(h.dir, 'sigs-p256', 'release.bin.jws.sig');
    const tampered = join(h.dir, 'tampered', 'release.bin');
    mkdirSync(join(h.dir, 'tampered'));
    const bytes = readFileSync(file);
    bytes[100] ^= 0x80;
    writeFileSync(tampered, bytes);
    r = await h.run(['blob', 'verify', '--signature', sig, tampered]);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /signature does not match the given blob \(ERR_DESCRIPTOR_MISMATCH\)/);

    // A policy that trusts another identity only: authenticity fails.
    const other = join(h.dir, 'other-policy.json');
    writeFileSync(other, JSON.stringify(blobPolicy([pki.identity.trustedIdentity])));
    r = await h.run(['blob', 'verify', '--signature', sig, '--trust-policy', other, file]);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /ERR_UNTRUSTED_IDENTITY/);
    // A named statement that does not exist.
    r = await h.run(['blob', 'verify', '--signature', sig, '--policy-name', 'nope', file]);
    assert.equal(r.code, 1, r.stderr);
  } finally {
    h.dispose();
  }
});

test('nv2 blob: help and usage errors', { skip }, async () => {
  const h = cliHome();
  try {
    for (const args of [['blob', '--help'], ['blob', 'policy', '--help'], ['blob', 'sign', '--help'], ['blob', 'verify', '--help'], ['blob', 'inspect', '--help'], ['blob', 'policy', 'import', '--help']]) {
      const r = await h.run(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage: nv2 blob/);
    }
    assert.equal((await h.run(['blob'])).code, 2);
    let r = await h.run(['blob', 'verify', 'file.bin']);
    assert.equal(r.code, 2);
    assert.match(errorLine(r), /--signature is required \(ERR_USAGE\)/);
    r = await h.run(['blob', 'frobnicate']);
    assert.equal(r.code, 2);
    r = await h.run(['blob', 'policy', 'frobnicate']);
    assert.equal(r.code, 2);
    r = await h.run(['blob', 'verify', '--signature', 'x.sig', '--verification-time', 'yesterday', 'f']);
    assert.equal(r.code, 2);
    // The extension names the envelope format.
    const f = join(h.dir, 'f.bin');
    writeFileSync(f, 'x');
    writeFileSync(join(h.dir, 'f.sig'), '{}');
    r = await h.run(['blob', 'verify', '--signature', join(h.dir, 'f.sig'), f]);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /ERR_UNSUPPORTED_ENVELOPE/);
    r = await h.run(['blob', 'policy', 'show']);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /nv2 blob policy import/);
    const bad = join(h.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'a', globalPolicy: true, signatureVerification: { level: 'strict' } }] }));
    r = await h.run(['blob', 'policy', 'import', bad]);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /ERR_POLICY_INVALID/);
  } finally {
    h.dispose();
  }
});
