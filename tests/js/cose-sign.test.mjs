// COSE_Sign1 signatures (signature-envelope-cose.md, `signatureFormat: 'cose'`, `--signature-format
// cose`) through the installed package. Every envelope nv2 produces here is also decoded and
// verified by tests/interop/cose_check.py, which uses software nv2 did not write (cbor2 for CBOR,
// pyca cryptography for the signature): it rebuilds the Sig_structure, checks the header labels and
// value types against the specification, and reports what it read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as nv2 from 'nv2';
import {
  ALG_NAMES,
  makeTarget,
  pemToDers,
  pki,
  policy,
  rawSign,
  refFor,
  sha256hex,
  show,
  storeOf,
} from './helpers.mjs';
import { startRegistry, pushImage } from './support/registry.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';

const COSE = 'application/cose';
const PYTHON = process.env.NV2_PYTHON;
if (!PYTHON) throw new Error('NV2_PYTHON must be set (make test-js sets it)');
// Beside the oras tool in tests/interop/.
const CHECKER = process.env.NV2_ORAS_TOOL && join(dirname(process.env.NV2_ORAS_TOOL), 'cose_check.py');
if (!CHECKER || !existsSync(CHECKER)) throw new Error('tests/interop/cose_check.py not found (make test-js sets NV2_ORAS_TOOL)');

const work = mkdtempSync(join(tmpdir(), 'nv2-cose-'));
let n = 0;

/** Runs the independent checker on `envelope`: `{ ok, report, error }`. */
function independentCheck(envelope) {
  const file = join(work, `envelope-${n++}.cose`);
  writeFileSync(file, envelope);
  const r = spawnSync(PYTHON, [CHECKER, file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return { ok: true, report: JSON.parse(r.stdout) };
  return { ok: false, error: r.stderr.trim() || `exit ${r.status}` };
}

const COSE_IDS = { ES256: -7, ES384: -35, ES512: -36, PS256: -37, PS384: -38, PS512: -39 };
const SIG_LEN = { ES256: 64, ES384: 96, ES512: 132, PS256: 256, PS384: 384, PS512: 512 };

function verifyCose(envelope, target, root, o = {}) {
  return nv2.verifyEnvelope({
    envelope,
    mediaType: COSE,
    target,
    artifactReference: refFor(target),
    trustPolicy: policy(),
    trustStore: storeOf(root),
    ...o,
  });
}

test('signDescriptor with signatureFormat cose: all six algorithms, verified by nv2 and independently', async () => {
  for (const name of ALG_NAMES) {
    const a = pki.algorithms[name];
    const target = makeTarget(`cose-${name}`);
    const signingTime = Date.now() - 5_000;
    const expiry = signingTime + 86_400_000;
    const signed = await nv2.signDescriptor({
      target,
      key: a.key,
      certChain: a.chain,
      signingTime,
      expiry,
      annotations: { buildId: name },
      signatureFormat: 'cose',
    });
    assert.equal(signed.mediaType, COSE, name);
    assert.equal(signed.signatureDescriptor.mediaType, COSE);
    assert.equal(signed.signatureDescriptor.digest, `sha256:${sha256hex(signed.envelope)}`);
    const manifest = JSON.parse(Buffer.from(signed.manifest).toString());
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].mediaType, COSE);
    assert.equal(manifest.subject.digest, target.digest);

    const outcome = verifyCose(signed.envelope, target, a.rootEntry.cert);
    assert.equal(outcome.verified, true, `${name}: ${show(outcome)}`);
    assert.equal(outcome.algorithm, a.alg);
    assert.equal(outcome.mediaType, COSE);

    const { ok, report, error } = independentCheck(signed.envelope);
    assert.ok(ok, `${name}: ${error}`);
    assert.equal(report.alg, COSE_IDS[a.alg]);
    assert.equal(report.algorithm, a.alg);
    assert.equal(report.contentType, 'application/vnd.cncf.notary.payload.v1+json');
    assert.equal(report.signingScheme, 'notary.x509');
    assert.equal(report.timeLabel, 'io.cncf.notary.signingTime');
    assert.equal(report.signingTime, Math.floor(signingTime / 1000));
    assert.equal(report.expiry, Math.floor(expiry / 1000));
    assert.deepEqual(report.crit, ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry']);
    assert.deepEqual(report.extended, []);
    assert.match(report.signingAgent, /^nv2\//);
    assert.equal(report.timestampToken, false);
    assert.equal(report.signatureLength, SIG_LEN[a.alg]);
    assert.deepEqual(report.thumbprints, pemToDers(a.chain).map((d) => sha256hex(d)));
    assert.deepEqual(report.targetArtifact, { ...target, annotations: { buildId: name } });
    // cbor2's canonical encoder writes the very same bytes (RFC 7049 canonical, as go-cose).
    assert.equal(report.canonicalProtected, true);
    assert.equal(report.canonicalEnvelope, true);
  }
});

test('the independent checker accepts notation-produced COSE envelopes too', () => {
  const dir = process.env.NV2_CONFORMANCE_DIR;
  assert.ok(dir, 'NV2_CONFORMANCE_DIR is set by make test-js');
  for (const path of [
    'notation-go/internal/testdata/cose_signature.sig',
    'notation/test/e2e/testdata/signatures/blob.cose.sig',
  ]) {
    const { ok, report, error } = independentCheck(readFileSync(join(dir, path)));
    assert.ok(ok, `${path}: ${error}`);
    assert.equal(report.algorithm, 'PS256');
    assert.equal(report.canonicalEnvelope, true, path);
  }
});

test('tampered COSE envelopes fail integrity, in nv2 and in the independent checker', async () => {
  const a = pki.algorithms.p256;
  const target = makeTarget('cose-tamper');
  const signed = await nv2.signDescriptor({ target, key: a.key, certChain: a.chain, signatureFormat: 'cose' });
  const bytes = Buffer.from(signed.envelope);
  assert.equal(verifyCose(bytes, target, a.rootEntry.cert).verified, true);

  const flip = (at, mask = 0x01) => {
    const b = Buffer.from(bytes);
    b[at] ^= mask;
    return b;
  };
  // A payload byte (inside the signed digest's hex), the signing time's low byte (protected
  // header, tag 1 integer), and the signature's last byte.
  const digestAt = bytes.indexOf(Buffer.from(target.digest.slice(0, 16))) + 10;
  const label = Buffer.from('io.cncf.notary.signingTime');
  const timeAt = bytes.indexOf(label) + label.length;
  assert.equal(bytes[timeAt], 0xc1, 'tag 1 follows the signing-time label');
  assert.equal(bytes[timeAt + 1], 0x1a, 'a 32-bit unsigned integer of seconds');
  for (const [what, bad] of [
    ['payload byte', flip(digestAt)],
    ['protected signing time', flip(timeAt + 5)],
    ['signature byte', flip(bytes.length - 1, 0x80)],
  ]) {
    const outcome = verifyCose(bad, target, a.rootEntry.cert);
    assert.equal(outcome.verified, false, what);
    assert.equal(outcome.error.code, 'ERR_SIGNATURE_INTEGRITY', `${what}: ${show(outcome)}`);
    const ind = independentCheck(bad);
    assert.equal(ind.ok, false, what);
    assert.match(ind.error, /does not verify/, what);
  }
});

test('two-phase COSE signing: prepareSignature hands out the Sig_structure; signer callbacks work', async () => {
  for (const name of ['rsa3072', 'p521']) {
    const a = pki.algorithms[name];
    const target = makeTarget(`cose-2p-${name}`);
    const pending = nv2.prepareSignature({ target, certChain: a.chain, signatureFormat: 'cose' });
    assert.equal(pending.signatureFormat, 'cose');
    assert.equal(pending.algorithm, a.alg);
    const tbs = Buffer.from(pending.toBeSigned);
    // ["Signature1", protected, h'', payload] (RFC 9052 §4.4).
    assert.deepEqual([...tbs.subarray(0, 2)], [0x84, 0x6a]);
    assert.equal(tbs.subarray(2, 12).toString(), 'Signature1');
    const done = pending.finish(rawSign(a.alg, a.key, tbs));
    assert.equal(done.mediaType, COSE);
    assert.equal(verifyCose(done.envelope, target, a.rootEntry.cert).verified, true);
    assert.ok(independentCheck(done.envelope).ok);

    const viaCallback = await nv2.signDescriptor({
      target,
      certChain: a.chain,
      signatureFormat: 'cose',
      signer: {
        sign: (bytes, info) => {
          assert.equal(info.signatureFormat, 'cose', 'the signer is told the envelope format');
          return rawSign(info.algorithm, a.key, bytes);
        },
      },
    });
    assert.equal(viaCallback.mediaType, COSE);
    assert.equal(verifyCose(viaCallback.envelope, target, a.rootEntry.cert).verified, true);
  }
  // A signature by another key is refused for COSE as for JWS (threat model 3d).
  const a = pki.algorithms.p256;
  const pending = nv2.prepareSignature({ target: makeTarget('cose-wrong'), certChain: a.chain, signatureFormat: 'cose' });
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  assert.throws(() => pending.finish(rawSign('ES256', other, pending.toBeSigned)), (e) => e.code === 'ERR_SIGNING');
  await assert.rejects(
    nv2.signDescriptor({ target: makeTarget(), key: a.key, certChain: a.chain, signatureFormat: 'cms' }),
    (e) => e.code === 'ERR_UNSUPPORTED_ENVELOPE',
  );
});

test('signBlob / verifyBlob with signatureFormat cose', async () => {
  const a = pki.algorithms.p384;
  const blob = crypto.randomBytes(70_000);
  const signed = await nv2.signBlob({ blob, key: a.key, certChain: a.chain, signatureFormat: 'cose' });
  assert.equal(signed.mediaType, COSE);
  assert.equal(signed.descriptor.digest, `sha384:${crypto.createHash('sha384').update(blob).digest('hex')}`);
  const { ok, report, error } = independentCheck(signed.envelope);
  assert.ok(ok, error);
  assert.deepEqual(report.targetArtifact, signed.descriptor);
  const blobPolicy = {
    version: '1.0',
    trustPolicies: [{ name: 'b', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
  };
  const out = await nv2.verifyBlob({ blob, signature: signed.envelope, trustPolicy: blobPolicy, trustStore: storeOf(a.rootEntry.cert) });
  assert.equal(out.verified, true, show(out));
  assert.equal(out.mediaType, COSE);
  const changed = Buffer.from(blob);
  changed[0] ^= 1;
  const bad = await nv2.verifyBlob({ blob: changed, signature: signed.envelope, trustPolicy: blobPolicy, trustStore: storeOf(a.rootEntry.cert) });
  assert.equal(bad.verified, false);
});

// ---------------------------------------------------------------------------------------------
// Against the real registry (Debian docker-registry), through the API and the CLI.

let reg;
let home;
before(async () => {
  reg = await startRegistry();
  home = cliHome();
  const gen = await home.run(['cert', 'generate-test', 'cosekey', '--default']);
  assert.equal(gen.code, 0, gen.stderr);
  const policyFile = join(home.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:cosekey'])));
  const imp = await home.run(['policy', 'import', policyFile]);
  assert.equal(imp.code, 0, imp.stderr);
});
after(() => {
  reg?.stop();
  home?.dispose();
});

const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);

test('registry: sign (cose) pushes an application/cose layer; verify, list and inspect read it', async () => {
  const a = pki.algorithms.rsa2048;
  const target = await pushImage(reg.url, 'cose/api', 'v1');
  const ref = `${reg.host}/cose/api@${target.digest}`;
  const pushed = await nv2.sign(ref, { key: a.key, certChain: a.chain, signatureFormat: 'cose' });
  assert.equal(pushed.signatureDescriptor.mediaType, COSE);
  const result = await nv2.verify(ref, { trustPolicy: policy(), trustStore: storeOf(a.rootEntry.cert) });
  assert.equal(result.verified, true, show(result));

  // The envelope blob as stored in the registry passes the independent checker.
  const blobUrl = `${reg.url}/v2/cose/api/blobs/${pushed.signatureDescriptor.digest}`;
  const envelope = Buffer.from(await (await fetch(blobUrl)).arrayBuffer());
  assert.equal(`sha256:${sha256hex(envelope)}`, pushed.signatureDescriptor.digest);
  const ind = independentCheck(envelope);
  assert.ok(ind.ok, ind.error);
  assert.equal(ind.report.targetArtifact.digest, target.digest);

  const info = await nv2.inspect(ref, { plainHttp: true });
  assert.equal(info.signatures.length, 1);
  assert.equal(info.signatures[0].mediaType, COSE);
  assert.equal(info.signatures[0].algorithm, 'PS256');
});

test('CLI: nv2 sign --signature-format cose, nv2 inspect shows application/cose, nv2 verify', async () => {
  const target = await pushImage(reg.url, 'cose/cli', 'v1');
  const pinned = `${reg.host}/cose/cli@${target.digest}`;
  const signed = await home.run(['sign', '--signature-format', 'cose', '--expiry', '2d', pinned]);
  ok(signed, 'sign --signature-format cose');
  assert.match(signed.stdout, /^Signature envelope: COSE \(application\/cose\)$/m);
  ok(await home.run(['sign', pinned]), 'sign (jws default)');

  const insp = await home.run(['inspect', pinned, '--output', 'json']);
  ok(insp, 'inspect --output json');
  const types = JSON.parse(insp.stdout).signatures.map((s) => s.mediaType).sort();
  assert.deepEqual(types, ['application/cose', 'application/jose+json']);
  const tree = await home.run(['inspect', pinned]);
  ok(tree, 'inspect');
  assert.match(tree.stdout, /media type: application\/cose/);
  assert.match(tree.stdout, /media type: application\/jose\+json/);

  const v = await home.run(['verify', pinned, '-o', 'json']);
  ok(v, 'verify');
  assert.equal(JSON.parse(v.stdout).verified, true);

  const bad = await home.run(['sign', '--signature-format', 'cms', pinned]);
  assert.equal(bad.code, 2);
  assert.match(errorLine(bad), /--signature-format must be jws or cose/);
});

test('CLI: nv2 blob sign --signature-format cose writes <file>.cose.sig; blob verify and inspect read it', async () => {
  const file = join(home.dir, 'artifact.bin');
  writeFileSync(file, crypto.randomBytes(5000));
  const sigDir = join(home.dir, 'sigs');
  ok(await home.run(['blob', 'sign', '--signature-format', 'cose', '--signature-directory', sigDir, file]), 'blob sign');
  const sig = join(sigDir, 'artifact.bin.cose.sig');
  assert.ok(existsSync(sig));
  assert.ok(!existsSync(join(sigDir, 'artifact.bin.jws.sig')));
  const ind = independentCheck(readFileSync(sig));
  assert.ok(ind.ok, ind.error);

  const blobPolicyFile = join(home.dir, 'blob-policy.json');
  writeFileSync(
    blobPolicyFile,
    JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'b', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:cosekey'], trustedIdentities: ['*'] }],
    }),
  );
  ok(await home.run(['blob', 'policy', 'import', blobPolicyFile]), 'blob policy import');
  const v = await home.run(['blob', 'verify', '--signature', sig, file]);
  ok(v, 'blob verify');
  assert.match(v.stdout, /Successfully verified signature/);
  const i = await home.run(['blob', 'inspect', '-o', 'json', sig]);
  ok(i, 'blob inspect');
  assert.equal(JSON.parse(i.stdout).mediaType, COSE);
});
