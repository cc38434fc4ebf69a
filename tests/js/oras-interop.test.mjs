// Interop with oras (oras-py, an OCI client nv2 did not write): an artifact pushed by oras is
// signed and verified by nv2, and the signature artifact, fetched back by oras, has exactly the
// shape the Notary Project specification gives (signature-specification.md §OCI Signatures).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crypto from 'node:crypto';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry } from './support/registry.mjs';
import { cliHome, errorLine } from './support/cli.mjs';

const PYTHON = process.env.NV2_PYTHON;
const TOOL = process.env.NV2_ORAS_TOOL;
if (!PYTHON || !TOOL) throw new Error('NV2_PYTHON and NV2_ORAS_TOOL must be set (make test-js sets them)');
const oras = (...args) => execFileSync(PYTHON, [TOOL, ...args], { encoding: 'utf8', timeout: 60_000 }).trim();

const alg = pki.algorithms.p384;
let reg;
before(async () => {
  reg = await startRegistry();
});
after(() => reg?.stop());

test('oras push → nv2 sign/verify → oras pulls a signature of the specified shape', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nv2-oras-'));
  const file = join(dir, 'artifact.txt');
  writeFileSync(file, `payload ${crypto.randomUUID()}\n`);
  const digest = oras('push', reg.host, 'interop/oras:v1', file);
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);

  const ref = `${reg.host}/interop/oras:v1`;
  const signed = await nv2.sign(ref, { key: alg.key, certChain: alg.chain });
  assert.equal(signed.digest, digest, 'nv2 signs the digest oras pushed');
  const result = await nv2.verify(ref, { trustPolicy: policy(), trustStore: { 'ca:test': [alg.root] } });
  assert.equal(result.verified, true);

  const sig = JSON.parse(oras('manifest', reg.host, `interop/oras@${signed.manifestDescriptor.digest}`));
  assert.equal(sig.schemaVersion, 2);
  assert.equal(sig.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(sig.artifactType, 'application/vnd.cncf.notary.signature');
  assert.equal(sig.config.mediaType, 'application/vnd.oci.empty.v1+json');
  assert.equal(sig.config.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  assert.equal(sig.config.size, 2);
  assert.equal(sig.layers.length, 1);
  assert.equal(sig.layers[0].mediaType, 'application/jose+json');
  assert.equal(sig.subject.digest, digest);
  assert.equal(sig.subject.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  const thumbs = JSON.parse(sig.annotations['io.cncf.notary.x509chain.thumbprint#S256']);
  const chainDer = alg.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
    .map((p) => new crypto.X509Certificate(p).raw);
  assert.deepEqual(thumbs, chainDer.map((d) => crypto.createHash('sha256').update(d).digest('hex')));
  assert.match(sig.annotations['org.opencontainers.image.created'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  // The envelope blob oras downloads is the one nv2 pushed, and it verifies offline too.
  const out = join(dir, 'envelope.jws');
  oras('blob', reg.host, 'interop/oras', sig.layers[0].digest, out);
  const envelope = readFileSync(out);
  assert.equal('sha256:' + crypto.createHash('sha256').update(envelope).digest('hex'), sig.layers[0].digest);
  const outcome = nv2.verifyEnvelope({
    envelope,
    mediaType: 'application/jose+json',
    target: signed.target,
    artifactReference: `${reg.host}/interop/oras@${digest}`,
    trustPolicy: policy(),
    trustStore: { 'ca:test': [alg.root] },
  });
  assert.equal(outcome.verified, true);
});

test('oras push → `nv2 sign` / `nv2 verify` on the command line (generated test CA)', async () => {
  const home = cliHome();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'nv2-oras-cli-'));
    const file = join(dir, 'artifact.txt');
    writeFileSync(file, `cli payload ${crypto.randomUUID()}\n`);
    const digest = oras('push', reg.host, 'interop/oras-cli:v1', file);
    const ok = (r, what) => assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    ok(await home.run(['cert', 'generate-test', 'orasdemo', '--default']), 'generate-test');
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'default', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:orasdemo'], trustedIdentities: ['*'] }],
    }));
    ok(await home.run(['policy', 'import', policyFile]), 'policy import');
    const ref = `${reg.host}/interop/oras-cli:v1`;
    ok(await home.run(['sign', ref]), 'nv2 sign');
    const verified = await home.run(['verify', ref]);
    ok(verified, 'nv2 verify');
    assert.match(verified.stdout, new RegExp(`Successfully verified signature for .*${digest}`));
    // A registry artifact oras pushed but nobody signed is refused with exit 1.
    const other = join(dir, 'other.txt');
    writeFileSync(other, `unsigned ${crypto.randomUUID()}\n`);
    oras('push', reg.host, 'interop/oras-cli:unsigned', other);
    const refused = await home.run(['verify', `${reg.host}/interop/oras-cli:unsigned`]);
    assert.equal(refused.code, 1);
    assert.match(errorLine(refused), /ERR_NO_SIGNATURE/);
  } finally {
    home.dispose();
  }
});
