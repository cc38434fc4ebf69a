// Registry auth from a page: the page is served by www/serve.mjs, which proxies /v2/ (and the
// token realm) to a real CNCF distribution registry with htpasswd Basic or token auth, so the
// page talks to its own origin. Credentials come from the page's credentials callback. The
// runner imports this module into tests/browser/page/auth.html and calls run(fixtures); it
// checks the server side (what reached the registry, what a cross-origin server received).
import * as nv2 from 'nv2';

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
const pemToDer = (pem) =>
  Uint8Array.from(atob(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')), (c) => c.charCodeAt(0));

/**
 * fx: { mode, repository, tag, digest, username, password, p256: { key, chain, root },
 *       untrustedRoot, crossOrigin: "host:port" of a registry on another origin }
 */
export async function run(fx) {
  const results = [];
  const check = async (name, fn) => {
    try {
      results.push({ name, status: 'pass', detail: (await fn()) ?? '' });
    } catch (e) {
      results.push({ name, status: 'fail', detail: `${e?.name ?? 'Error'}: ${e?.message ?? e}${e?.code ? ` [${e.code}]` : ''}` });
    }
  };
  await nv2.init();

  // The registry is this page's own origin (the proxy).
  const registry = location.host;
  const ref = `${registry}/${fx.repository}:${fx.tag}`;
  const asked = [];
  const credentials = (password) => async (host) => {
    asked.push(host);
    return host === registry ? { username: fx.username, password } : null;
  };
  const policy = {
    version: '1.0',
    trustPolicies: [
      {
        name: 'portal',
        registryScopes: [`${registry}/${fx.repository}`],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:portal'],
        trustedIdentities: ['*'],
      },
    ],
  };
  // A non-extractable WebCrypto key: imported from the test PKI's PKCS#8, then never readable.
  const key = await crypto.subtle.importKey('pkcs8', pemToDer(fx.p256.key), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const signer = {
    sign: async (bytes) => new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, bytes)),
  };
  const expectCode = async (promise, code) => {
    try {
      await promise;
    } catch (e) {
      assert(e instanceof nv2.NotationError, `a NotationError, got ${e?.name}: ${e?.message}`);
      assert(e.code === code, `code ${e.code} (${e.message}), expected ${code}`);
      return `${e.code}: ${e.message}`;
    }
    throw new Error(`expected ${code}, but the call succeeded`);
  };

  const m = fx.mode;
  await check(`${m}: sign through the proxy (WebCrypto key, credentials from the callback)`, async () => {
    const pushed = await nv2.sign(ref, { certChain: fx.p256.chain, signer, credentials: credentials(fx.password) });
    assert(pushed.digest === fx.digest, `digest ${pushed.digest} !== ${fx.digest}`);
    assert(pushed.referrersIndexUpdated === true, 'the referrers tag index was written');
    return pushed.manifestDescriptor.digest;
  });
  await check(`${m}: listSignatures with credentials → 1 signature`, async () => {
    const list = await nv2.listSignatures(ref, { credentials: credentials(fx.password) });
    assert(list.digest === fx.digest, 'digest');
    assert(list.signatures.length === 1, `count ${list.signatures.length}`);
    return `${list.signatures.length} signature, viaTagSchema=${list.viaTagSchema}`;
  });
  await check(`${m}: inspect with credentials → signer chain`, async () => {
    const ins = await nv2.inspect(ref, { credentials: credentials(fx.password) });
    const s = ins.signatures[0];
    assert(s && s.algorithm === 'ES256', `algorithm ${s?.algorithm}`);
    assert(s.chain.length === 2 && /nv2 test leaf p256/.test(s.chain[0].subject), `chain ${JSON.stringify(s.chain?.map((c) => c.subject))}`);
    return s.chain[0].subject;
  });
  await check(`${m}: verify with credentials → verified; untrusted store → not verified`, async () => {
    const ok = await nv2.verify(ref, { trustPolicy: policy, trustStore: { 'ca:portal': [fx.p256.root] }, credentials: credentials(fx.password) });
    assert(ok.verified === true && ok.digest === fx.digest, `verified=${ok.verified} ${JSON.stringify(ok.signatures.map((s) => s.outcome?.error ?? s.error))}`);
    const bad = await nv2.verify(ref, { trustPolicy: policy, trustStore: { 'ca:portal': [fx.untrustedRoot] }, credentials: credentials(fx.password) });
    assert(bad.verified === false, 'the untrusted root must not verify');
    assert(bad.signatures[0]?.outcome?.error?.code === 'ERR_SIGNATURE_AUTHENTICITY', `code ${bad.signatures[0]?.outcome?.error?.code}`);
    return ok.verifiedSignature.signer.subject;
  });
  await check(`${m}: wrong password → ERR_REGISTRY_AUTH (list, verify, sign)`, async () => {
    const wrong = credentials(`${fx.password}-wrong`);
    const detail = await expectCode(nv2.listSignatures(ref, { credentials: wrong }), 'ERR_REGISTRY_AUTH');
    await expectCode(nv2.verify(ref, { trustPolicy: policy, trustStore: { 'ca:portal': [fx.p256.root] }, credentials: wrong }), 'ERR_REGISTRY_AUTH');
    await expectCode(nv2.sign(ref, { certChain: fx.p256.chain, signer, credentials: wrong }), 'ERR_REGISTRY_AUTH');
    return detail;
  });
  await check(`${m}: no credentials → ERR_REGISTRY_AUTH`, async () => {
    return expectCode(nv2.listSignatures(ref, { credentials: async () => null }), 'ERR_REGISTRY_AUTH');
  });
  await check(`${m}: the credentials callback is asked about this origin's registry only`, async () => {
    assert(asked.length > 0 && asked.every((h) => h === registry), `asked for ${JSON.stringify([...new Set(asked)])}`);
    return `${asked.length} calls, all for ${registry}`;
  });
  await check(`${m}: a registry on another origin with the same credentials fails in the browser`, async () => {
    // The page deliberately offers the credentials for the other origin: the browser's CORS
    // preflight (answered 401 by distribution) must stop the Authorization header there.
    const other = `${fx.crossOrigin}/${fx.repository}:${fx.tag}`;
    try {
      await nv2.listSignatures(other, { credentials: async () => ({ username: fx.username, password: fx.password }) });
    } catch (e) {
      assert(e instanceof nv2.RegistryError || e instanceof nv2.NotationError, `a NotationError, got ${e?.name}`);
      return `${e.code}: ${e.message}`;
    }
    throw new Error('listing a cross-origin authenticated registry succeeded');
  });
  return results;
}
