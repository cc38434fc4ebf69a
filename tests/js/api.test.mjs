// The installed package: entry points, exports map, SRI constant, wrapper argument handling.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as nv2 from 'nv2';
import { WASM_BYTES, WASM_EXPORTS } from './helpers.mjs';

const pkgJson = createRequire(import.meta.url)('nv2/package.json');

test('version() is the package version', () => {
  assert.equal(nv2.version(), pkgJson.version);
  assert.match(nv2.version(), /^\d+\.\d+\.\d+/);
});

test('the node entry is loaded synchronously; init() is a harmless no-op', async () => {
  assert.equal(nv2.isInitialized(), true);
  await nv2.init();
  assert.equal(nv2.version(), pkgJson.version);
});

test('package.json: ESM, engines, exports map, no install scripts', () => {
  assert.equal(pkgJson.name, 'nv2');
  assert.equal(pkgJson.type, 'module');
  // The releases with require(esm) unflagged (require.test.mjs).
  assert.equal(pkgJson.engines.node, '^20.19.0 || >=22.12.0');
  assert.deepEqual(Object.keys(pkgJson.exports['.']), ['types', 'node', 'browser', 'default']);
  assert.equal(pkgJson.exports['./wasm'], './dist/nv2_wasm_bg.wasm');
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) {
    assert.equal(pkgJson.scripts?.[s], undefined, `no ${s} script`);
  }
  assert.equal(pkgJson.dependencies, undefined, 'no runtime dependencies');
});

test('exports map: the node condition is used and internals are not importable', async () => {
  assert.match(import.meta.resolve('nv2'), /\/node_modules\/nv2\/node\.js$/);
  assert.match(import.meta.resolve('nv2/wasm'), /\/node_modules\/nv2\/dist\/nv2_wasm_bg\.wasm$/);
  await assert.rejects(import('nv2/core.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  await assert.rejects(import('nv2/dist/nv2_wasm.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});

test('the browser entry exists in the tarball and exports the same API plus init', async () => {
  const browserUrl = new URL('./browser.js', import.meta.resolve('nv2'));
  const src = readFileSync(browserUrl, 'utf8');
  assert.match(src, /export function init\(/);
  const b = await import(browserUrl.href);
  for (const k of Object.keys(nv2)) assert.ok(k in b, `browser entry exports ${k}`);
});

test('WASM_SRI is the sha384 of the packaged .wasm', () => {
  const expected = 'sha384-' + createHash('sha384').update(WASM_BYTES).digest('base64');
  assert.equal(nv2.WASM_SRI, expected);
});

test('the wasm module exports version (and reports what else it has)', (t) => {
  assert.ok(WASM_EXPORTS.has('version'));
  const api = ['verifyEnvelope', 'signDescriptor', 'prepareSignature'];
  t.diagnostic(`wasm API exports present: ${api.filter((e) => WASM_EXPORTS.has(e)).join(', ') || 'none'}`);
});

test('argument validation in the wrapper throws ParseError ERR_INVALID_ARGUMENT', async () => {
  for (const bad of [undefined, null, 'x', [1]]) {
    assert.throws(() => nv2.verifyEnvelope(bad), (e) => {
      assert.ok(e instanceof nv2.ParseError);
      assert.ok(e instanceof nv2.NotationError);
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT');
      return true;
    });
  }
  const base = { envelope: new Uint8Array(1), trustStore: {}, mediaType: 'application/jose+json' };
  assert.throws(() => nv2.verifyEnvelope({ ...base, envelope: 'nope' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => nv2.verifyEnvelope({ ...base, trustStore: { 'ca:x': 'pem' } }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /trustStore\["ca:x"\]/,
  });
  assert.throws(() => nv2.verifyEnvelope({ ...base, now: new Date('garbage') }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /invalid Date/,
  });
  assert.throws(() => nv2.verifyEnvelope({ ...base, now: {} }), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(nv2.signDescriptor({ target: {}, certChain: '' }), {
    name: 'ParseError',
    code: 'ERR_INVALID_ARGUMENT',
    message: /exactly one of `key` or `signer`/,
  });
  await assert.rejects(nv2.signDescriptor({ key: 'k', signer: { sign() {} } }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
  await assert.rejects(nv2.signDescriptor({ signer: {} }), { code: 'ERR_INVALID_ARGUMENT' });
});

test('validateTrustPolicy: summary for a valid document, PolicyError with the reason otherwise', () => {
  const summary = nv2.validateTrustPolicy({
    version: '1.0',
    trustPolicies: [
      { name: 'wabbit', registryScopes: ['registry.example/net-monitor'], signatureVerification: { level: 'audit' }, trustStores: ['ca:wabbit'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=wabbit-networks.io'] },
      { name: 'global', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme', 'tsa:ts'], trustedIdentities: ['*'] },
    ],
  });
  assert.equal(summary.version, '1.0');
  assert.deepEqual(summary.statements.map((s) => [s.name, s.level]), [['wabbit', 'audit'], ['global', 'strict']]);
  assert.deepEqual(summary.statements[1].trustStores, ['ca:acme', 'tsa:ts']);
  assert.throws(
    () => nv2.validateTrustPolicy({ version: '1.0', trustPolicies: [{ name: 'a', registryScopes: ['*', 'x.io/y'], signatureVerification: { level: 'strict' }, trustStores: ['ca:a'], trustedIdentities: ['*'] }] }),
    (e) => e instanceof nv2.PolicyError && e.code === 'ERR_POLICY_INVALID' && /\*/.test(e.message),
  );
});
