// Every field the runtime returns is declared in the installed package's index.d.ts: each exported
// function that returns an object is called (on real inputs: the test PKI and a local registry),
// and its result is walked key by key against the declared return type, read with the TypeScript
// compiler API (Promise unwrapped; arrays, unions, intersections, index signatures and nested
// interfaces followed). A key the declaration lacks fails the test with its path.
//
// TypeScript comes from tests/node_modules (NV2_TS_MODULE, set by the Makefile), else from the
// consumer project.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as nv2 from 'nv2';
import { PKI_DIR, makeTarget, policy, pki, refFor, storeOf } from './helpers.mjs';
import { pushImage, startRegistry } from './support/registry.mjs';

const require = createRequire(import.meta.url);
function loadTypeScript() {
  try {
    return require(process.env.NV2_TS_MODULE ?? 'typescript');
  } catch (e) {
    throw new Error(`TypeScript not found (set NV2_TS_MODULE to tests/node_modules/typescript): ${e.message}`);
  }
}
const ts = loadTypeScript();

// The declarations of the installed package (its package.json "types").
const pkgDir = dirname(fileURLToPath(import.meta.resolve('nv2/package.json')));
const dts = join(pkgDir, JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).types);
const program = ts.createProgram([dts], {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
});
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dts));
const EXPORTS = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));

const typeOfSymbol = (s) => checker.getTypeOfSymbol(s);
/** The declared type of an exported type alias or interface (e.g. `CopyEvent`). */
const declaredType = (name) => checker.getDeclaredTypeOfSymbol(EXPORTS.get(name));
/** The awaited return type of exported function `name`. */
function returnType(name) {
  const sym = EXPORTS.get(name);
  assert.ok(sym, `index.d.ts exports no ${name}`);
  const [sig] = checker.getSignaturesOfType(typeOfSymbol(sym), ts.SignatureKind.Call);
  assert.ok(sig, `${name} is not declared as a function`);
  return checker.getAwaitedType(sig.getReturnType()) ?? sig.getReturnType();
}

const NULLISH = ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void;
/** The members of a union (or the type itself), without null / undefined. */
const members = (t) => (t.isUnion() ? t.types : [t]).filter((m) => (m.flags & NULLISH) === 0);
const isOpen = (t) => (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
const isObjectType = (t) => (t.flags & ts.TypeFlags.Object) !== 0 || t.isIntersection();
/** True when a declared type describes an object (a function returning one needs a case). */
const hasObject = (t) => members(t).some(isObjectType);

/**
 * The keys an object carries: its own enumerable keys, plus, for a class instance (a wasm-bindgen
 * handle, an Error), the accessors and methods of its classes below Object / Error. Names with a
 * leading `__` are wasm-bindgen internals (`__wbg_ptr`, `__destroy_into_raw`).
 */
function runtimeKeys(value) {
  const keys = new Set(Object.keys(value));
  for (let p = Object.getPrototypeOf(value); p && p !== Object.prototype && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') keys.add(k);
  }
  return [...keys].filter((k) => !k.startsWith('__'));
}

/** Members whose literal-typed properties agree with the value's (discriminated unions). */
function narrow(objs, value) {
  const fits = objs.filter((m) =>
    Object.entries(value).every(([k, v]) => {
      if (v === null || typeof v === 'object' || typeof v === 'function') return true;
      const p = checker.getPropertyOfType(m, k);
      if (!p) return true;
      const lits = members(typeOfSymbol(p));
      if (!lits.length || !lits.every((l) => l.isLiteral() || (l.flags & ts.TypeFlags.BooleanLiteral))) return true;
      return lits.some((l) => (l.isLiteral() ? l.value === v : checker.typeToString(l) === String(v)));
    }),
  );
  return fits.length ? fits : objs;
}

/** Walks `value` against the declared types `types`; pushes `path: problem` lines to `out`. */
function walk(value, types, path, out) {
  if (value === null || value === undefined || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  const all = types.flatMap(members);
  if (all.length === 0 || all.some(isOpen)) return;
  if (Array.isArray(value)) {
    const elems = all.map((t) => checker.getIndexTypeOfType(t, ts.IndexKind.Number)).filter(Boolean);
    if (elems.length === 0) return void out.push(`${path}: an array where ${types.map((t) => checker.typeToString(t)).join(' | ')} is declared`);
    value.forEach((v, i) => walk(v, elems, `${path}[${i}]`, out));
    return;
  }
  const objs = narrow(all.filter(isObjectType), value);
  if (objs.length === 0) {
    return void out.push(`${path}: an object where ${all.map((t) => checker.typeToString(t)).join(' | ')} is declared`);
  }
  for (const key of runtimeKeys(value)) {
    const found = [];
    for (const m of objs) {
      const p = checker.getPropertyOfType(m, key);
      const t = p ? typeOfSymbol(p) : checker.getIndexTypeOfType(m, ts.IndexKind.String);
      if (t) found.push(t);
    }
    if (found.length === 0) {
      out.push(`${path}.${key}: not declared in ${objs.map((t) => checker.typeToString(t)).join(' | ')}`);
    } else if (typeof value[key] !== 'function') {
      walk(value[key], found, `${path}.${key}`, out);
    }
  }
}

/** Asserts that each `[label, value, type]` has only keys declared in `type`. */
function check(...results) {
  const out = [];
  for (const [label, value, type] of results) walk(value, [type], label, out);
  if (out.length) assert.fail(`fields the runtime returns that index.d.ts does not declare:\n  ${out.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------
// Real results of every exported function that returns an object.

const a = pki.algorithms.p256;
const other = pki.algorithms.rsa2048;
const blobPolicy = {
  version: '1.0',
  trustPolicies: [
    { name: 'blobs', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] },
  ],
};
let reg;
before(async () => {
  reg = await startRegistry();
});
after(() => reg?.stop());

/** name → async () => [[label, result], ...]: several results where fields are conditional. */
const CASES = {
  async verifyEnvelope() {
    const target = makeTarget('decl');
    const { envelope } = await nv2.signDescriptor({ target, key: a.key, certChain: a.chain, expiry: Date.now() + 3.6e6 });
    const base = { envelope, mediaType: 'application/jose+json', target, artifactReference: refFor(target), trustPolicy: policy() };
    return [
      ['verified', nv2.verifyEnvelope({ ...base, trustStore: storeOf(a.root) })],
      ['untrusted', nv2.verifyEnvelope({ ...base, trustStore: storeOf(other.root) })],
      ['audit, logged failure', nv2.verifyEnvelope({ ...base, trustPolicy: policy({ level: 'audit' }), trustStore: storeOf(other.root) })],
      ['metadata mismatch', nv2.verifyEnvelope({ ...base, trustStore: storeOf(a.root), userMetadata: { k: 'v' } })],
    ];
  },
  async assertVerified() {
    const target = makeTarget('decl-assert');
    const { envelope } = await nv2.signDescriptor({ target, key: a.key, certChain: a.chain });
    const outcome = nv2.verifyEnvelope({
      envelope, mediaType: 'application/jose+json', target, artifactReference: refFor(target), trustPolicy: policy(), trustStore: storeOf(a.root),
    });
    return [['verified', nv2.assertVerified(outcome)]];
  },
  async validateTrustPolicy() {
    return [['policy', nv2.validateTrustPolicy(policy())]];
  },
  async signDescriptor() {
    const target = makeTarget('decl-sign');
    return [
      ['jws', await nv2.signDescriptor({ target, key: a.key, certChain: a.chain, annotations: { k: 'v' }, signingAgent: 'decl' })],
      ['cose', await nv2.signDescriptor({ target, key: a.key, certChain: a.chain, signatureFormat: 'cose' })],
    ];
  },
  async prepareSignature() {
    const pending = nv2.prepareSignature({ target: makeTarget('decl-prepare'), certChain: a.chain });
    // The handle's own fields, read before finish() consumes it.
    const fields = { toBeSigned: pending.toBeSigned, algorithm: pending.algorithm, keySpec: pending.keySpec, signatureFormat: pending.signatureFormat };
    const keys = Object.fromEntries(runtimeKeys(pending).map((k) => [k, fields[k] ?? pending[k]]));
    pending.free();
    return [['pending', keys]];
  },
  async sign() {
    await pushImage(reg.url, 'decl/sign', 'v1');
    return [['pushed', await nv2.sign(`${reg.host}/decl/sign:v1`, { key: a.key, certChain: a.chain })]];
  },
  async verify() {
    await pushImage(reg.url, 'decl/verify', 'v1');
    const ref = `${reg.host}/decl/verify:v1`;
    await nv2.sign(ref, { key: a.key, certChain: a.chain });
    return [
      ['verified', await nv2.verify(ref, { trustPolicy: policy(), trustStore: storeOf(a.root) })],
      ['untrusted', await nv2.verify(ref, { trustPolicy: policy(), trustStore: storeOf(other.root) })],
    ];
  },
  async listSignatures() {
    await pushImage(reg.url, 'decl/list', 'v1');
    const ref = `${reg.host}/decl/list:v1`;
    await nv2.sign(ref, { key: a.key, certChain: a.chain });
    return [['listing', await nv2.listSignatures(ref)]];
  },
  async inspect() {
    await pushImage(reg.url, 'decl/inspect', 'v1');
    const ref = `${reg.host}/decl/inspect:v1`;
    await nv2.sign(ref, { key: a.key, certChain: a.chain, annotations: { k: 'v' }, expiry: Date.now() + 3.6e6 });
    await nv2.sign(ref, { key: a.key, certChain: a.chain, signatureFormat: 'cose' });
    return [['inspection', await nv2.inspect(ref)]];
  },
  async copy() {
    await pushImage(reg.url, 'decl/copy-src', 'v1');
    const src = `${reg.host}/decl/copy-src:v1`;
    await nv2.sign(src, { key: a.key, certChain: a.chain });
    const events = [];
    const report = await nv2.copy(src, `${reg.host}/decl/copy-dst`, { onProgress: (e) => events.push(e) });
    // The progress events are results too: each is walked against CopyEvent.
    return [['report', report], ...events.map((e, i) => [`onProgress event ${i}`, e, declaredType('CopyEvent')])];
  },
  async signBlob() {
    const blob = new TextEncoder().encode('declared\n');
    return [['jws', await nv2.signBlob({ blob, key: a.key, certChain: a.chain, annotations: { k: 'v' } })]];
  },
  async verifyBlob() {
    const blob = new TextEncoder().encode('declared\n');
    const { envelope } = await nv2.signBlob({ blob, key: a.key, certChain: a.chain });
    const base = { blob, signature: envelope, trustPolicy: blobPolicy };
    return [
      ['verified', await nv2.verifyBlob({ ...base, trustStore: storeOf(a.root) })],
      ['untrusted', await nv2.verifyBlob({ ...base, trustStore: storeOf(other.root) })],
      ['changed blob', await nv2.verifyBlob({ ...base, blob: new TextEncoder().encode('changed\n'), trustStore: storeOf(a.root) })],
    ];
  },
  async inspectBlobSignature() {
    const blob = new TextEncoder().encode('declared\n');
    const jws = await nv2.signBlob({ blob, key: a.key, certChain: a.chain, expiry: Date.now() + 3.6e6, signingAgent: 'decl' });
    const cose = await nv2.signBlob({ blob, key: a.key, certChain: a.chain, signatureFormat: 'cose' });
    return [
      ['jws', nv2.inspectBlobSignature(jws.envelope)],
      ['cose', nv2.inspectBlobSignature(cose.envelope, { signatureFormat: 'cose' })],
    ];
  },
  async validateBlobTrustPolicy() {
    return [['policy', nv2.validateBlobTrustPolicy(blobPolicy)]];
  },
  async attachRevocation() {
    await pushImage(reg.url, 'decl/revocation', 'v1');
    const ref = `${reg.host}/decl/revocation:v1`;
    return [['attached', await nv2.attachRevocation(ref, { crls: [pki.crl.crls.good.pem] })]];
  },
  async downloadCrls() {
    const { createServer } = await import('node:http');
    const der = readFileSync(join(PKI_DIR, pki.crl.crls.good.derFile));
    const srv = createServer((q, r) => {
      if (q.url === '/good.crl') return r.end(der);
      r.statusCode = 404;
      r.end();
    });
    await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${srv.address().port}`;
    try {
      return [['mixed', await nv2.downloadCrls([`${base}/good.crl`, `${base}/missing.crl`, 'ftp://x/y'], { revocationCache: false })]];
    } finally {
      srv.close();
    }
  },
  async inspectCrl() {
    return Object.entries(pki.crl.crls).map(([name, c]) => [name, nv2.inspectCrl(c.pem)]);
  },
  async createError() {
    return [
      ['without details', nv2.createError('ERR_PARSE', 'x')],
      ['with details and cause', nv2.createError('ERR_USER_METADATA_MISMATCH', 'x', { details: { key: 'k' }, cause: new Error('c') })],
    ];
  },
  async errorFromResult() {
    return [['error', nv2.errorFromResult({ code: 'ERR_CERT_EXPIRED', message: 'x' })]];
  },
};

test('declarations: every exported function that returns an object has a case here', () => {
  const fns = [...EXPORTS.values()].filter((s) => checker.getSignaturesOfType(typeOfSymbol(s), ts.SignatureKind.Call).length > 0);
  assert.ok(fns.length > 10, `index.d.ts declares ${fns.length} functions`);
  const runtime = new Set(Object.keys(nv2).filter((k) => typeof nv2[k] === 'function' && !/^[A-Z]/.test(k)));
  for (const s of fns) {
    assert.ok(runtime.has(s.name), `index.d.ts declares ${s.name}, the package does not export it`);
    if (hasObject(returnType(s.name))) assert.ok(CASES[s.name], `${s.name} returns an object: add a case`);
  }
  for (const name of runtime) assert.ok(EXPORTS.has(name), `the package exports ${name}, index.d.ts does not declare it`);
});

for (const name of Object.keys(CASES)) {
  test(`declarations: ${name}() returns only declared fields`, async () => {
    const type = returnType(name);
    const results = await CASES[name]();
    assert.ok(results.length > 0);
    check(...results.map(([label, value, as]) => [`${name}() ${label}`, value, as ?? type]));
  });
}

test('declarations: exported objects (ERROR_CODES, ERROR_CLASS_BY_CODE) have only declared keys', () => {
  check(...['ERROR_CODES', 'ERROR_CLASS_BY_CODE'].map((name) => [name, nv2[name], typeOfSymbol(EXPORTS.get(name))]));
});
