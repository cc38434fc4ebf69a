// Deadlines and inconclusive discovery (threat model 25, 27) against a misbehaving registry.
//
// TEST STAND-IN: the misbehaviour comes from a small in-process node:http proxy in front of the
// real CNCF distribution registry (Debian docker-registry): it forwards every request unchanged
// except the ones a test picks, which it never answers, answers with a trickle, a steady but
// endless body, a connection reset or a 503. The real registry cannot be slow or reset on cue,
// so this proxy plays that part; everything else (content, signatures, tag schema) is the real
// registry's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry, pushImage, freePort } from './support/registry.mjs';
import { cliHome, strictPolicy } from './support/cli.mjs';

const alg = pki.algorithms.p256;
// Without deadlines these cases would hang forever: each test fails after LIMIT instead.
const LIMIT = 60_000;
let reg;
let proxy;
let home;

/**
 * The misbehaving proxy. `proxy.rule = (req) => action` picks, per request: undefined (forward),
 * 'hang' (accept, never answer), 'reset' (destroy the socket), 'trickle' (headers, then one body
 * byte every 1.5 s), 'steady' (headers, then 16 KiB every 50 ms, forever), or a status number.
 * `proxy.log` records `METHOD path` of every request.
 */
async function startProxy(upstream) {
  const sockets = new Set();
  const timers = new Set();
  const state = { rule: () => undefined, log: [] };
  const server = createServer((req, res) => {
    state.log.push(`${req.method} ${req.url.split('?')[0]}`);
    const action = state.rule(req);
    if (action === 'hang') return;
    if (action === 'reset') return req.socket.destroy();
    if (typeof action === 'number') {
      res.writeHead(action, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'test stand-in says no' }] }));
    }
    if (action === 'trickle' || action === 'steady') {
      // No Content-Length (chunked): nv2 checks a declared length against the descriptor first.
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.flushHeaders();
      const [every, chunk] = action === 'steady' ? [50, Buffer.alloc(16 * 1024, 0x20)] : [1500, Buffer.from(' ')];
      const t = setInterval(() => res.write(chunk), every);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
      return;
    }
    const up = httpRequest(`${upstream}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } }, (r) => {
      // Redirects from the registry name its own host: point them back through the proxy.
      const headers = { ...r.headers };
      if (headers.location) headers.location = headers.location.replace(upstream, state.url);
      res.writeHead(r.statusCode, headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  state.host = `127.0.0.1:${port}`;
  state.url = `http://${state.host}`;
  state.stop = () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    server.close();
  };
  return state;
}

before(async () => {
  reg = await startRegistry();
  proxy = await startProxy(reg.url);
  home = cliHome();
  const gen = await home.run(['cert', 'generate-test', 'wabbit', '--default']);
  assert.equal(gen.code, 0, gen.stderr);
  const policyFile = join(home.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:wabbit'])));
  assert.equal((await home.run(['policy', 'import', policyFile])).code, 0);
});
after(() => {
  proxy?.stop();
  reg?.stop();
  home?.dispose();
});

const trust = () => ({ trustPolicy: policy(), trustStore: { 'ca:test': [alg.root] } });
const isReferrers = (req) => req.url.includes('/referrers/');
/** The artifact, signed, as seen through the proxy; `sig`: the signature's descriptors. */
async function signedImage(repo) {
  proxy.rule = () => undefined;
  const target = await pushImage(reg.url, repo, 'v1');
  const sig = await nv2.sign(`${reg.host}/${repo}@${target.digest}`, { key: alg.key, certChain: alg.chain });
  return { target, sig, ref: `${proxy.host}/${repo}@${target.digest}` };
}

/** Runs `fn`, returning [its result or error, elapsed ms]. */
async function timed(fn) {
  const t0 = Date.now();
  try {
    return [await fn(), Date.now() - t0];
  } catch (e) {
    return [e, Date.now() - t0];
  }
}

test('a registry that accepts and never answers is cut by the first-byte deadline', { timeout: LIMIT }, async () => {
  const { ref } = await signedImage('dl/hang');
  proxy.rule = () => 'hang';
  const [e, ms] = await timed(() => nv2.listSignatures(ref, { timeout: { firstByteMs: 1000 } }));
  assert.ok(e instanceof nv2.RegistryError, String(e));
  assert.equal(e.code, 'ERR_REGISTRY_HTTP');
  assert.equal(e.details.transport, 'deadline');
  assert.equal(e.details.during, 'firstByte');
  assert.equal(e.details.waitedMs, 1000);
  assert.match(e.details.url, new RegExp(`^http://${proxy.host}/v2/dl/hang/manifests/sha256:`));
  assert.match(e.message, /waited 1000 ms for the first byte/);
  assert.ok(ms >= 1000 && ms < 5000, `cut after ${ms} ms (default first-byte deadline: 30 s)`);

  // verify: the same deadline while resolving is inconclusive, with the reason.
  const [v] = await timed(() => nv2.verify(ref, { ...trust(), timeout: { firstByteMs: 1000 } }));
  assert.ok(v instanceof nv2.VerificationInconclusiveError, String(v));
  assert.equal(v.details.step, 'resolve');
  assert.equal(v.details.during, 'firstByte');
  // A single number is the operation's deadline (and caps the waits within it): that is what
  // passes first when the very first request hangs.
  const [w, wms] = await timed(() => nv2.verify(ref, { ...trust(), timeout: 1200 }));
  assert.equal(w.code, 'ERR_VERIFICATION_INCONCLUSIVE', String(w));
  assert.deepEqual([w.details.during, w.details.waitedMs], ['operation', 1200]);
  assert.ok(wms >= 1100 && wms < 5000, `${wms} ms`);
});

test('a body trickled one byte every 1.5 s is cut by the idle deadline', { timeout: LIMIT }, async () => {
  const { ref, sig } = await signedImage('dl/trickle');
  proxy.rule = (req) => (req.url.endsWith(sig.manifestDescriptor.digest) ? 'trickle' : undefined);
  const [r, ms] = await timed(() => nv2.verify(ref, { ...trust(), timeout: { idleMs: 1000 } }));
  assert.equal(r.verified, false);
  assert.equal(r.inconclusive, true, JSON.stringify(r));
  const e = r.signatures[0].error;
  assert.equal(e.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.equal(e.details.step, 'fetch');
  assert.equal(e.details.during, 'idle');
  assert.equal(e.details.waitedMs, 1000);
  assert.ok(e.details.url.endsWith(sig.manifestDescriptor.digest), e.details.url);
  assert.ok(ms < 6000, `cut after ${ms} ms`);

  // Never idle for long, but never done: the operation deadline cuts it.
  const [r2, ms2] = await timed(() => nv2.verify(ref, { ...trust(), timeout: { operationMs: 2500 } }));
  assert.equal(r2.inconclusive, true);
  assert.equal(r2.signatures[0].error.details.during, 'operation');
  assert.ok(ms2 >= 2400 && ms2 < 6000, `cut after ${ms2} ms`);
});

test('a huge but steady body is cut by the operation deadline', { timeout: LIMIT }, async () => {
  const { ref } = await signedImage('dl/steady');
  // Resolving the tag (up to 4 MiB accepted): 16 KiB every 50 ms, never idle, never done.
  const byTag = ref.replace(/@.*/, ':v1');
  proxy.rule = (req) => (req.url.endsWith('/manifests/v1') ? 'steady' : undefined);
  const [e, ms] = await timed(() => nv2.listSignatures(byTag, { timeout: { idleMs: 1000, operationMs: 2000 } }));
  assert.equal(e.code, 'ERR_REGISTRY_HTTP', String(e));
  assert.deepEqual([e.details.during, e.details.waitedMs], ['operation', 2000]);
  assert.ok(e.details.url.endsWith('/manifests/v1'), e.details.url);
  assert.ok(ms >= 1900 && ms < 6000, `cut after ${ms} ms`);
  const [v] = await timed(() => nv2.verify(byTag, { ...trust(), timeout: { operationMs: 2000 } }));
  assert.equal(v.code, 'ERR_VERIFICATION_INCONCLUSIVE', String(v));
  assert.equal(v.details.during, 'operation');
});

test('a reset on the referrers route is inconclusive, never "no signature" (API and CLI)', { timeout: LIMIT }, async () => {
  const { ref } = await signedImage('dl/reset');
  proxy.rule = (req) => (isReferrers(req) ? 'reset' : undefined);
  proxy.log = [];
  const r = await nv2.verify(ref, trust());
  assert.equal(r.verified, false);
  assert.equal(r.inconclusive, true);
  assert.deepEqual(r.signatures, []);
  assert.equal(r.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.equal(r.error.details.step, 'discover');
  assert.equal(r.error.details.transport, 'network');
  assert.match(r.error.details.url, /\/referrers\/sha256:/);
  assert.ok(!proxy.log.some((l) => /manifests\/sha256-/.test(l)), 'a reset is not "no Referrers API": no tag schema lookup');

  const cli = await home.run(['verify', ref, '-o', 'json']);
  assert.equal(cli.code, 1, cli.stderr);
  const out = JSON.parse(cli.stdout);
  assert.equal(out.inconclusive, true);
  assert.equal(out.verified, false);
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(out.error.message, /discovering the signatures/);
  assert.match(out.error.details.url, /\/referrers\//);
  const text = await home.run(['verify', ref]);
  assert.equal(text.code, 1);
  assert.match(text.stderr, /^Error: signature verification inconclusive for .*referrers.*\(ERR_VERIFICATION_INCONCLUSIVE\)$/m);
});

test('503 after the retries on referrers, signature manifest or envelope blob is inconclusive', { timeout: LIMIT }, async () => {
  const { ref, sig } = await signedImage('dl/unavailable');
  const cases = {
    referrers: isReferrers,
    manifest: (req) => req.url.endsWith(sig.manifestDescriptor.digest),
    blob: (req) => req.url.endsWith(sig.signatureDescriptor.digest),
  };
  for (const [name, match] of Object.entries(cases)) {
    proxy.log = [];
    proxy.rule = (req) => (match(req) ? 503 : undefined);
    const r = await nv2.verify(ref, trust());
    assert.equal(r.verified, false, name);
    assert.equal(r.inconclusive, true, `${name}: ${JSON.stringify(r)}`);
    const e = name === 'referrers' ? r.error : r.signatures[0].error;
    assert.equal(e.code, 'ERR_VERIFICATION_INCONCLUSIVE', name);
    assert.equal(e.details.status, 503, name);
    assert.equal(e.details.step, name === 'referrers' ? 'discover' : 'fetch', name);
    assert.equal(proxy.log.filter((l) => match({ url: l })).length, 3, `${name}: asked three times (two retries)`);
  }
  // 503 resolving the tag: thrown inconclusive, not ERR_REGISTRY_HTTP.
  proxy.rule = () => 503;
  await assert.rejects(nv2.verify(ref.replace(/@.*/, ':v1'), trust()), (e) => e.code === 'ERR_VERIFICATION_INCONCLUSIVE' && e.details.step === 'resolve');
});

test('CLI --timeout: cuts a silent registry, -o json says inconclusive with the reason', { timeout: LIMIT }, async () => {
  const { ref } = await signedImage('dl/cli');
  proxy.rule = () => 'hang';
  const [r, ms] = await timed(() => home.run(['verify', ref, '--timeout', '1500ms', '-o', 'json']));
  assert.equal(r.code, 1, r.stderr);
  assert.ok(ms < 10_000, `${ms} ms`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.inconclusive, true);
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.deepEqual([out.error.details.during, out.error.details.waitedMs], ['operation', 1500]);
  assert.match(out.error.message, /waited 1500 ms for the operation to finish/);
  const list = await home.run(['list', ref, '--timeout', 'first-byte=1s']);
  assert.equal(list.code, 1);
  assert.match(list.stderr, /waited 1000 ms for the first byte .*\(ERR_REGISTRY_HTTP\)$/m);
  // nv2 login: the same deadlines (it used to have a fixed 30 s timeout).
  const [login, lms] = await timed(() => home.run(['login', '-u', 'a', '--password-stdin', '--timeout', 'first-byte=1s', proxy.host], { input: 'b' }));
  assert.equal(login.code, 1);
  assert.match(login.stderr, /cannot reach http:\/\/.*\/v2\/: deadline passed: waited 1000 ms for the first byte \(ERR_REGISTRY_HTTP\)$/m);
  assert.ok(lms < 10_000, `${lms} ms`);
  const login2 = await home.run(['login', '-u', 'a', '--password-stdin', '--timeout', '1s', proxy.host], { input: 'b' });
  assert.match(login2.stderr, /waited 1000 ms for the operation to finish \(ERR_REGISTRY_HTTP\)$/m);
  const bad = await home.run(['list', ref, '--timeout', 'soon']);
  assert.equal(bad.code, 2);
});

test("the caller's AbortSignal still stops an operation, as an abort, not a deadline", { timeout: LIMIT }, async () => {
  const { ref } = await signedImage('dl/abort');
  proxy.rule = () => 'hang';
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const [e, ms] = await timed(() => nv2.listSignatures(ref, { signal: controller.signal, timeout: 20_000 }));
  assert.equal(e.code, 'ERR_REGISTRY_HTTP', String(e));
  assert.equal(e.details.transport, 'aborted');
  assert.ok(ms < 5000, `${ms} ms`);
  await assert.rejects(nv2.listSignatures(ref, { timeout: 0 }), (x) => x.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(nv2.listSignatures(ref, { timeout: { soon: 1 } }), (x) => x.code === 'ERR_INVALID_ARGUMENT');
});

test('sign cut by a deadline writes no index entry; copy cut mid-blob is finished by a re-run', { timeout: LIMIT }, async () => {
  const { target, ref } = await signedImage('dl/write');
  // The signature manifest PUT never answers: sign fails typed, the referrers index is unchanged.
  const indexUrl = `${reg.url}/v2/dl/write/manifests/${target.digest.replace(':', '-')}`;
  const accept = { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } };
  const before = await (await fetch(indexUrl, accept)).json();
  proxy.rule = (req) => (req.method === 'PUT' && /manifests\/sha256:/.test(req.url) ? 'hang' : undefined);
  const [e] = await timed(() => nv2.sign(ref, { key: alg.key, certChain: alg.chain, timeout: { firstByteMs: 1000 } }));
  assert.equal(e.code, 'ERR_REGISTRY_HTTP', String(e));
  assert.equal(e.details.during, 'firstByte');
  const afterSign = await (await fetch(indexUrl, accept)).json();
  assert.deepEqual(afterSign.manifests.map((d) => d.digest), before.manifests.map((d) => d.digest), 'no index entry for a signature whose manifest push was cut');

  // copy from the proxy: a layer trickles, the copy is cut, nothing is tagged; the re-run finishes.
  const dst = await startRegistry();
  try {
    const layer = JSON.parse(await (await fetch(`${reg.url}/v2/dl/write/manifests/${target.digest}`, { headers: { Accept: target.mediaType } })).text()).layers[0];
    proxy.rule = (req) => (req.url.endsWith(`/blobs/${layer.digest}`) && req.method === 'GET' ? 'trickle' : undefined);
    const [c] = await timed(() => nv2.copy(ref, `${dst.host}/dl/copy:v1`, { timeout: { idleMs: 1000 } }));
    assert.equal(c.code, 'ERR_REGISTRY_HTTP', String(c));
    assert.equal(c.details.during, 'idle');
    const tagged = await fetch(`${dst.url}/v2/dl/copy/manifests/v1`, { headers: { Accept: target.mediaType } });
    assert.equal(tagged.status, 404, 'the tag is written last: nothing names a half-copied graph');
    // The same through Node's streaming pipe (a blob larger than chunkSize is streamed in one
    // request, node-pipe.js): its watchdog cuts the trickle too.
    const big = JSON.parse(await (await fetch(`${reg.url}/v2/dl/write/manifests/${target.digest}`, { headers: { Accept: target.mediaType } })).text()).layers[1];
    const ranges = [];
    proxy.rule = (req) => {
      if (!(req.url.endsWith(`/blobs/${big.digest}`) && req.method === 'GET')) return undefined;
      ranges.push(req.headers.range);
      return 'trickle';
    };
    const [p] = await timed(() => nv2.copy(ref, `${dst.host}/dl/pipe:v1`, { chunkSize: 1024, timeout: { idleMs: 1000 } }));
    assert.equal(p.code, 'ERR_REGISTRY_HTTP', String(p));
    assert.deepEqual([p.details.during, p.details.waitedMs], ['idle', 1000]);
    assert.ok(p.details.url.endsWith(`/blobs/${big.digest}`), p.details.url);
    assert.deepEqual(ranges, [undefined], 'streamed in one request (no Range): the pipe path');
    const pipeTagged = await fetch(`${dst.url}/v2/dl/pipe/manifests/v1`, { headers: { Accept: target.mediaType } });
    assert.equal(pipeTagged.status, 404);
    proxy.rule = () => undefined;
    const report = await nv2.copy(ref, `${dst.host}/dl/copy:v1`);
    assert.equal(report.destination.digest, target.digest);
    const v = await nv2.verify(`${dst.host}/dl/copy:v1`, trust());
    assert.equal(v.verified, true);
    assert.equal((await nv2.copy(ref, `${dst.host}/dl/pipe:v1`, { chunkSize: 1024 })).destination.digest, target.digest);
  } finally {
    dst.stop();
  }
});
