// Self-checks of the test harness itself (runs without the full wasm API): the generated PKI has
// the profiles the other suites rely on, and the independent JWS signer/verifier agree.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { test } from 'node:test';
import {
  ALG_NAMES,
  PAYLOAD_CTY,
  buildJws,
  makeTarget,
  parseJws,
  pemToDers,
  pki,
  rawVerify,
} from './helpers.mjs';

const X = (pem) => new crypto.X509Certificate(pem);
// Extension text from openssl (node:crypto does not expose basicConstraints / keyUsage bits).
const ext = (pem) =>
  execFileSync('openssl', ['x509', '-noout', '-ext', 'basicConstraints,keyUsage,extendedKeyUsage'], {
    input: pem,
  }).toString();
const now = Date.now();

test('PKI: six algorithms, leaf issued by root, Notary code-signing profile', () => {
  const bits = { rsa2048: 2048, rsa3072: 3072, rsa4096: 4096 };
  const curve = { p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1' };
  for (const name of ALG_NAMES) {
    const a = pki.algorithms[name];
    const leaf = X(a.cert);
    const root = X(a.root);
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey), `${name} leaf issued by root`);
    assert.ok(root.verify(root.publicKey), `${name} root self-signed`);
    assert.equal(leaf.ca, false);
    assert.equal(root.ca, true);
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.3'], 'EKU codeSigning only');
    assert.ok(Date.parse(leaf.validFrom) < now && Date.parse(leaf.validTo) > now);
    const d = leaf.publicKey.asymmetricKeyDetails;
    if (bits[name]) assert.equal(d.modulusLength, bits[name]);
    else assert.equal(d.namedCurve, curve[name]);
    assert.equal(pemToDers(a.chain).length, 2);
    assert.ok(crypto.createPrivateKey(a.key).asymmetricKeyType, 'PKCS#8 key parses');
    assert.match(a.key, /^-----BEGIN PRIVATE KEY-----/);
  }
});

test('PKI: negative certificates have the defect they are named after', () => {
  const n = pki.negatives;
  const p256root = X(pki.algorithms.p256.root);
  assert.ok(Date.parse(X(n.expired.cert).validTo) < now);
  assert.ok(Date.parse(X(n.notYetValid.cert).validFrom) > now);
  assert.match(ext(n.leafIsCa.cert), /CA:TRUE/);
  assert.match(ext(n.keyCertSign.cert), /Key Usage: critical\n\s+Digital Signature, Certificate Sign/);
  assert.doesNotMatch(ext(n.noKeyUsage.cert), /X509v3 Key Usage/);
  assert.match(ext(pki.algorithms.p256.cert), /CA:FALSE[\s\S]*Key Usage: critical\n\s+Digital Signature\n/);
  assert.deepEqual(X(n.serverAuthEku.cert).keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(X(n.rsa1024.cert).publicKey.asymmetricKeyDetails.modulusLength, 1024);
  assert.ok(X(n.rsa1024.cert).verify(X(pki.algorithms.rsa2048.root).publicKey));
  for (const k of ['expired', 'notYetValid', 'leafIsCa', 'serverAuthEku', 'keyCertSign', 'noKeyUsage']) {
    assert.ok(X(n[k].cert).verify(p256root.publicKey), `${k} signed by the p256 root`);
  }
});

test('PKI: 3-level chain, untrusted root and identity leaf', () => {
  const [leaf, inter, root] = pemToDers(pki.chain3.chain).map((d) => new crypto.X509Certificate(d));
  assert.ok(leaf.verify(inter.publicKey) && inter.verify(root.publicKey) && root.verify(root.publicKey));
  assert.equal(inter.ca, true);
  const u = X(pki.untrusted.cert);
  assert.ok(!u.verify(X(pki.algorithms.p256.root).publicKey));
  assert.match(X(pki.identity.cert).subject, /C=US\nST=WA\nO=acme\nCN=signer/);
});

for (const name of ALG_NAMES) {
  const a = pki.algorithms[name];
  test(`harness: independent JWS ${a.alg} signs what the independent verifier accepts`, () => {
    const target = makeTarget(name);
    const { bytes } = buildJws({ alg: a.alg, keyPem: a.key, chainPem: a.chain, target });
    const j = parseJws(bytes);
    assert.equal(j.protectedHeader.cty, PAYLOAD_CTY);
    assert.deepEqual(j.payload, { targetArtifact: target });
    const pub = X(a.cert).publicKey;
    assert.equal(rawVerify(a.alg, pub, j.signingInput, j.signature), true);
    const bad = Buffer.from(j.signingInput);
    bad[0] ^= 1;
    assert.equal(rawVerify(a.alg, pub, bad, j.signature), false);
  });
}
