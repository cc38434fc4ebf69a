// Fixture of the hostile-registry suite (tests/js/hostile.test.mjs): the real registry nv2 signs
// in, the attacker (support/hostile-registry.mjs) holding snapshots of what nv2 signed, a CLI
// home with a trust store and policy, and the runners that drive `verify` through the JS API and
// the CLI and assert verdict, code and time. Exported `let`s are live bindings, set by setup().
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import * as nv2 from 'nv2';
import { pki, policy } from '../helpers.mjs';
import { startRegistry, pushImage } from './registry.mjs';
import { NV2_BIN, cliHome, errorLine, strictPolicy } from './cli.mjs';
import { startHostileRegistry, gzipBomb, INDEX, SIGNATURE } from './hostile-registry.mjs';

export const trusted = pki.algorithms.p256;
export const untrusted = pki.untrusted;
export const login = { username: 'hostile-user', password: 'pa55-never-elsewhere' };
export const INCONCLUSIVE = 'ERR_VERIFICATION_INCONCLUSIVE';

export let up; // the real registry nv2 signs in
export let h; // the hostile registry
export let home; // CLI home
export let policyFile;
export let storeDir;
export let A; // signed image: { target, trustedSig, untrustedSig }
export let B; // another signed image (its signature is re-pointed at A)
export let C; // an unsigned image
export let bomb; // gzip bytes that decode to 64 MiB
let n = 0;
/** A fresh repository name per run: no client cache can answer. */
export const repo = () => `t${++n}/app`;
/** A fresh `<prefix>N` name (copy destinations). */
export const fresh = (prefix) => `${prefix}${++n}`;

/** Registers the suite's before/after hooks. */
export function useHostileFixture() {
  before(setup);
  after(teardown);
}

async function setup() {
  up = await startRegistry();
  h = await startHostileRegistry();
  home = cliHome();
  storeDir = join(home.dir, 'truststore');
  mkdirSync(join(storeDir, 'x509', 'ca', 'test'), { recursive: true });
  writeFileSync(join(storeDir, 'x509', 'ca', 'test', 'root.pem'), trusted.root);
  policyFile = join(home.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:test'])));

  const sign = (ref, who) => nv2.sign(ref, { key: who.key, certChain: who.chain });
  await pushImage(up.url, 'src/app', 'v1');
  const t = await sign(`${up.host}/src/app:v1`, trusted);
  const u = await sign(`${up.host}/src/app:v1`, untrusted);
  await pushImage(up.url, 'src/other', 'v1');
  await sign(`${up.host}/src/other:v1`, trusted);
  await pushImage(up.url, 'src/unsigned', 'v1');

  const b = await h.importArtifact(up.url, 'src/other', 'v1', { as: 'other' });
  const c = await h.importArtifact(up.url, 'src/unsigned', 'v1', { as: 'unsigned' });
  const a = await h.importArtifact(up.url, 'src/app', 'v1', { as: 'v1' });
  const find = (d) => a.signatures.find((s) => s.digest === d);
  A = { target: a.target, trustedSig: find(t.manifestDescriptor.digest), untrustedSig: find(u.manifestDescriptor.digest) };
  assert.ok(A.trustedSig && A.untrustedSig, 'both signatures imported');
  B = { target: b.target, sig: b.signatures[0] };
  C = { target: c.target };
  setListing(A.target.digest, [A.trustedSig]);
  bomb = await gzipBomb(64);
}

function teardown() {
  h?.stop();
  up?.stop();
  home?.dispose();
}

/** Makes `descriptors` the referrers of `subject` in both the Referrers API and the tag index. */
export function setListing(subject, descriptors) {
  h.setReferrers(subject, descriptors);
  h.putManifest(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: descriptors }), {
    mediaType: INDEX,
    tag: subject.replace(':', '-'),
  });
}
export const API_ONLY = { step: 'referrers-tag', do: { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"x"}]}' } };
// CNCF distribution 2.8's answer to the referrers route (CONTRIBUTING.md §The test registry).
export const NO_API = { step: 'referrers-api', do: { status: 404, body: '404 page not found\n', headers: { 'content-type': 'text/plain' } } };

export const jsTrust = { trustPolicy: policy({ stores: ['ca:test'] }), trustStore: { 'ca:test': [trusted.root] }, cache: false };

/** nv2.verify through the JS API → { verified, inconclusive, code, warnings, digest, ms }. */
export async function jsVerify(ref, opts = {}) {
  const t0 = Date.now();
  try {
    const r = await nv2.verify(ref, { ...jsTrust, ...opts });
    return {
      verified: r.verified,
      inconclusive: r.inconclusive,
      code: r.verified ? null : r.inconclusive ? INCONCLUSIVE : r.error?.code ?? null,
      warnings: r.warnings,
      digest: r.digest,
      result: r,
      ms: Date.now() - t0,
    };
  } catch (e) {
    assert.ok(e instanceof nv2.NotationError, `not a NotationError: ${e?.stack ?? e}`);
    return { verified: false, inconclusive: e.code === INCONCLUSIVE, code: e.code, warnings: [], error: e, ms: Date.now() - t0 };
  }
}

/**
 * Runs the installed `nv2` in the test's CLI home (as support/cli.mjs does) but bounded: killed
 * after `limitMs`, so a CLI that prints its verdict and then never exits (a pending request or
 * timer keeps Node alive) fails its test with that message instead of hanging the suite.
 */
export function runCli(args, { env = {}, limitMs = 20_000, input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(NV2_BIN, args, { env: { ...process.env, NV2_DEBUG: '', ...home.env, ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
    child.stdin.end(input);
  });
}
export const exited = (r, what) =>
  assert.equal(r.killed, false, `${what}: nv2 did not exit within its bound (killed)\n${r.stdout}\n${r.stderr}`);

/** `nv2 verify` → { verified, inconclusive, code, warnings, digest, ms, out }. */
export async function cliVerify(ref, args = [], env = {}) {
  const t0 = Date.now();
  const r = await runCli(['verify', ref, '--trust-policy', policyFile, '--trust-store', storeDir, ...args], { env });
  exited(r, `verify ${ref}`);
  const line = errorLine(r) ?? '';
  const code = r.code === 0 ? null : (line.match(/\((ERR_[A-Z_]+)\)$/) ?? [])[1] ?? `exit ${r.code}`;
  return {
    verified: r.code === 0 && /Successfully verified signature/.test(r.stdout),
    inconclusive: code === INCONCLUSIVE,
    code,
    warnings: r.stderr.split('\n').filter((l) => l.startsWith('Warning: ')),
    digest: (r.stdout.match(/@(sha256:[0-9a-f]{64})/) ?? [])[1],
    ms: Date.now() - t0,
    out: `exit ${r.code}\n${r.stdout}\n${r.stderr}`,
  };
}

/**
 * Runs verify through the JS API and then the CLI (or `only`, in that order), re-arming the
 * hostile rules before each; asserts `expect` ({ verified, code (string or list), withinMs }) on
 * each. `jsOpts` may be a function (called just before the JS run, e.g. for an AbortSignal).
 * Returns { js, cli } with the requests each run caused (`reqs`).
 */
export async function both({ arm, ref, expect, jsOpts = {}, cliArgs = [], cliEnv = {}, only }) {
  const out = {};
  for (const via of only ?? ['js', 'cli']) {
    h.reset();
    arm?.();
    const mark = h.requests.length;
    const opts = typeof jsOpts === 'function' ? jsOpts() : jsOpts;
    const v = via === 'js' ? await jsVerify(ref(), opts) : await cliVerify(ref(), cliArgs, cliEnv);
    v.reqs = h.since(mark);
    const what = `${via}: ${JSON.stringify({ verified: v.verified, code: v.code, ms: v.ms, warnings: v.warnings })}${v.out ? `\n${v.out}` : ''}`;
    if (expect.verified !== undefined) assert.equal(v.verified, expect.verified, what);
    if (expect.code !== undefined) {
      const codes = [expect.code].flat();
      assert.ok(codes.includes(v.code), `${via}: code ${v.code}, want ${codes.join(' | ')}\n${what}`);
    }
    if (expect.withinMs) assert.ok(v.ms < expect.withinMs, `${via}: took ${v.ms} ms, bound ${expect.withinMs} ms`);
    out[via] = v;
  }
  h.reset();
  return out;
}

export const count = (reqs, step, origin) => reqs.filter((r) => r.step === step && (!origin || r.origin === origin)).length;
export const byDigest = (d) => `${h.host}/${repo()}@${d}`;
export const byTag = (t) => `${h.host}/${repo()}:${t}`;

/** Puts a signature manifest (bytes given) into the store and returns its descriptor. */
export function putSig(doc) {
  const d = h.putManifest(typeof doc === 'string' ? doc : JSON.stringify(doc));
  return { ...d, artifactType: SIGNATURE };
}
export const sigDoc = (desc) => JSON.parse(h.manifest(desc.digest).body.toString('utf8'));

