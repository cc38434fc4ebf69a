// (d) Host-callback signing: the private key stays in Node crypto / WebCrypto; nv2 only sees the
// signature. A callback that signs with another key must fail with ERR_SIGNING.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import { algInfo, makeTarget, needs, parseJws, pemBlocks, pki, rawSign, show, verifyWith } from './helpers.mjs';

const skip = needs('prepareSignature', 'verifyEnvelope');
const { subtle } = globalThis.crypto;

function nodeSigner(alg, keyPem, seen) {
  const key = crypto.createPrivateKey(keyPem);
  return {
    async sign(bytes, info) {
      seen?.push({ bytes, info });
      assert.ok(bytes instanceof Uint8Array);
      return new Uint8Array(rawSign(alg, key, bytes));
    },
  };
}

function pkcs8Der(pem) {
  return crypto.createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
}

async function webCryptoSigner(alg, keyPem) {
  const { hash, hashLen, ec } = algInfo(alg);
  const webHash = hash.replace('sha', 'SHA-');
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
  const key = await subtle.importKey(
    'pkcs8',
    pkcs8Der(keyPem),
    ec ? { name: 'ECDSA', namedCurve: curve } : { name: 'RSA-PSS', hash: webHash },
    false,
    ['sign'],
  );
  return {
    async sign(bytes) {
      const params = ec ? { name: 'ECDSA', hash: webHash } : { name: 'RSA-PSS', saltLength: hashLen };
      return new Uint8Array(await subtle.sign(params, key, bytes));
    },
  };
}

for (const name of ['p256', 'p384', 'p521', 'rsa2048', 'rsa3072', 'rsa4096']) {
  const a = pki.algorithms[name];
  test(`(d) node:crypto callback signer ${name} ${a.alg}`, { skip }, async () => {
    const target = makeTarget(`cb-${name}`);
    const seen = [];
    const res = await nv2.signDescriptor({ target, certChain: a.chain, signer: nodeSigner(a.alg, a.key, seen) });
    assert.equal(seen.length, 1, 'sign() called exactly once');
    assert.deepEqual(seen[0].info, { algorithm: a.alg, keySpec: a.keySpec, signatureFormat: 'jws' });
    // The callback signed exactly the JWS signing input.
    const { signingInput, protectedHeader } = parseJws(res.envelope);
    assert.ok(Buffer.from(seen[0].bytes).equals(signingInput));
    assert.equal(protectedHeader.alg, a.alg);
    const out = verifyWith(nv2, res.envelope, target, { root: a.root });
    assert.equal(out.verified, true, show(out));
  });
}

for (const name of ['p256', 'p384', 'rsa2048']) {
  const a = pki.algorithms[name];
  test(`(d) WebCrypto (crypto.subtle) callback signer ${name} ${a.alg}`, { skip }, async () => {
    const target = makeTarget(`webcrypto-${name}`);
    const res = await nv2.signDescriptor({ target, certChain: a.chain, signer: await webCryptoSigner(a.alg, a.key) });
    const out = verifyWith(nv2, res.envelope, target, { root: a.root });
    assert.equal(out.verified, true, show(out));
    assert.equal(out.algorithm, a.alg);
  });
}

test('(d) prepareSignature exposes toBeSigned/algorithm/keySpec; finish() completes', { skip }, async () => {
  const a = pki.algorithms.p256;
  const target = makeTarget('two-phase');
  const pending = nv2.prepareSignature({ target, certChain: a.chain });
  try {
    assert.equal(pending.algorithm, 'ES256');
    assert.equal(pending.keySpec, 'EC-256');
    assert.ok(pending.toBeSigned instanceof Uint8Array);
    const [p, pl] = Buffer.from(pending.toBeSigned).toString('ascii').split('.');
    assert.equal(JSON.parse(Buffer.from(p, 'base64url')).alg, 'ES256');
    assert.equal(JSON.parse(Buffer.from(pl, 'base64url')).targetArtifact.digest, target.digest);
    const sig = rawSign('ES256', crypto.createPrivateKey(a.key), pending.toBeSigned);
    const res = pending.finish(new Uint8Array(sig));
    assert.equal(verifyWith(nv2, res.envelope, target, { root: a.root }).verified, true);
  } finally {
    if (pending.__wbg_ptr) pending.free();
  }
});

test('(d) a callback signing with a different key fails with SigningError ERR_SIGNING', { skip }, async () => {
  const a = pki.algorithms.p256;
  const other = pki.untrusted; // also P-256, different key
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer: nodeSigner('ES256', other.key) }),
    (e) => e instanceof nv2.SigningError && e.code === 'ERR_SIGNING',
  );
  const wc = await webCryptoSigner('ES256', other.key);
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer: wc }),
    (e) => e instanceof nv2.SigningError && e.code === 'ERR_SIGNING',
  );
});

test('(d) DER-encoded ECDSA from the callback (not r||s) is refused with ERR_SIGNING', { skip }, async () => {
  const a = pki.algorithms.p256;
  const key = crypto.createPrivateKey(a.key);
  const signer = { sign: async (b) => new Uint8Array(crypto.sign('sha256', b, key)) }; // DER
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer }),
    (e) => e instanceof nv2.SigningError && e.code === 'ERR_SIGNING',
  );
  // The message says what to return instead (WebCrypto's raw r||s; node:crypto's ieee-p1363).
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer }),
    (e) =>
      e.code === 'ERR_SIGNING' &&
      /DER-encoded/.test(e.message) &&
      /raw r‖s \(64 bytes for ES256\)/.test(e.message) &&
      /dsaEncoding: 'ieee-p1363'/.test(e.message),
  );
  // With dsaEncoding: 'ieee-p1363' the same key signs successfully.
  const p1363 = { sign: async (b) => new Uint8Array(crypto.sign('sha256', b, { key, dsaEncoding: 'ieee-p1363' })) };
  const target = makeTarget('p1363');
  const res = await nv2.signDescriptor({ target, certChain: a.chain, signer: p1363 });
  assert.equal(verifyWith(nv2, res.envelope, target, { root: a.root }).verified, true);
});

test('(d) a throwing callback or a non-bytes result becomes SigningError ERR_SIGNING', { skip }, async () => {
  const a = pki.algorithms.p256;
  const boom = new Error('HSM offline');
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer: { sign: async () => { throw boom; } } }),
    (e) => e instanceof nv2.SigningError && e.code === 'ERR_SIGNING' && e.cause === boom && /HSM offline/.test(e.message),
  );
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), certChain: a.chain, signer: { sign: async () => 'sig' } }),
    (e) => e instanceof nv2.SigningError && e.code === 'ERR_SIGNING',
  );
});

test('(d) a 3-level chain signs through the callback; x5c keeps the chain order', { skip }, async () => {
  const c = pki.chain3;
  const target = makeTarget('cb-chain3');
  const res = await nv2.signDescriptor({ target, certChain: c.chain, signer: nodeSigner('ES256', c.key) });
  const x5c = parseJws(res.envelope).env.header.x5c;
  assert.equal(x5c.length, pemBlocks(c.chain).length);
  assert.equal(verifyWith(nv2, res.envelope, target, { root: c.root }).verified, true);
});
