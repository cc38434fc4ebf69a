// (a) nv2 signs / nv2 verifies, and (b) nv2 signs / an independent verifier (node:crypto) checks
// the JWS and the signature manifest against the spec, for all six algorithms.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import {
  ALG_NAMES,
  JWS_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  PAYLOAD_CTY,
  SIGNATURE_ARTIFACT_TYPE,
  algInfo,
  makeTarget,
  needs,
  parseJws,
  pemToDers,
  pki,
  rawVerify,
  rfc3339,
  sha256hex,
  show,
  verifyWith,
} from './helpers.mjs';

const skip = needs('signDescriptor', 'verifyEnvelope');
const SIG_LEN = { ES256: 64, ES384: 96, ES512: 132 };
const B64URL = /^[A-Za-z0-9_-]+$/;
const RFC3339_SECONDS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

// One signature per algorithm, shared by (a) and (b).
const signed = new Map();
async function signFor(name) {
  if (!signed.has(name)) {
    const a = pki.algorithms[name];
    const target = makeTarget(name);
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const expiry = new Date(signingTime.getTime() + 3600_000 * 24);
    const res = await nv2.signDescriptor({
      target,
      key: a.key,
      certChain: a.chain,
      signingTime,
      expiry,
      annotations: { 'org.example.build': name },
      signingAgent: 'nv2-tests/1.0',
    });
    signed.set(name, { a, target, signingTime, expiry, res });
  }
  return signed.get(name);
}

for (const name of ALG_NAMES) {
  const alg = pki.algorithms[name].alg;

  test(`(a) ${name} ${alg}: nv2 sign → nv2 verify (strict)`, { skip }, async () => {
    const { a, target, res, signingTime, expiry } = await signFor(name);
    assert.equal(res.mediaType, JWS_MEDIA_TYPE);
    assert.ok(res.envelope instanceof Uint8Array);
    const out = verifyWith(nv2, res.envelope, target, { root: a.root });
    assert.equal(out.verified, true, show(out));
    assert.equal(out.verificationLevel, 'strict');
    assert.equal(out.error, undefined);
    for (const type of ['integrity', 'authenticity', 'authenticTimestamp', 'expiry']) {
      const r = out.results.find((x) => x.type === type);
      assert.ok(r, `result ${type} present: ${show(out)}`);
      assert.equal(r.ok, true, `${type}: ${show(out)}`);
      assert.equal(r.action, 'enforce');
    }
    assert.equal(out.algorithm, alg);
    assert.equal(out.signingScheme, 'notary.x509');
    assert.equal(Date.parse(out.signingTime), signingTime.getTime());
    assert.equal(Date.parse(out.expiry), expiry.getTime());
    assert.equal(out.mediaType, JWS_MEDIA_TYPE);
    assert.equal(out.targetArtifact.digest, target.digest);
    assert.equal(out.targetArtifact.size, target.size);
    assert.equal(out.targetArtifact.mediaType, target.mediaType);
    assert.equal(out.targetArtifact.annotations?.['org.example.build'], name);
    const thumbs = pemToDers(a.chain).map(sha256hex);
    assert.deepEqual(out.signer.thumbprints.map((s) => s.toLowerCase()), thumbs);
    assert.equal(out.signer.chain.length, 2);
    assert.equal(out.signer.chain[0].thumbprint.toLowerCase(), a.thumbprint);
    assert.match(out.signer.subject, new RegExp(`CN=nv2 test leaf ${name}`));
    assert.match(out.signer.issuer, new RegExp(`CN=nv2 test root ${name}`));
    assert.deepEqual(out.warnings, []);
    // userMetadata present in the signed annotations passes.
    const withMeta = verifyWith(nv2, res.envelope, target, {
      root: a.root,
      userMetadata: { 'org.example.build': name },
    });
    assert.equal(withMeta.verified, true, show(withMeta));
  });

  test(`(b) ${name} ${alg}: independent verifier (node:crypto) accepts the nv2 JWS`, { skip }, async () => {
    const { a, target, res, signingTime, expiry } = await signFor(name);
    const { env, protectedHeader: h, payload, signature, signingInput } = parseJws(res.envelope);

    // Flattened JWS JSON serialization, nothing else at the top level (signature-envelope-jws.md
    // §Signature Envelope).
    assert.deepEqual(Object.keys(env).sort(), ['header', 'payload', 'protected', 'signature']);
    for (const k of ['payload', 'protected', 'signature']) assert.match(env[k], B64URL, `${k} is unpadded base64url`);

    // Protected header (signature-envelope-jws.md §Protected Headers).
    assert.equal(h.alg, alg);
    assert.equal(h.cty, PAYLOAD_CTY);
    assert.equal(h['io.cncf.notary.signingScheme'], 'notary.x509');
    assert.ok(Array.isArray(h.crit));
    assert.ok(h.crit.includes('io.cncf.notary.signingScheme'));
    assert.ok(h.crit.includes('io.cncf.notary.expiry'));
    for (const reg of ['alg', 'cty', 'io.cncf.notary.signingTime']) assert.ok(!h.crit.includes(reg), `crit must not list ${reg}`);
    assert.match(h['io.cncf.notary.signingTime'], RFC3339_SECONDS_Z);
    assert.equal(h['io.cncf.notary.signingTime'], rfc3339(signingTime.getTime()));
    assert.equal(h['io.cncf.notary.expiry'], rfc3339(expiry.getTime()));
    assert.equal(h['io.cncf.notary.authenticSigningTime'], undefined);

    // Unprotected header (signature-envelope-jws.md §Unprotected Headers): x5c is standard base64
    // DER, leaf first.
    const x5c = env.header.x5c;
    assert.ok(Array.isArray(x5c));
    const ders = pemToDers(a.chain);
    assert.equal(x5c.length, ders.length);
    x5c.forEach((c, i) => {
      assert.match(c, /^[A-Za-z0-9+/]+=*$/);
      assert.ok(Buffer.from(c, 'base64').equals(ders[i]), `x5c[${i}]`);
    });
    assert.equal(env.header['io.cncf.notary.signingAgent'], 'nv2-tests/1.0');

    // Payload (signature-specification.md §Payload).
    assert.deepEqual(Object.keys(payload), ['targetArtifact']);
    assert.equal(payload.targetArtifact.mediaType, target.mediaType);
    assert.equal(payload.targetArtifact.digest, target.digest);
    assert.equal(payload.targetArtifact.size, target.size);
    assert.deepEqual(payload.targetArtifact.annotations, { 'org.example.build': name });

    // Signature (signature-envelope-jws.md §Signature, signature-specification.md §Signature
    // Algorithm Requirements), checked with the certificate's public key by node:crypto.
    const publicKey = new crypto.X509Certificate(a.cert).publicKey;
    if (alg.startsWith('ES')) assert.equal(signature.length, SIG_LEN[alg]);
    else assert.equal(signature.length * 8, publicKey.asymmetricKeyDetails.modulusLength);
    assert.equal(rawVerify(alg, publicKey, signingInput, signature), true, 'signature verifies');
    const tampered = Buffer.from(signingInput);
    tampered[tampered.length - 1] ^= 1;
    assert.equal(rawVerify(alg, publicKey, tampered, signature), false);
    if (!algInfo(alg).ec) {
      // PSS with salt = hash length: verification with another salt length fails.
      const wrongSalt = crypto.verify(
        algInfo(alg).hash,
        signingInput,
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 },
        signature,
      );
      assert.equal(wrongSalt, false);
    }
  });

  test(`(b) ${name} ${alg}: signature manifest and descriptors follow signature-specification.md §OCI Signatures`, { skip }, async () => {
    const { a, target, res } = await signFor(name);
    const m = JSON.parse(Buffer.from(res.manifest).toString('utf8'));
    assert.equal(m.schemaVersion, 2);
    assert.equal(m.mediaType, MANIFEST_MEDIA_TYPE);
    assert.equal(m.artifactType, SIGNATURE_ARTIFACT_TYPE);
    assert.equal(m.config.mediaType, EMPTY_CONFIG.mediaType);
    assert.equal(m.config.digest, EMPTY_CONFIG.digest);
    assert.equal(m.config.size, EMPTY_CONFIG.size);
    assert.equal(m.layers.length, 1);
    const layer = m.layers[0];
    assert.equal(layer.mediaType, JWS_MEDIA_TYPE);
    assert.equal(layer.digest, `sha256:${sha256hex(res.envelope)}`);
    assert.equal(layer.size, res.envelope.length);
    assert.deepEqual(
      { mediaType: m.subject.mediaType, digest: m.subject.digest, size: m.subject.size },
      target,
    );
    const thumbs = JSON.parse(m.annotations['io.cncf.notary.x509chain.thumbprint#S256']);
    assert.deepEqual(thumbs.map((t) => t.toLowerCase()), pemToDers(a.chain).map(sha256hex));

    assert.equal(res.signatureDescriptor.mediaType, JWS_MEDIA_TYPE);
    assert.equal(res.signatureDescriptor.digest, layer.digest);
    assert.equal(res.signatureDescriptor.size, layer.size);
    assert.equal(res.manifestDescriptor.mediaType, MANIFEST_MEDIA_TYPE);
    assert.equal(res.manifestDescriptor.digest, `sha256:${sha256hex(res.manifest)}`);
    assert.equal(res.manifestDescriptor.size, res.manifest.length);
    assert.equal(res.manifestDescriptor.artifactType, SIGNATURE_ARTIFACT_TYPE);
  });
}

test('(a) default signingTime is now, whole seconds, and now may be a Date or RFC 3339 string', { skip }, async () => {
  const a = pki.algorithms.p256;
  const target = makeTarget('defaults');
  const before = Math.floor(Date.now() / 1000) * 1000;
  const res = await nv2.signDescriptor({ target, key: a.key, certChain: a.chain });
  const after = Date.now();
  const h = parseJws(res.envelope).protectedHeader;
  assert.match(h['io.cncf.notary.signingTime'], RFC3339_SECONDS_Z);
  const t = Date.parse(h['io.cncf.notary.signingTime']);
  assert.ok(t >= before && t <= after, `${h['io.cncf.notary.signingTime']} within the call`);
  assert.equal(h['io.cncf.notary.expiry'], undefined);
  assert.ok(!h.crit.includes('io.cncf.notary.expiry'));

  for (const now of [new Date(), new Date().toISOString(), Date.now()]) {
    const out = verifyWith(nv2, res.envelope, target, { root: a.root, now });
    assert.equal(out.verified, true, `${typeof now}: ${show(out)}`);
  }
  // A `now` before the leaf's notBefore (a Date) fails the validity check: proves `now` is used.
  const early = new Date(Date.parse(a.notBefore) - 86_400_000);
  const out = verifyWith(nv2, res.envelope, target, { root: a.root, now: early });
  assert.equal(out.verified, false, show(out));
  assert.equal(out.results.find((r) => r.type === 'authenticTimestamp')?.ok, false, show(out));
});

test('(a) the trust store accepts DER bytes as well as PEM', { skip }, async () => {
  const a = pki.algorithms.p384;
  const { target, res } = await signFor('p384');
  const rootDer = new Uint8Array(pemToDers(a.root)[0]);
  const out = verifyWith(nv2, res.envelope, target, { trustStore: { 'ca:test': [rootDer] } });
  assert.equal(out.verified, true, show(out));
});
