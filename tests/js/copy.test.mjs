// nv2.copy and `nv2 copy`: an artifact moves with its signatures. Against the real CNCF
// distribution registry (Debian docker-registry; no Referrers API, so the referrers tag schema)
// and, for the Referrers API side only, the spec-following test registry
// (support/referrers-registry.mjs). Covers every API / tag-schema combination, an index with
// several platforms, interruption (an aborted copy, a killed CLI) and resume.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry, pushBlob, pushImage } from './support/registry.mjs';
import { startReferrersRegistry } from './support/referrers-registry.mjs';
import { cliHome, NV2_BIN } from './support/cli.mjs';

const p256 = pki.algorithms.p256;
const p384 = pki.algorithms.p384;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

let dist1; // docker-registry
let dist2; // docker-registry
let api; // Referrers API test registry
before(async () => {
  [dist1, dist2, api] = await Promise.all([startRegistry(), startRegistry(), startReferrersRegistry({ pageSize: 2 })]);
});
after(() => {
  dist1?.stop();
  dist2?.stop();
  api?.stop();
});

const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

/** An image with one layer of `layerBytes` random bytes and a small one; returns its descriptor. */
async function pushBigImage(reg, repo, tag, layerBytes) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', salt: crypto.randomUUID() }));
  const c = await pushBlob(reg.url, repo, config, 'application/vnd.oci.image.config.v1+json');
  const l1 = await pushBlob(reg.url, repo, crypto.randomBytes(layerBytes), 'application/vnd.oci.image.layer.v1.tar');
  const l2 = await pushBlob(reg.url, repo, crypto.randomBytes(100), 'application/vnd.oci.image.layer.v1.tar');
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: c, layers: [l1, l2] }));
  const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'Content-Type': MANIFEST },
  });
  assert.equal(r.status, 201);
  return { mediaType: MANIFEST, digest: sha256(manifest), size: manifest.length, layers: [c, l1, l2] };
}

async function has(reg, repo, what) {
  const r = await fetch(`${reg.url}/v2/${repo}/${what}`, { method: 'HEAD', headers: { Accept: `${MANIFEST}, ${INDEX}` } });
  return r.status === 200;
}

const verifyWith = (ref, signer) => nv2.verify(ref, { trustPolicy: policy(), trustStore: { 'ca:test': [signer.root] } });

// Every combination of source and destination kind: signatures found through the tag schema or
// the Referrers API at the source, and listed through either at the destination.
const combos = [
  ['tag schema', 'tag schema', () => dist1, () => dist2],
  ['tag schema', 'Referrers API', () => dist1, () => api],
  ['Referrers API', 'tag schema', () => api, () => dist2],
];
for (const [from, to, src, dst] of combos) {
  test(`copy with signatures: ${from} → ${to}`, async () => {
    const repo = `combo/${crypto.randomUUID().slice(0, 8)}`;
    // 300 KiB layer in 64 KiB chunks: streamed with ranged GETs where the source honours Range,
    // read whole where it does not (the test registry), and PATCHed in chunks either way.
    const image = await pushBigImage(src(), repo, 'v1', 300 * 1024);
    const source = `${src().host}/${repo}:v1`;
    const s1 = await nv2.sign(source, { key: p256.key, certChain: p256.chain });
    const s2 = await nv2.sign(source, { key: p384.key, certChain: p384.chain });
    const events = [];
    const report = await nv2.copy(source, `${dst().host}/${repo}`, {
      chunkSize: 64 * 1024,
      streamUploads: false,
      onProgress: (e) => events.push(e),
    });
    assert.equal(report.source.digest, image.digest);
    assert.equal(report.destination.digest, image.digest, 'the digest is preserved');
    assert.equal(report.destination.tag, 'v1');
    assert.deepEqual(report.manifests, { copied: 3, skipped: 0 });
    assert.deepEqual(report.referrers, { copied: 2, skipped: 0 });
    assert.deepEqual(report.blobs, { copied: 6, mounted: 0, skipped: 0 }, JSON.stringify(report));
    assert.equal(report.referrersIndexUpdates, to === 'tag schema' ? 1 : 0);
    assert.equal(events[0].type, 'plan');
    assert.deepEqual(
      { m: events[0].manifests, r: events[0].referrers, b: events[0].blobs },
      { m: 3, r: 2, b: 6 },
    );
    const layerProgress = events.filter((e) => e.type === 'blob-progress' && e.digest === image.layers[1].digest);
    // Ranged GETs stream in chunks; a source without Range support is read whole.
    assert.ok(layerProgress.length >= (from === 'Referrers API' ? 1 : 2), JSON.stringify(layerProgress));
    assert.equal(layerProgress.at(-1).sent, image.layers[1].size);
    if (to === 'Referrers API') {
      assert.ok(!api.requests.some((r) => r.startsWith('PUT') && r.includes(`manifests/sha256-`)), 'no tag index on an API registry');
    }

    const dest = `${dst().host}/${repo}:v1`;
    const list = await nv2.listSignatures(dest);
    assert.equal(list.viaTagSchema, to === 'tag schema');
    assert.deepEqual(
      list.signatures.map((d) => d.digest).sort(),
      [s1.manifestDescriptor.digest, s2.manifestDescriptor.digest].sort(),
    );
    for (const s of [p256, p384]) {
      const v = await verifyWith(dest, s);
      assert.equal(v.verified, true, JSON.stringify(v.signatures));
      assert.equal(v.digest, image.digest);
    }

    // Again: everything is there already, nothing is written twice.
    const again = await nv2.copy(source, `${dst().host}/${repo}`, { chunkSize: 64 * 1024 });
    assert.deepEqual(again.manifests, { copied: 0, skipped: 3 });
    assert.deepEqual(again.blobs, { copied: 0, mounted: 0, skipped: 6 });
    assert.equal(again.referrersIndexUpdates, 0);
    assert.equal((await nv2.listSignatures(dest)).signatures.length, 2);
  });
}

test('an index with several platforms, signed as a whole and per platform', async () => {
  const repo = 'multi/net-monitor';
  const amd = await pushImage(dist1.url, repo, 'amd64');
  const arm = await pushImage(dist1.url, repo, 'arm64');
  const s390 = await pushImage(dist1.url, repo, 's390x');
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: [
      { ...amd, platform: { architecture: 'amd64', os: 'linux' } },
      { ...arm, platform: { architecture: 'arm64', os: 'linux' } },
      { ...s390, platform: { architecture: 's390x', os: 'linux' } },
    ],
  }));
  const put = await fetch(`${dist1.url}/v2/${repo}/manifests/v1`, { method: 'PUT', body: index, headers: { 'Content-Type': INDEX } });
  assert.equal(put.status, 201);
  const source = `${dist1.host}/${repo}:v1`;
  await nv2.sign(source, { key: p256.key, certChain: p256.chain });
  const onArm = await nv2.sign(`${dist1.host}/${repo}@${arm.digest}`, { key: p384.key, certChain: p384.chain });

  const report = await nv2.copy(source, `${dist2.host}/mirror/net-monitor`);
  assert.equal(report.source.mediaType, INDEX);
  assert.equal(report.destination.digest, sha256(index));
  assert.deepEqual(report.manifests, { copied: 6, skipped: 0 }, 'index, 3 platforms, 2 signatures');
  for (const d of [amd, arm, s390]) assert.ok(await has(dist2, 'mirror/net-monitor', `manifests/${d.digest}`));
  const armSigs = await nv2.listSignatures(`${dist2.host}/mirror/net-monitor@${arm.digest}`);
  assert.deepEqual(armSigs.signatures.map((s) => s.digest), [onArm.manifestDescriptor.digest]);
  const v = await verifyWith(`${dist2.host}/mirror/net-monitor:v1`, p256);
  assert.equal(v.verified, true);
  assert.equal(v.digest, sha256(index));
});

test('an aborted copy leaves nothing tagged, and the re-run finishes it exactly once', async () => {
  const repo = 'resume/app';
  const image = await pushBigImage(dist1, repo, 'v1', 2 * 1024 * 1024);
  const source = `${dist1.host}/${repo}:v1`;
  const sig = await nv2.sign(source, { key: p256.key, certChain: p256.chain });
  const controller = new AbortController();
  let progressed = 0;
  await assert.rejects(
    nv2.copy(source, `${dist2.host}/${repo}`, {
      chunkSize: 256 * 1024,
      streamUploads: false,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'blob-progress' && ++progressed === 3) controller.abort();
      },
    }),
    (e) => e.code === 'ERR_REGISTRY_HTTP' && e instanceof nv2.RegistryError,
  );
  assert.equal(await has(dist2, repo, 'manifests/v1'), false, 'the tag is written last');
  assert.equal(await has(dist2, repo, `blobs/${image.layers[1].digest}`), false, 'a half-sent blob is not committed');

  const report = await nv2.copy(source, `${dist2.host}/${repo}`, { chunkSize: 256 * 1024 });
  assert.equal(report.destination.digest, image.digest);
  const index = await (
    await fetch(`${dist2.url}/v2/${repo}/manifests/${image.digest.replace(':', '-')}`, { headers: { Accept: INDEX } })
  ).json();
  assert.deepEqual(index.manifests.map((d) => d.digest), [sig.manifestDescriptor.digest], 'listed once');
  assert.equal((await verifyWith(`${dist2.host}/${repo}:v1`, p256)).verified, true);
});

test('in Node each blob is streamed in one request, hashed on the way', async () => {
  const image = await pushBigImage(dist1, 'stream/app', 'v1', 10 * 1024 * 1024);
  const source = `${dist1.host}/stream/app:v1`;
  await nv2.sign(source, { key: p256.key, certChain: p256.chain });
  const log = [];
  const loggingFetch = (url, init) => {
    log.push({ method: init?.method ?? 'GET', path: new URL(url).pathname, range: new Headers(init?.headers).get('range') });
    return fetch(url, init);
  };
  const events = [];
  const report = await nv2.copy(source, `${dist2.host}/stream/app`, {
    fetch: loggingFetch,
    chunkSize: 1024 * 1024,
    onProgress: (e) => events.push(e),
  });
  assert.equal(report.destination.digest, image.digest);
  assert.ok(report.bytes >= image.layers.reduce((n, l) => n + l.size, 0), 'every image blob was sent');
  const big = image.layers[1].digest;
  assert.equal(log.filter((r) => r.method === 'PATCH').length, 1, 'one streamed PATCH for the one blob over the chunk size');
  assert.ok(!log.some((r) => r.range), 'no ranged GETs');
  const progress = events.filter((e) => e.type === 'blob-progress' && e.digest === big);
  assert.ok(progress.length >= 3, `progress while streaming: ${JSON.stringify(progress)}`);
  assert.equal(progress.at(-1).sent, image.layers[1].size);
  assert.ok(await has(dist2, 'stream/app', `blobs/${big}`));
  assert.equal((await verifyWith(`${dist2.host}/stream/app:v1`, p256)).verified, true);
});

test('within one registry, blobs are mounted, not streamed', async () => {
  const image = await pushImage(dist1.url, 'team/app', 'v3');
  await nv2.sign(`${dist1.host}/team/app:v3`, { key: p256.key, certChain: p256.chain });
  const report = await nv2.copy(`${dist1.host}/team/app:v3`, `${dist1.host}/prod/app:stable`);
  assert.equal(report.blobs.mounted, 5, JSON.stringify(report));
  assert.equal(report.bytes, 0);
  assert.equal(report.destination.reference, `${dist1.host}/prod/app:stable@${image.digest}`);
  assert.equal((await verifyWith(`${dist1.host}/prod/app:stable`, p256)).verified, true);
});

test('a tampered source blob fails the copy with ERR_DIGEST_MISMATCH and commits nothing', async () => {
  const image = await pushBigImage(dist1, 'evil/app', 'v1', 200 * 1024);
  const target = image.layers[1].digest;
  // A fetch that flips a byte in what the source serves for the big layer.
  const evilFetch = async (url, init) => {
    const r = await fetch(url, init);
    if (init.method !== 'GET' || !String(url).includes(target)) return r;
    const body = new Uint8Array(await r.arrayBuffer());
    body[body.length - 1] ^= 1;
    return new Response(body, { status: r.status, headers: r.headers });
  };
  await assert.rejects(
    nv2.copy(`${dist1.host}/evil/app:v1`, `${dist2.host}/evil/app`, { fetch: evilFetch, chunkSize: 64 * 1024 }),
    (e) => e.code === 'ERR_DIGEST_MISMATCH',
  );
  assert.equal(await has(dist2, 'evil/app', `blobs/${target}`), false);
  assert.equal(await has(dist2, 'evil/app', 'manifests/v1'), false);
});

test('bad arguments are typed errors', async () => {
  await assert.rejects(nv2.copy('', `${dist2.host}/x`), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(nv2.copy(`${dist1.host}/a:v1`, `${dist2.host}/x`, { concurrency: 0 }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(nv2.copy(`${dist1.host}/a:v1`, `${dist2.host}/x`, { onProgress: 5 }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(nv2.copy(`${dist1.host}/missing/app:v1`, `${dist2.host}/x`), (e) => e.code === 'ERR_REGISTRY_HTTP');
});

test('nv2 copy: progress, --output json, a killed run resumed, --no-referrers', async () => {
  const home = cliHome();
  try {
    const image = await pushBigImage(dist1, 'cli/copy', 'v1', 24 * 1024 * 1024);
    const source = `${dist1.host}/cli/copy:v1`;
    await nv2.sign(source, { key: p256.key, certChain: p256.chain });

    // Kill the CLI once it has streamed part of the 24 MiB layer (progress lines on stderr).
    const child = spawn(NV2_BIN, ['copy', source, `${dist2.host}/cli/copy`, '--concurrency', '1'], {
      env: { ...process.env, ...home.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const killed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/Copying \d+ manifest/.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGKILL'), 150);
    });
    const end = await killed;
    assert.equal(end.signal, 'SIGKILL', `the copy was killed mid-way: ${stderr}`);
    assert.equal(await has(dist2, 'cli/copy', 'manifests/v1'), false);

    const json = await home.run(['copy', source, `${dist2.host}/cli/copy`, '--output', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.destination.digest, image.digest);
    assert.equal(report.manifests.copied + report.manifests.skipped, 2);
    assert.equal(report.blobs.copied + report.blobs.skipped, 5);

    const text = await home.run(['cp', source, `${dist2.host}/cli/again`, '--no-referrers']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Copied .*cli\/copy@sha256:[0-9a-f]{64} to .*cli\/again:v1@sha256/m);
    assert.match(text.stdout, /manifests: 1 copied/);
    assert.match(text.stderr, /blob sha256:[0-9a-f]{64} copied/, 'per-item progress when stderr is not a terminal');
    const list = await nv2.listSignatures(`${dist2.host}/cli/again:v1`);
    assert.equal(list.signatures.length, 0);

    const usage = await home.run(['copy', source]);
    assert.equal(usage.code, 2);
    const help = await home.run(['copy', '--help']);
    assert.match(help.stdout, /--no-referrers/);
  } finally {
    home.dispose();
  }
});

test('copy between registries with their own logins (API callback, CLI --from-/--to- flags)', async () => {
  const fromLogin = { username: 'wabbit', password: 'from-s3cret' };
  const toLogin = { username: 'acme', password: 'to-s3cret' };
  const [from, to] = await Promise.all([startRegistry({ auth: fromLogin }), startRegistry({ auth: toLogin })]);
  const home = cliHome();
  try {
    const basic = (l) => ({ Authorization: `Basic ${Buffer.from(`${l.username}:${l.password}`).toString('base64')}` });
    const image = await pushImage(from.url, 'auth/app', 'v1', { headers: basic(fromLogin) });
    const source = `${from.host}/auth/app:v1`;
    await nv2.sign(source, { key: p256.key, certChain: p256.chain, credentials: { [from.host]: fromLogin } });

    const asked = [];
    const report = await nv2.copy(source, `${to.host}/auth/app`, {
      credentials: async (registry) => {
        asked.push(registry);
        return registry === from.host ? fromLogin : registry === to.host ? toLogin : null;
      },
    });
    assert.equal(report.destination.digest, image.digest);
    assert.deepEqual(report.referrers, { copied: 1, skipped: 0 });
    assert.deepEqual([...new Set(asked)].sort(), [from.host, to.host].sort(), 'the callback is asked for both registries');

    // The CLI: per-side flags; a wrong destination password is an auth error, nothing tagged.
    const wrong = await home.run(['copy', source, `${to.host}/cli/app`, '--from-username', fromLogin.username,
      '--from-password', fromLogin.password, '--to-username', toLogin.username, '--to-password', 'nope', '-q']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /\(ERR_REGISTRY_AUTH\)$/m);
    const ok = await home.run(['copy', source, `${to.host}/cli/app`, '--from-username', fromLogin.username,
      '--from-password', fromLogin.password, '--to-username', toLogin.username, '--to-password', toLogin.password,
      '--output', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).destination.digest, image.digest);
    const list = await nv2.listSignatures(`${to.host}/cli/app:v1`, { credentials: { [to.host]: toLogin } });
    assert.equal(list.signatures.length, 1);
  } finally {
    home.dispose();
    from.stop();
    to.stop();
  }
});
