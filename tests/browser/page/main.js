// The browser test page: imports the package's browser entry through an import map, initialises
// it, and runs sign/verify cases with WebCrypto. Results go to window.__results for the runner.
import * as nv2 from 'nv2';

const results = [];
const list = document.getElementById('results');
function record(name, status, detail = '') {
  results.push({ name, status, detail });
  const li = document.createElement('li');
  li.className = status;
  li.innerHTML = `<b></b> <code></code>`;
  li.querySelector('b').textContent = name;
  li.querySelector('code').textContent = detail;
  list.append(li);
}
async function check(name, fn, skip) {
  if (skip) return record(name, 'skip', skip);
  try {
    const detail = await fn();
    record(name, 'pass', detail ?? '');
  } catch (e) {
    record(name, 'fail', `${e?.name ?? 'Error'}: ${e?.message ?? e}${e?.code ? ` [${e.code}]` : ''}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

const te = new TextEncoder();
const td = new TextDecoder();
const b64ToBytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const b64urlToBytes = (s) => b64ToBytes(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
const pemToDer = (pem) => b64ToBytes(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
async function sha256(bytes) {
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

const fx = await (await fetch('/fixtures.json')).json();
const wasmUrl = new URL('/pkg/dist/nv2_wasm_bg.wasm', location.href);
const wasmBytes = new Uint8Array(await (await fetch(wasmUrl)).arrayBuffer());
const exportsOf = new Set(WebAssembly.Module.exports(new WebAssembly.Module(wasmBytes)).map((e) => e.name));
const missing = (...names) => {
  const m = names.filter((n) => !exportsOf.has(n));
  return m.length ? `waiting on the integrator: wasm export(s) ${m.join(', ')} not in this build` : undefined;
};

async function target(label) {
  const body = te.encode(JSON.stringify({ schemaVersion: 2, label, r: Math.random() }));
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${await sha256(body)}`, size: body.length };
}
const policy = (level = 'strict') => ({
  version: '1.0',
  trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
});
const verify = (envelope, t, root, extra = {}) =>
  nv2.verifyEnvelope({
    envelope,
    mediaType: 'application/jose+json',
    target: t,
    artifactReference: `localhost:5000/browser/test@${t.digest}`,
    trustPolicy: policy(),
    trustStore: { 'ca:test': [root] },
    ...extra,
  });
const describe = (o) => `verified=${o.verified} ${o.results.map((r) => `${r.type}:${r.ok ? 'ok' : r.error?.code}`).join(' ')}`;

async function webCryptoSigner(entry, curve, hash) {
  const key = await crypto.subtle.importKey('pkcs8', pemToDer(entry.key), { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
  const calls = [];
  return {
    calls,
    async sign(bytes, info) {
      calls.push(info);
      return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, key, bytes));
    },
  };
}

// ---------------------------------------------------------------------------------------------

await check('API calls before init() throw a clear NotationError', () => {
  assert(nv2.isInitialized() === false, 'not initialised yet');
  try {
    nv2.version();
  } catch (e) {
    assert(e instanceof nv2.NotationError, 'NotationError');
    assert(/init\(\)/.test(e.message), `message mentions init(): ${e.message}`);
    return e.message;
  }
  throw new Error('version() did not throw');
});

await check('await init() loads the wasm (default URL, fetched with SRI)', async () => {
  await nv2.init();
  assert(nv2.isInitialized(), 'initialised');
  await nv2.init(); // idempotent
  const v = nv2.version();
  assert(/^\d+\.\d+\.\d+/.test(v), `version ${v}`);
  return `version ${v}`;
});

await check('WASM_SRI is the sha384 of the served .wasm', async () => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', wasmBytes));
  const sri = 'sha384-' + btoa(String.fromCharCode(...digest));
  assert(sri === nv2.WASM_SRI, `${sri} !== ${nv2.WASM_SRI}`);
  return sri.slice(0, 20) + '…';
});

await check('a wrong SRI hash makes the browser refuse the .wasm', async () => {
  let refused = false;
  try {
    await fetch(wasmUrl, { integrity: 'sha384-' + 'A'.repeat(64) });
  } catch {
    refused = true;
  }
  assert(refused, 'fetch with a wrong integrity must fail');
});

const full = missing('signDescriptor', 'prepareSignature', 'verifyEnvelope');
let es256; // shared result of the WebCrypto-signed envelope

await check('WebCrypto ECDSA P-256 callback signer → verifyEnvelope: verified', async () => {
  const signer = await webCryptoSigner(fx.p256, 'P-256', 'SHA-256');
  const t = await target('webcrypto-p256');
  const res = await nv2.signDescriptor({ target: t, certChain: fx.p256.chain, signer });
  assert(signer.calls.length === 1 && signer.calls[0].algorithm === 'ES256', 'sign() called once with ES256');
  const out = verify(res.envelope, t, fx.p256.root);
  assert(out.verified === true, describe(out));
  es256 = { res, t };
  return describe(out);
}, full);

await check('independent check: WebCrypto verifies the nv2 JWS signature with the cert key', async () => {
  const env = JSON.parse(td.decode(es256.res.envelope));
  const header = JSON.parse(td.decode(b64urlToBytes(env.protected)));
  assert(header.alg === 'ES256', `alg ${header.alg}`);
  assert(header.cty === 'application/vnd.cncf.notary.payload.v1+json', 'cty');
  const payload = JSON.parse(td.decode(b64urlToBytes(env.payload)));
  assert(payload.targetArtifact.digest === es256.t.digest, 'payload digest');
  const pub = await crypto.subtle.importKey('spki', b64ToBytes(fx.p256.spki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    pub,
    b64urlToBytes(env.signature),
    te.encode(`${env.protected}.${env.payload}`),
  );
  assert(ok, 'WebCrypto verify');
}, full ?? (es256 ? undefined : 'needs the previous case'));

await check('WebCrypto ECDSA P-384 callback signer → verified', async () => {
  const signer = await webCryptoSigner(fx.p384, 'P-384', 'SHA-384');
  const t = await target('webcrypto-p384');
  const res = await nv2.signDescriptor({ target: t, certChain: fx.p384.chain, signer });
  const out = verify(res.envelope, t, fx.p384.root);
  assert(out.verified === true && out.algorithm === 'ES384', describe(out));
}, full);

await check('WebCrypto RSA-PSS (PS256) callback signer → verified', async () => {
  const key = await crypto.subtle.importKey('pkcs8', pemToDer(fx.rsa2048.key), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  const signer = { sign: async (b) => new Uint8Array(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, key, b)) };
  const t = await target('webcrypto-ps256');
  const res = await nv2.signDescriptor({ target: t, certChain: fx.rsa2048.chain, signer });
  const out = verify(res.envelope, t, fx.rsa2048.root);
  assert(out.verified === true && out.algorithm === 'PS256', describe(out));
}, full);

await check('PEM key signing inside wasm → verified', async () => {
  const t = await target('pem-key');
  const res = await nv2.signDescriptor({ target: t, key: fx.p256.key, certChain: fx.p256.chain });
  const out = verify(res.envelope, t, fx.p256.root, { now: new Date() });
  assert(out.verified === true, describe(out));
}, full);

await check('tampered payload → integrity failure, verified false', async () => {
  const env = JSON.parse(td.decode(es256.res.envelope));
  const p = JSON.parse(td.decode(b64urlToBytes(env.payload)));
  p.targetArtifact.size += 1;
  env.payload = btoa(JSON.stringify(p)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const out = verify(te.encode(JSON.stringify(env)), es256.t, fx.p256.root);
  const r = out.results.find((x) => x.type === 'integrity');
  assert(out.verified === false && r && r.ok === false, describe(out));
  assert(r.error.code === 'ERR_SIGNATURE_INTEGRITY', r.error.code);
  return describe(out);
}, full ?? (es256 ? undefined : 'needs the first signing case'));

await check('untrusted root → ERR_SIGNATURE_AUTHENTICITY', async () => {
  const out = verify(es256.res.envelope, es256.t, fx.untrusted.root);
  assert(out.verified === false && out.error?.code === 'ERR_SIGNATURE_AUTHENTICITY', describe(out));
}, full ?? (es256 ? undefined : 'needs the first signing case'));

await check('callback signing with the wrong key → SigningError ERR_SIGNING', async () => {
  const signer = await webCryptoSigner(fx.untrusted, 'P-256', 'SHA-256');
  try {
    await nv2.signDescriptor({ target: await target('wrong-key'), certChain: fx.p256.chain, signer });
  } catch (e) {
    assert(e instanceof nv2.SigningError && e instanceof nv2.NotationError, `class ${e?.name}`);
    assert(e.code === 'ERR_SIGNING', e.code);
    return e.message;
  }
  throw new Error('signing with the wrong key did not throw');
}, full);

// Registry: the browser's own fetch against CNCF distribution. Its Referrers API route answers a
// 404 without CORS headers, which the browser reports as a network error: nv2 must fall back to
// the referrers tag schema and still sign, list and verify.
const reg = fx.registry;
const regRef = `${reg.host}/${reg.repository}:${reg.tag}`;
await check('registry: sign through the browser fetch with a WebCrypto key (host signer)', async () => {
  const signer = await webCryptoSigner(fx.p256, 'P-256', 'SHA-256');
  const pushed = await nv2.sign(regRef, { certChain: fx.p256.chain, signer });
  assert(pushed.digest === reg.digest, `digest ${pushed.digest}`);
  assert(pushed.referrersIndexUpdated === true, 'tag-schema index written');
  return pushed.manifestDescriptor.digest;
}, missing('registrySign'));
await check('registry: listSignatures falls back to the referrers tag schema', async () => {
  const list = await nv2.listSignatures(regRef);
  assert(list.signatures.length === 1, `count ${list.signatures.length}`);
  assert(list.viaTagSchema === true, 'via tag schema');
  return `${list.signatures.length} signature`;
}, missing('registryList'));
await check('registry: verify → verified; untrusted store → not verified', async () => {
  const ok = await nv2.verify(regRef, {
    trustPolicy: policy(),
    trustStore: { 'ca:test': [fx.p256.root] },
  });
  assert(ok.verified === true && ok.digest === reg.digest, JSON.stringify(ok.signatures));
  const bad = await nv2.verify(regRef, {
    trustPolicy: policy(),
    trustStore: { 'ca:test': [fx.untrusted.root] },
  });
  assert(bad.verified === false, 'untrusted must not verify');
  return ok.verifiedSignature.signer.subject;
}, missing('registryVerify'));

// Deadlines in the browser (threat model 25): the wasm transport's timers and AbortController
// cut a registry that never answers (first byte) and one that trickles its body (idle), and the
// page's own AbortSignal still stops a call. The stand-in routes are served by run.mjs.
const zero = `sha256:${'0'.repeat(64)}`;
const cut = async (ref, opts) => {
  const t0 = performance.now();
  try {
    await nv2.listSignatures(ref, opts);
  } catch (e) {
    return [e, performance.now() - t0];
  }
  throw new Error('the call was not cut');
};
await check('deadlines: a registry that never answers is cut by the first-byte deadline', async () => {
  const [e, ms] = await cut(`${location.host}/dl/hang@${zero}`, { timeout: { firstByteMs: 800 } });
  assert(e instanceof nv2.RegistryError && e.code === 'ERR_REGISTRY_HTTP', String(e));
  assert(e.details?.during === 'firstByte' && e.details.waitedMs === 800, JSON.stringify(e.details));
  assert(ms < 5000, `${ms} ms`);
  return `${Math.round(ms)} ms`;
}, missing('registryList'));
await check('deadlines: a trickled body is cut by the idle deadline, verify is inconclusive', async () => {
  const [e, ms] = await cut(`${location.host}/dl/trickle@${zero}`, { timeout: { idleMs: 800 } });
  assert(e.details?.during === 'idle', JSON.stringify(e.details));
  assert(ms < 5000, `${ms} ms`);
  let v;
  try {
    await nv2.verify(`${location.host}/dl/trickle@${zero}`, { trustPolicy: policy(), trustStore: { 'ca:test': [fx.p256.root] }, timeout: { operationMs: 1200 } });
  } catch (x) {
    v = x;
  }
  assert(v?.code === 'ERR_VERIFICATION_INCONCLUSIVE' && v.details?.during === 'operation', JSON.stringify(v?.details));
  return `${Math.round(ms)} ms`;
}, missing('registryVerify'));
await check("deadlines: the page's AbortSignal still stops a call (an abort, not a deadline)", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const [e] = await cut(`${location.host}/dl/hang@${zero}`, { signal: controller.signal, timeout: 20_000 });
  assert(e.details?.transport === 'aborted', JSON.stringify(e.details));
}, missing('registryList'));

// Online revocation through the browser's fetch (docs/revocation.md): the OCSP test leaf's
// responder answers good; with CORS headers the page may read it (verified), without them the
// browser hides the answer and the status is unknown: inconclusive, never good.
await check('revocation: OCSP through the page fetch — CORS answer verified, no CORS → unknown, never good', async () => {
  const blob = te.encode('ocsp in the browser\n');
  const signed = await nv2.signBlob({ blob, key: fx.ocsp.key, certChain: fx.ocsp.chain, signingTime: fx.ocsp.now });
  const via = (prefix) => (url, init) => fetch(String(url).replace(/^http:\/\/(ocsp|crl)\.nv2\.test/, `${fx.ocsp.ca}/${prefix}`), init);
  const base = {
    blob,
    signature: signed.envelope,
    trustPolicy: { version: '1.0', trustPolicies: [{ name: 'p', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:ocsp'], trustedIdentities: ['*'] }] },
    trustStore: { 'ca:ocsp': [fx.ocsp.root] },
    now: fx.ocsp.now,
    revocationCache: false,
  };
  const ok = await nv2.verifyBlob({ ...base, fetch: via('cors') });
  assert(ok.verified === true, describe(ok));
  const hidden = await nv2.verifyBlob({ ...base, fetch: via('nocors') });
  const r = hidden.results.find((x) => x.type === 'revocation');
  assert(hidden.verified === false && r && !r.ok && r.error.code === 'ERR_VERIFICATION_INCONCLUSIVE', describe(hidden));
  const offline = await nv2.verifyBlob({ ...base, fetch: via('cors'), offline: true });
  assert(offline.verified === false, `offline: ${describe(offline)}`);
  return describe(ok);
}, missing('verifyBlob'));

const failed = results.filter((r) => r.status === 'fail').length;
document.getElementById('summary').textContent =
  `${results.filter((r) => r.status === 'pass').length} passed, ${failed} failed, ` +
  `${results.filter((r) => r.status === 'skip').length} skipped — nv2 ${nv2.version()}`;
window.__results = results;
window.__done = true;
