// The installed `nv2` command line against a real registry (Debian docker-registry on 127.0.0.1,
// no Referrers API: signatures are found through the referrers tag schema). A missing
// docker-registry binary fails the suite (see support/registry.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, pushImage } from './support/registry.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';

let reg;
let authReg;
let home;
const login = { username: 'nv2cli', password: 'cli-s3cret' };

before(async () => {
  reg = await startRegistry();
  authReg = await startRegistry({ auth: login });
  home = cliHome();
  const gen = await home.run(['cert', 'generate-test', 'wabbit', '--default']);
  assert.equal(gen.code, 0, gen.stderr);
  const policyFile = join(home.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:wabbit'])));
  const imp = await home.run(['policy', 'import', policyFile]);
  assert.equal(imp.code, 0, imp.stderr);
});
after(() => {
  reg?.stop();
  authReg?.stop();
  home?.dispose();
});

const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);

test('sign by tag, verify, list, sign again, inspect --output json', async () => {
  const target = await pushImage(reg.url, 'cli/net-monitor', 'v1');
  const ref = `${reg.host}/cli/net-monitor:v1`;
  const pinned = `${reg.host}/cli/net-monitor@${target.digest}`;

  const signed = await home.run(['sign', ref, '-a', 'team=wabbit', '--expiry', '7d']);
  ok(signed, 'sign');
  assert.match(signed.stdout, new RegExp(`^Successfully signed ${pinned.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(signed.stderr, /Warning: .*tag/i, 'signing by tag warns');
  assert.match(signed.stdout, /^Signature envelope: JWS \(application\/jose\+json\)$/m);

  const verified = await home.run(['verify', ref]);
  ok(verified, 'verify');
  assert.match(verified.stdout, new RegExp(`Successfully verified signature for ${pinned.replace(/[.]/g, '\\.')}`));
  assert.match(verified.stdout, /integrity: passed/);

  const list1 = await home.run(['list', pinned]);
  ok(list1, 'list');
  assert.equal(list1.stdout.match(/── sha256:[0-9a-f]{64}$/gm).length, 1, list1.stdout);
  assert.match(list1.stdout, /└── application\/vnd\.cncf\.notary\.signature/);

  ok(await home.run(['sign', '--key', 'wabbit', pinned]), 'second sign (key by name)');
  const list2 = await home.run(['ls', pinned, '--output', 'json']);
  ok(list2, 'ls --output json');
  const listing = JSON.parse(list2.stdout);
  assert.equal(listing.signatures.length, 2);
  assert.equal(listing.digest, target.digest);

  const insp = await home.run(['inspect', pinned, '--output', 'json']);
  ok(insp, 'inspect');
  const info = JSON.parse(insp.stdout);
  assert.equal(info.digest, target.digest);
  assert.equal(info.signatures.length, 2);
  for (const s of info.signatures) {
    assert.equal(s.mediaType, 'application/jose+json');
    assert.equal(s.algorithm, 'ES256');
    assert.equal(s.signingScheme, 'notary.x509');
    assert.equal(s.chain.length, 2);
    assert.match(s.chain[0].subject, /CN=wabbit/);
    assert.match(s.chain[0].thumbprint, /^[0-9a-f]{64}$/);
  }
  assert.equal(info.signatures.filter((s) => s.expiry).length, 1, 'only the first signature has an expiry');
  // The signed user metadata and target, read through the envelope's own integrity check.
  assert.deepEqual(info.signatures.map((s) => s.userMetadata.team ?? null).sort(), ['wabbit', null].sort());
  assert.ok(info.signatures.every((s) => s.signedTarget.digest === target.digest));

  const tree = await home.run(['inspect', pinned]);
  ok(tree, 'inspect (text)');
  assert.match(tree.stdout, /signature algorithm: ECDSA-SHA-256/);
  assert.match(tree.stdout, /SHA256 fingerprint: [0-9a-f]{64}/);
  assert.match(tree.stdout, /expiry: 20\d\d-/);
  assert.match(tree.stdout, /user defined attributes\n.*team: wabbit/);

  // -a/--user-metadata is signed user metadata: verify can require it.
  ok(await home.run(['verify', pinned, '-m', 'team=wabbit']), 'verify -m team=wabbit');
  const wrongMeta = await home.run(['verify', pinned, '-m', 'team=other']);
  assert.equal(wrongMeta.code, 1);
  assert.match(errorLine(wrongMeta), /\(ERR_USER_METADATA_MISMATCH\)$/);

  const vjson = await home.run(['verify', pinned, '-o', 'json']);
  ok(vjson, 'verify --output json');
  assert.equal(JSON.parse(vjson.stdout).verified, true);
});

test('untrusted trust store → exit 1; unsigned image → exit 1 with ERR_NO_SIGNATURE', async () => {
  const target = await pushImage(reg.url, 'cli/untrusted', 'v1');
  const ref = `${reg.host}/cli/untrusted@${target.digest}`;
  ok(await home.run(['sign', ref]), 'sign');

  // A second CLI home whose only trusted CA is an unrelated one.
  const other = cliHome();
  try {
    ok(await other.run(['cert', 'generate-test', 'other']), 'generate-test other');
    const policyFile = join(other.dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:other'])));
    const r = await other.run(['verify', ref, '--trust-policy', policyFile]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(errorLine(r), /^Error: signature verification failed for .*\(ERR_SIGNATURE_AUTHENTICITY\)$/);
  } finally {
    other.dispose();
  }

  const unsigned = await pushImage(reg.url, 'cli/unsigned', 'v1');
  const r = await home.run(['verify', `${reg.host}/cli/unsigned@${unsigned.digest}`]);
  assert.equal(r.code, 1);
  assert.match(errorLine(r), /\(ERR_NO_SIGNATURE\)$/);
});

test('two nv2 sign processes started at once on one artifact: both signatures listed', async () => {
  const target = await pushImage(reg.url, 'cli/race', 'v1');
  const ref = `${reg.host}/cli/race@${target.digest}`;
  const [a, b] = await Promise.all([home.run(['sign', ref]), home.run(['sign', ref])]);
  ok(a, 'sign A');
  ok(b, 'sign B');
  const list = await home.run(['list', ref, '-o', 'json']);
  ok(list, 'list');
  assert.equal(JSON.parse(list.stdout).signatures.length, 2);
});

test('Basic-auth registry: login, sign, verify, logout; wrong password → ERR_REGISTRY_AUTH', async () => {
  const headers = { Authorization: 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64') };
  const target = await pushImage(authReg.url, 'cli/private', 'v1', { headers });
  const ref = `${authReg.host}/cli/private@${target.digest}`;

  // No credentials at all.
  const anon = await home.run(['sign', ref]);
  assert.equal(anon.code, 1);
  assert.match(errorLine(anon), /\(ERR_REGISTRY_AUTH\)$/);

  // Wrong password: refused at login, and on sign/verify with flags.
  const bad = await home.run(['login', '-u', login.username, '--password-stdin', authReg.host], { input: 'wrong\n' });
  assert.equal(bad.code, 1);
  assert.match(errorLine(bad), /\(ERR_REGISTRY_AUTH\)$/);
  const badSign = await home.run(['sign', ref, '-u', login.username, '-p', 'wrong']);
  assert.equal(badSign.code, 1);
  assert.match(errorLine(badSign), /\(ERR_REGISTRY_AUTH\)$/);

  const good = await home.run(['login', '-u', login.username, '--password-stdin', authReg.host], { input: `${login.password}\n` });
  ok(good, 'login');
  assert.match(good.stdout, /Login Succeeded/);
  ok(await home.run(['sign', ref]), 'sign with the stored login');
  const v = await home.run(['verify', ref]);
  ok(v, 'verify with the stored login');
  assert.match(v.stdout, /Successfully verified signature/);
  const badVerify = await home.run(['verify', ref, '-u', login.username, '-p', 'nope']);
  assert.equal(badVerify.code, 1);
  assert.match(errorLine(badVerify), /\((ERR_REGISTRY_AUTH|ERR_VERIFICATION_INCONCLUSIVE)\)$/);

  ok(await home.run(['logout', authReg.host]), 'logout');
  const after = await home.run(['list', ref]);
  assert.equal(after.code, 1);
  assert.match(errorLine(after), /\(ERR_REGISTRY_AUTH\)$/);
});
