// The registry API (sign / verify / listSignatures / inspect) of the installed package, from Node,
// against the real CNCF distribution registry (Debian docker-registry) on 127.0.0.1. This
// registry has no Referrers API, so every signature here is found through the referrers tag
// schema (`sha256-<hex>`), which nv2 maintains on push.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry, pushImage } from './support/registry.mjs';

const alg = pki.algorithms.p256;
const other = pki.algorithms.rsa2048;
let reg;
let authReg;
const login = { username: 'nv2user', password: 's3cret-pass' };

before(async () => {
  reg = await startRegistry();
  authReg = await startRegistry({ auth: login });
});
after(() => {
  reg?.stop();
  authReg?.stop();
});

const strict = (stores = ['ca:test']) => ({ ...policy({ stores }) });

test('sign then verify by tag: verified, digest pinned, tag warning, tag-schema index written', async () => {
  const target = await pushImage(reg.url, 'demo/net-monitor', 'v1');
  const ref = `${reg.host}/demo/net-monitor:v1`;
  const signed = await nv2.sign(ref, { key: alg.key, certChain: alg.chain });
  assert.equal(signed.digest, target.digest);
  assert.equal(signed.reference, `${reg.host}/demo/net-monitor@${target.digest}`);
  assert.equal(signed.referrersIndexUpdated, true, 'distribution 2.8 has no OCI-Subject');
  assert.ok(signed.warnings.some((w) => /tag/i.test(w)), 'tags are mutable: a warning is given');
  // The artifact itself is unchanged: its tag still resolves to the same digest.
  const head = await fetch(`${reg.url}/v2/demo/net-monitor/manifests/v1`, {
    headers: { Accept: target.mediaType },
  });
  assert.equal(head.headers.get('docker-content-digest'), target.digest);

  const result = await nv2.verify(ref, { trustPolicy: strict(), trustStore: { 'ca:test': [alg.root] } });
  assert.equal(result.verified, true, JSON.stringify(result.signatures));
  assert.equal(result.digest, target.digest);
  assert.equal(result.verifiedSignature.algorithm, 'ES256');
  assert.equal(result.verifiedSignature.mediaType, 'application/jose+json', 'the envelope media type of the verified signature');
  assert.ok(result.signatures.every((s) => s.outcome === null || s.outcome.mediaType === 'application/jose+json'));
  assert.equal(result.verifiedSignature.signerAuthenticated, true);

  const list = await nv2.listSignatures(ref);
  assert.equal(list.signatures.length, 1);
  assert.equal(list.viaTagSchema, true);
  assert.equal(list.signatures[0].artifactType, 'application/vnd.cncf.notary.signature');
  assert.equal(list.signatures[0].digest, signed.manifestDescriptor.digest);
});

test('two signers: both listed; verification passes with either trust store; inspect shows both', async () => {
  const target = await pushImage(reg.url, 'demo/two', 'v1');
  const ref = `${reg.host}/demo/two@${target.digest}`;
  await nv2.sign(ref, { key: alg.key, certChain: alg.chain });
  await nv2.sign(ref, { key: other.key, certChain: other.chain });
  const list = await nv2.listSignatures(ref);
  assert.equal(list.signatures.length, 2);
  for (const root of [alg.root, other.root]) {
    const r = await nv2.verify(ref, { trustPolicy: strict(), trustStore: { 'ca:test': [root] } });
    assert.equal(r.verified, true);
  }
  const info = await nv2.inspect(ref);
  assert.deepEqual(info.signatures.map((s) => s.algorithm).sort(), ['ES256', 'PS256']);
  for (const s of info.signatures) {
    assert.equal(s.mediaType, 'application/jose+json');
    assert.ok(s.chain.length >= 1 && /^[0-9a-f]{64}$/.test(s.chain[0].thumbprint));
    assert.ok(s.annotations['io.cncf.notary.x509chain.thumbprint#S256']);
  }
});

test('concurrent signers on one artifact (no Referrers API): both signatures stay listed', async () => {
  const target = await pushImage(reg.url, 'demo/race', 'v1');
  const ref = `${reg.host}/demo/race@${target.digest}`;
  await Promise.all([
    nv2.sign(ref, { key: alg.key, certChain: alg.chain }),
    nv2.sign(ref, { key: other.key, certChain: other.chain }),
  ]);
  const list = await nv2.listSignatures(ref);
  assert.equal(list.signatures.length, 2);
});

test('untrusted signer fails authenticity; unsigned artifact is ERR_NO_SIGNATURE', async () => {
  const target = await pushImage(reg.url, 'demo/untrusted', 'v1');
  const ref = `${reg.host}/demo/untrusted@${target.digest}`;
  await nv2.sign(ref, { key: pki.untrusted.key, certChain: pki.untrusted.chain });
  const r = await nv2.verify(ref, { trustPolicy: strict(), trustStore: { 'ca:test': [alg.root] } });
  assert.equal(r.verified, false);
  const auth = r.signatures[0].outcome.results.find((x) => x.type === 'authenticity');
  assert.equal(auth.ok, false);
  assert.equal(auth.error.code, 'ERR_SIGNATURE_AUTHENTICITY');

  const unsigned = await pushImage(reg.url, 'demo/unsigned', 'v1');
  await assert.rejects(
    nv2.verify(`${reg.host}/demo/unsigned@${unsigned.digest}`, {
      trustPolicy: strict(),
      trustStore: { 'ca:test': [alg.root] },
    }),
    (e) => e instanceof nv2.VerificationFailedError && e.code === 'ERR_NO_SIGNATURE',
  );
});

test('host-callback signer: the key never enters wasm, the signature verifies', async () => {
  const { createPrivateKey, sign: nodeSign } = await import('node:crypto');
  const key = createPrivateKey(alg.key);
  const target = await pushImage(reg.url, 'demo/callback', 'v1');
  const ref = `${reg.host}/demo/callback@${target.digest}`;
  const seen = [];
  await nv2.sign(ref, {
    certChain: alg.chain,
    signer: {
      sign: async (bytes, info) => {
        seen.push(`${info.algorithm} ${info.signatureFormat}`);
        return nodeSign('sha256', bytes, { key, dsaEncoding: 'ieee-p1363' });
      },
    },
  });
  assert.deepEqual(seen, ['ES256 jws'], 'the signer is told the algorithm and the envelope format');
  const r = await nv2.verify(ref, { trustPolicy: strict(), trustStore: { 'ca:test': [alg.root] } });
  assert.equal(r.verified, true);
});

test('digest reference that the registry does not hold, and a closed port: typed errors', async () => {
  await assert.rejects(
    nv2.listSignatures(`${reg.host}/demo/net-monitor@sha256:${'0'.repeat(64)}`),
    (e) => e instanceof nv2.RegistryError && e.code === 'ERR_REGISTRY_HTTP',
  );
  // Nothing listens there: verification is inconclusive, never "unsigned" or "verified".
  await assert.rejects(
    nv2.verify(`127.0.0.1:9/demo/x:v1`, { trustPolicy: strict(), trustStore: { 'ca:test': [alg.root] } }),
    (e) => e instanceof nv2.VerificationInconclusiveError && e.code === 'ERR_VERIFICATION_INCONCLUSIVE',
  );
});

test('a fetch that corrupts bodies is caught by digest checks (ERR_DIGEST_MISMATCH)', async () => {
  const target = await pushImage(reg.url, 'demo/tamper', 'v1');
  const ref = `${reg.host}/demo/tamper@${target.digest}`;
  const evilFetch = async (url, init) => {
    const r = await fetch(url, init);
    if (!String(url).includes('/manifests/')) return r;
    const body = new Uint8Array(await r.arrayBuffer());
    if (body.length > 0) body[body.length - 2] ^= 0x20;
    return new Response(body, { status: r.status, headers: r.headers });
  };
  await assert.rejects(
    nv2.sign(ref, { key: alg.key, certChain: alg.chain, fetch: evilFetch }),
    (e) => e.code === 'ERR_DIGEST_MISMATCH',
  );
  // Nothing was pushed.
  assert.equal((await nv2.listSignatures(ref)).signatures.length, 0);
});

test('Basic auth registry: works with credentials (map or callback), ERR_REGISTRY_AUTH without', async () => {
  const basic = 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64');
  const target = await pushImage(authReg.url, 'private/app', 'v1', { headers: { Authorization: basic } });
  const ref = `${authReg.host}/private/app@${target.digest}`;
  await assert.rejects(
    nv2.sign(ref, { key: alg.key, certChain: alg.chain }),
    (e) => e instanceof nv2.RegistryError && e.code === 'ERR_REGISTRY_AUTH',
  );
  await nv2.sign(ref, { key: alg.key, certChain: alg.chain, credentials: { [authReg.host]: login } });
  // The same with a credentials callback (asked once, for this registry).
  await nv2.sign(ref, { key: other.key, certChain: other.chain, credentials: async () => login });
  const asked = [];
  const r = await nv2.verify(ref, {
    trustPolicy: strict(),
    trustStore: { 'ca:test': [alg.root] },
    credentials: async (registry) => {
      asked.push(registry);
      return login;
    },
  });
  assert.equal(r.verified, true);
  assert.deepEqual(asked, [authReg.host]);
  await assert.rejects(
    nv2.listSignatures(ref, { credentials: { [authReg.host]: { ...login, password: 'wrong' } } }),
    (e) => e.code === 'ERR_REGISTRY_AUTH',
  );
});
