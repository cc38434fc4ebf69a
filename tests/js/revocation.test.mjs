// Online revocation with real parts (trust-store-trust-policy.md §Certificate Revocation
// Evaluation, docs/revocation.md): a PKI built at test time with the openssl CLI, `openssl ocsp`
// responders and a CRL server on loopback (tests/js/support/revocation-pki.mjs), signatures made
// by nv2 itself, verified through the installed package's JS API (verifyBlob), the CLI
// (`nv2 blob verify`, `nv2 sign` / `nv2 verify` against the test registry).
//
// Order (notation-core-go `revocation`): a current CRL at hand first, then OCSP (RFC 6960), then
// the CRL distribution points (RFC 5280 §4.2.1.13). Nothing that is stale, wrongly signed,
// oversized or for another certificate makes a certificate good (fail closed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as nv2 from 'nv2';
import { needs, resultOf, show } from './helpers.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';
import { freePort, pushImage, startRegistry } from './support/registry.mjs';
import { buildPki, countingServer, deltaCrls, forward, startOpensslOcsp } from './support/revocation-pki.mjs';

const skip = needs('verifyBlob', 'signDescriptor');
const DAY = 86_400_000;
const MiB = 1024 * 1024;
const BLOB = new TextEncoder().encode('nv2 revocation test blob\n');

let tmp;
let P; // the PKI
let ports;
let ocsp; // front of the leaves' responder (inter's delegated responder)
let rootOcsp; // front of the intermediates' responder (the root itself)
let crlSrv;
const backends = {};
let otherSerialResponse; // a genuine OCSP response for leafOther
let ocspMode; // how `ocsp` answers: { backend } | { fixed }
const crlRoutes = {};
let currentCrls;
const sigs = {};
let home;

const crlUrl = (name) => `http://127.0.0.1:${ports.crl}/${name}.crl`;
const ocspUrl = () => `http://127.0.0.1:${ports.ocsp}/`;
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A revocationCache object for the JS API over a Map (one per case: counts stay per case). */
function mapCache() {
  const map = new Map();
  return { map, get: (url) => map.get(url), set: (url, bundle) => map.set(url, bundle) };
}

const blobPolicy = (level = 'strict') => ({
  version: '1.0',
  trustPolicies: [
    {
      name: 'rev',
      globalPolicy: true,
      signatureVerification: { level },
      trustStores: ['ca:rev'],
      trustedIdentities: ['*'],
    },
  ],
});

/**
 * Puts the servers in the state a case needs: which are up, the CRL routes back to the current
 * CRLs (plus `routes`), OCSP through the proper responder, request counts zeroed.
 */
async function servers({ ocsp: o = true, rootOcsp: r = true, crl = true, routes = {} } = {}) {
  for (const [srv, upWanted] of [[ocsp, o], [rootOcsp, r], [crlSrv, crl]]) {
    if (upWanted) await srv.start();
    else await srv.stop();
    srv.reset();
  }
  ocspMode = { backend: backends.inter };
  for (const k of Object.keys(crlRoutes)) delete crlRoutes[k];
  Object.assign(crlRoutes, currentCrls, routes);
}

function verifyJs(name, { level, ...opts } = {}) {
  return nv2.verifyBlob({
    blob: BLOB,
    signature: sigs[name],
    signatureFormat: 'jws',
    trustPolicy: blobPolicy(level),
    trustStore: { 'ca:rev': [P.certs.root.pem] },
    revocationCache: mapCache(),
    ...opts,
  });
}

/** `nv2 blob verify` of the signature by `name`; `args` are extra options, `env` extra variables. */
async function verifyCli(name, args = [], { level = 'strict', cache } = {}) {
  const cacheDir = cache ?? mkdtempSync(join(tmp, 'cache-'));
  return home.run(
    ['blob', 'verify', '--signature', join(tmp, 'sigs', name, 'blob.bin.jws.sig'),
      '--trust-policy', join(tmp, `policy-${level}.json`), ...args, join(tmp, 'blob.bin')],
    { env: { NV2_CACHE: cacheDir } },
  );
}

/** Asserts a not-verified outcome at the revocation stage with `code`; returns the message. */
function failsRevocation(out, code) {
  assert.equal(out.verified, false, show(out));
  assert.equal(out.error?.stage, 'revocation', show(out));
  assert.equal(out.error?.code, code, `${show(out)}: ${out.error?.message}`);
  if (process.env.NV2_TEST_VERBOSE) console.error(`[${code}] ${out.error.message}`);
  return out.error.message;
}

const unknownOf = (subject) => new RegExp(`subject "[^"]*${reEscape(subject)}[^"]*" revocation status is unknown`);
const revokedOf = (subject) => new RegExp(`subject "[^"]*${reEscape(subject)}[^"]*" is revoked`);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nv2-revocation-'));
  ports = { ocsp: await freePort(), rootOcsp: await freePort(), crl: await freePort() };
  P = buildPki(join(tmp, 'pki'), ports);

  backends.inter = await startOpensslOcsp(P.cas.inter, P.certs.ocsp);
  backends.interNoEku = await startOpensslOcsp(P.cas.inter, P.certs.ocspNoEku);
  backends.root = await startOpensslOcsp(P.cas.root, { cert: P.certs.root.cert, key: P.certs.root.key });
  // A genuine response of inter's responder, for leafOther (`openssl ocsp` as the client).
  const respFile = join(tmp, 'other-serial.ocsp');
  execFileSync('openssl', ['ocsp', '-issuer', P.certs.inter.cert, '-cert', P.certs.leafOther.cert,
    '-url', `http://127.0.0.1:${backends.inter.port}/`, '-noverify', '-respout', respFile], { stdio: 'ignore' });
  otherSerialResponse = readFileSync(respFile);

  ocsp = countingServer(ports.ocsp, (req, res, body) =>
    ocspMode.fixed
      ? res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(ocspMode.fixed)
      : forward(ocspMode.backend, req, res, body),
  );
  rootOcsp = countingServer(ports.rootOcsp, (req, res, body) => forward(backends.root, req, res, body));
  crlSrv = countingServer(ports.crl, (req, res) => {
    const route = crlRoutes[req.url.slice(1)];
    if (route === undefined) return res.writeHead(404).end();
    if (typeof route === 'function') return route(req, res);
    res.writeHead(200, { 'Content-Type': 'application/pkix-crl', 'Content-Length': route.length }).end(route);
  });

  const delta = deltaCrls(P.cas.interD, P.certs.leafD.serial, crlUrl('interD-delta'));
  currentCrls = {
    'root.crl': P.crl('root'),
    'inter.crl': P.crl('inter'),
    'inter2.crl': P.crl('inter2'),
    'interD.crl': delta.base,
    'interD-delta.crl': delta.delta,
  };
  await servers();

  // Signatures by nv2 (the JS API). The chain is leaf, intermediate, root: verification requires
  // the x5chain to end with the self-signed root (signature-specification.md, as notation-core-go).
  const signers = { leaf: ['inter'], leafRevoked: ['inter'], leaf2: ['inter2'], leafD: ['interD'] };
  mkdirSync(join(tmp, 'sigs'), { recursive: true });
  for (const [name, issuers] of Object.entries(signers)) {
    const res = await nv2.signBlob({
      blob: BLOB,
      key: readFileSync(P.certs[name].key, 'utf8'),
      certChain: P.chain(name, ...issuers, 'root'),
      signatureFormat: 'jws',
    });
    sigs[name] = res.envelope;
    mkdirSync(join(tmp, 'sigs', name));
    writeFileSync(join(tmp, 'sigs', name, 'blob.bin.jws.sig'), res.envelope);
  }
  writeFileSync(join(tmp, 'blob.bin'), BLOB);
  for (const level of ['strict', 'permissive']) {
    writeFileSync(join(tmp, `policy-${level}.json`), JSON.stringify(blobPolicy(level)));
  }
  home = cliHome();
  const store = join(home.config, 'truststore', 'x509', 'ca', 'rev');
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, 'root.pem'), P.certs.root.pem);
});

after(async () => {
  for (const s of [ocsp, rootOcsp, crlSrv]) await s?.stop();
  for (const b of Object.values(backends)) b.stop();
  home?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the CLI signs with the openssl-made chain (nv2 blob sign) and the JS API verifies it', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false });
  const dir = join(tmp, 'cli-signed');
  writeFileSync(join(tmp, 'chain-leaf.pem'), P.chain('leaf', 'inter', 'root'));
  const r = await home.run(['blob', 'sign', '--key', P.certs.leaf.key, '--cert', join(tmp, 'chain-leaf.pem'),
    '--signature-directory', dir, join(tmp, 'blob.bin')]);
  assert.equal(r.code, 0, r.stderr);
  const out = await verifyJs('leaf', { signature: readFileSync(join(dir, 'blob.bin.jws.sig')) });
  assert.equal(out.verified, true, `${show(out)} ${out.error?.message}`);
});

// 1. RFC 6960: OCSP answers first. With the CRL server down, only OCSP can make the chain good.
test('1. good by OCSP: the CRL server is down, OCSP decides (leaf and intermediate)', { skip }, async () => {
  await servers({ crl: false });
  const out = await verifyJs('leaf');
  assert.equal(out.verified, true, `${show(out)} ${out.error?.message}`);
  assert.equal(resultOf(out, 'revocation').ok, true);
  assert.equal(ocsp.total, 1, JSON.stringify(ocsp.requests));
  assert.equal(rootOcsp.total, 1, JSON.stringify(rootOcsp.requests));
  // RFC 6960 Appendix A.1 / RFC 5019 §5: a short request goes as GET <url>/<base64 DER>.
  assert.equal(ocsp.requests[0].method, 'GET');
  assert.match(ocsp.requests[0].url, /^\/[A-Za-z0-9%+/=_-]{20,}$/);

  const cli = await verifyCli('leaf');
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /Successfully verified signature/);
  assert.deepEqual([ocsp.total, rootOcsp.total], [2, 2], 'OCSP answers are not cached (as notation)');
});

// 2. RFC 6960 §4.2.1 certStatus revoked.
test('2. revoked by OCSP: ERR_CERT_REVOKED naming the leaf and the responder', { skip }, async () => {
  await servers({ crl: false });
  const out = await verifyJs('leafRevoked');
  const msg = failsRevocation(out, 'ERR_CERT_REVOKED');
  assert.match(msg, revokedOf('nv2 revoked leaf'));
  assert.match(msg, new RegExp(`OCSP responder at ${reEscape(ocspUrl())}`));
  assert.match(msg, /keyCompromise/);
  assert.equal(ocsp.total, 1);
});

// 3. No OCSP answer → the CRL distribution points (RFC 5280 §4.2.1.13, §6.3).
test('3. responders down → the CRLs decide: good leaf verified, revoked leaf revoked', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false });
  const good = await verifyJs('leaf');
  assert.equal(good.verified, true, `${show(good)} ${good.error?.message}`);
  assert.deepEqual(crlSrv.counts, { '/inter.crl': 1, '/root.crl': 1 });

  crlSrv.reset();
  const revoked = await verifyJs('leafRevoked');
  const msg = failsRevocation(revoked, 'ERR_CERT_REVOKED');
  assert.match(msg, revokedOf('nv2 revoked leaf'));
  assert.match(msg, /listed in the CRL issued by CN=nv2 intermediate/);
  assert.equal(crlSrv.counts['/inter.crl'], 1);

  const cli = await verifyCli('leafRevoked');
  assert.equal(cli.code, 1, cli.stdout);
  assert.match(errorLine(cli), /is revoked.*\(ERR_CERT_REVOKED\)$/);
});

// 4. Neither OCSP nor CRL → unknown: under strict, no verdict of "good" (fail closed).
test('4. everything down under strict: revocation unknown, the message says what was tried, the CLI hints', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false, crl: false });
  const out = await verifyJs('leaf');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 good leaf'));
  assert.match(msg, new RegExp(`OCSP at ${reEscape(ocspUrl())}`));
  assert.match(msg, new RegExp(`CRL at ${reEscape(crlUrl('inter'))}`));
  assert.match(msg, /ECONNREFUSED/);
  // The same as structured details (docs/errors.md): the certificate and what was tried.
  assert.match(out.error.details?.subject ?? '', /nv2 good leaf/, JSON.stringify(out.error.details));
  assert.ok(out.error.details?.detail && msg.includes(out.error.details.detail), JSON.stringify(out.error.details));

  const cli = await verifyCli('leaf');
  assert.equal(cli.code, 1, cli.stdout);
  assert.match(errorLine(cli), /revocation status is unknown.*\(ERR_VERIFICATION_INCONCLUSIVE\)$/);
  assert.match(cli.stderr, /Revocation could not be checked\. Ways forward: give current CRLs with --crl FILE/);
});

// 5. trust-store-trust-policy.md: permissive logs revocation failures.
test('5. permissive level: verified, with a revocation warning', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false, crl: false });
  const out = await verifyJs('leaf', { level: 'permissive' });
  assert.equal(out.verified, true, show(out));
  const r = resultOf(out, 'revocation');
  assert.deepEqual([r.ok, r.action, r.error?.code], [false, 'log', 'ERR_VERIFICATION_INCONCLUSIVE']);
  assert.ok(out.warnings.some((w) => /revocation/.test(w) && /nv2 good leaf/.test(w)), out.warnings.join('\n'));

  const cli = await verifyCli('leaf', [], { level: 'permissive' });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stderr, /^Warning: .*revocation status is unknown/m);
  assert.match(cli.stdout, /Successfully verified signature/);
});

// 6. RFC 5280 §6.3: the intermediate's status from the root's CRL.
test('6. revoked intermediate by CRL', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false });
  const out = await verifyJs('leaf2');
  const msg = failsRevocation(out, 'ERR_CERT_REVOKED');
  assert.match(msg, revokedOf('nv2 revoked intermediate'));
  assert.equal(crlSrv.counts['/root.crl'], 1);
});

// 7. RFC 5280 §5.2.6 Freshest CRL in the base, §5.2.4 the delta lists the leaf.
test('7. delta CRL: the base names it, the leaf is revoked only in the delta', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false });
  const out = await verifyJs('leafD');
  const msg = failsRevocation(out, 'ERR_CERT_REVOKED');
  assert.match(msg, revokedOf('nv2 leaf revoked in a delta CRL'));
  assert.equal(crlSrv.counts['/interD.crl'], 1);
  assert.equal(crlSrv.counts['/interD-delta.crl'], 1);

  // Without the delta the base alone is incomplete: unknown, never good.
  await servers({ ocsp: false, rootOcsp: false, routes: { 'interD-delta.crl': undefined } });
  const noDelta = await verifyJs('leafD');
  const why = failsRevocation(noDelta, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(why, /delta CRL/);
  assert.match(why, /HTTP 404/);
});

// 8. RFC 5280 §5.1.2.5: past nextUpdate a CRL is not current.
test('8. stale CRL (nextUpdate in the past) → unknown', { skip }, async () => {
  const now = Date.now();
  const stale = P.crl('inter', { lastUpdate: now - 2 * DAY, nextUpdate: now - DAY });
  await servers({ ocsp: false, rootOcsp: false, routes: { 'inter.crl': stale } });
  const out = await verifyJs('leaf');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 good leaf'));
  assert.match(msg, new RegExp(`CRL at ${reEscape(crlUrl('inter'))}: expired CRL: verification time .* is after CRL NextUpdate`));
  assert.equal(crlSrv.counts['/inter.crl'], 1);
});

// 9. RFC 5280 §6.3.3 (f)/(g): the CRL signature must verify.
test('9. CRL with a broken signature → unknown, never good', { skip }, async () => {
  const broken = Buffer.from(currentCrls['inter.crl']);
  broken[broken.length - 3] ^= 0x01; // inside the ECDSA signature value
  await servers({ ocsp: false, rootOcsp: false, routes: { 'inter.crl': broken } });
  const cache = mapCache();
  const out = await verifyJs('leaf', { revocationCache: cache });
  // Only a CRL its CA signed is cached: a broken one must not stick until its nextUpdate.
  assert.equal(cache.map.has(crlUrl('inter')), false, 'the broken CRL is not cached');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 good leaf'));
  assert.match(msg, new RegExp(`CRL at ${reEscape(crlUrl('inter'))}: CRL is not signed by CA [^:]*: signature verification failed`));
  // The revoked leaf is not "good" either (a broken CRL is no evidence of anything).
  const rev = await verifyJs('leafRevoked');
  assert.equal(rev.verified, false);
});

// 10. RFC 5280 §6.3.3 (f): same issuer name, another key.
test('10. CRL signed by another CA (the intermediate\'s name, another key) → unknown', { skip }, async () => {
  const forged = P.crl('inter', { signWith: 'impostor' });
  await servers({ ocsp: false, rootOcsp: false, routes: { 'inter.crl': forged } });
  const cache = mapCache();
  const out = await verifyJs('leaf', { revocationCache: cache });
  assert.equal(cache.map.has(crlUrl('inter')), false, 'the forged CRL is not cached');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 good leaf'));
  assert.match(msg, new RegExp(`CRL at ${reEscape(crlUrl('inter'))}: CRL is not signed by CA [^:]*nv2 intermediate[^:]*: signature verification failed`));
  assert.equal(crlSrv.counts['/inter.crl'], 1);
});

// 11. RFC 6960 §4.2.2.2: a delegated responder must carry id-kp-OCSPSigning.
test('11. OCSP responder certificate without the OCSP-signing EKU: refused, the CRL decides', { skip }, async () => {
  await servers({ crl: false });
  ocspMode = { backend: backends.interNoEku };
  const out = await verifyJs('leaf');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 good leaf'));
  assert.match(msg, new RegExp(`OCSP at ${reEscape(ocspUrl())}: OCSP responder "[^"]*nv2 responder without OCSPSigning[^"]*" is not authorized: .*OCSPSigning`));
  assert.equal(ocsp.total, 1);
  // With the CRL server up, the refused response is passed over and the CRL decides.
  await servers();
  ocspMode = { backend: backends.interNoEku };
  const good = await verifyJs('leaf');
  assert.equal(good.verified, true, `${show(good)} ${good.error?.message}`);
  assert.equal(crlSrv.counts['/inter.crl'], 1);
});

// 12. RFC 6960 §4.2.2.3 / §3.2: the response must be for the CertID asked about.
test('12. an OCSP response for another serial → refused', { skip }, async () => {
  await servers({ crl: false });
  // Stand-in server for this path only: it answers every request with one fixed, genuine
  // response of inter's responder (signed, current) about leafOther, not the certificate asked.
  ocspMode = { fixed: otherSerialResponse };
  const out = await verifyJs('leafRevoked');
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, unknownOf('nv2 revoked leaf'));
  const serial = P.certs.leafRevoked.serial.replace(/^0+/, '');
  assert.match(msg, new RegExp(`OCSP at ${reEscape(ocspUrl())}: no OCSP response matching the certificate with serial (0x)?0*${serial}\\b`, 'i'));
  assert.equal(ocsp.total, 1);
});

// 13. notation-core-go MaxCRLSize (32 MiB) and the 5 s CRL deadline.
test('13. oversized (declared, streamed) and endless CRL bodies → unknown within the deadline', { skip }, async () => {
  const hold = new Set();
  const declared = (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/pkix-crl', 'Content-Length': 40 * MiB });
    const chunk = Buffer.alloc(MiB);
    let sent = 0;
    const more = () => {
      while (sent < 40 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return res.once('drain', more);
      }
      res.end();
    };
    more();
  };
  const streamed = (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/pkix-crl' }); // chunked, no length
    declared.call(null, req, { writeHead() {}, write: (c) => res.write(c), once: (e, f) => res.once(e, f), end: () => res.end(), get destroyed() { return res.destroyed; } });
  };
  const endless = (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/pkix-crl' });
    const t = setInterval(() => res.write(Buffer.from([0x30])), 100);
    hold.add(t);
    res.on('close', () => clearInterval(t));
  };
  try {
    for (const [what, route, bound] of [['declared', declared, 5500], ['streamed', streamed, 5500], ['endless', endless, 8000]]) {
      await servers({ ocsp: false, rootOcsp: false, routes: { 'inter.crl': route } });
      const t0 = Date.now();
      const out = await verifyJs('leaf');
      const took = Date.now() - t0;
      const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
      assert.match(msg, unknownOf('nv2 good leaf'), what);
      assert.match(msg, new RegExp(`CRL at ${reEscape(crlUrl('inter'))}: `), what);
      if (what !== 'endless') assert.match(msg, /: response larger than 33554432 bytes\)$/, `${what}: ${msg}`);
      else assert.match(msg, /: deadline passed: waited 5\d\d\d ms/, msg);
      assert.ok(took < bound, `${what}: took ${took} ms (bound ${bound} ms)`);
      assert.equal(crlSrv.counts['/inter.crl'], 1, what);
    }
  } finally {
    for (const t of hold) clearInterval(t);
  }
});

// 14. The CLI CRL cache: notation-go's FileCache layout in $NV2_CACHE/crl.
test('14. CRL cache: one download for two CLI runs, notation\'s file name and JSON, refreshed after nextUpdate', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false });
  const cache = mkdtempSync(join(tmp, 'cache-'));
  for (let i = 0; i < 2; i++) {
    const r = await verifyCli('leaf', [], { cache });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(crlSrv.counts, { '/inter.crl': 1, '/root.crl': 1 });
  const file = join(cache, 'crl', createHash('sha256').update(crlUrl('inter')).digest('hex'));
  assert.ok(existsSync(file), file);
  const content = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(Object.keys(content), ['baseCRL']);
  const der = Buffer.from(content.baseCRL, 'base64');
  assert.deepEqual(der, currentCrls['inter.crl']);
  const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-noout', '-issuer'], { input: der }).toString();
  assert.match(text, /nv2 intermediate/);

  // The delta pair is stored as one entry with deltaCRL.
  const d = await verifyCli('leafD', [], { cache });
  assert.equal(d.code, 1);
  const dfile = JSON.parse(readFileSync(join(cache, 'crl', createHash('sha256').update(crlUrl('interD')).digest('hex')), 'utf8'));
  assert.deepEqual(Buffer.from(dfile.deltaCRL, 'base64'), currentCrls['interD-delta.crl']);

  // A cached CRL past its nextUpdate is downloaded again (JS API, verification time after it).
  const now = Date.now();
  const memory = mapCache();
  await servers({ ocsp: false, rootOcsp: false });
  assert.equal((await verifyJs('leaf', { revocationCache: memory })).verified, true);
  assert.equal(crlSrv.counts['/inter.crl'], 1);
  assert.equal((await verifyJs('leaf', { revocationCache: memory })).verified, true);
  assert.equal(crlSrv.counts['/inter.crl'], 1, 'a current cached CRL is used');
  crlRoutes['inter.crl'] = P.crl('inter', { nextUpdate: now + 7 * DAY });
  crlRoutes['root.crl'] = P.crl('root', { nextUpdate: now + 7 * DAY });
  const later = await verifyJs('leaf', { revocationCache: memory, now: now + 2 * DAY });
  assert.equal(later.verified, true, `${show(later)} ${later.error?.message}`);
  assert.equal(crlSrv.counts['/inter.crl'], 2, 'the stale cached CRL is downloaded again');
  assert.equal(crlSrv.counts['/root.crl'], 2);
});

// 15. --offline / offline: true: no request at all.
test('15. offline makes no request; unknown unless current CRLs are given', { skip }, async () => {
  await servers();
  const out = await verifyJs('leaf', { offline: true });
  const msg = failsRevocation(out, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(msg, new RegExp(`OCSP at ${reEscape(ocspUrl())}: not asked \\(offline\\); CRL at ${reEscape(crlUrl('inter'))}: not downloaded \\(offline\\)`));
  const cli = await verifyCli('leaf', ['--offline']);
  assert.equal(cli.code, 1, cli.stdout);
  assert.match(errorLine(cli), /revocation status is unknown.*offline/);

  const crlDir = join(tmp, 'crl-files');
  mkdirSync(crlDir, { recursive: true });
  for (const n of ['inter', 'root']) writeFileSync(join(crlDir, `${n}.crl`), currentCrls[`${n}.crl`]);
  const withCrls = await verifyCli('leaf', ['--offline', '--crl', join(crlDir, 'inter.crl'), '--crl', join(crlDir, 'root.crl')]);
  assert.equal(withCrls.code, 0, withCrls.stderr);
  const js = await verifyJs('leaf', { offline: true, crls: [currentCrls['inter.crl'], currentCrls['root.crl']] });
  assert.equal(js.verified, true, show(js));
  assert.deepEqual([ocsp.total, rootOcsp.total, crlSrv.total], [0, 0, 0]);
});

// 16. CRLs at hand settle the status first (no network needed).
test('16. --crl FILE with current CRLs and every server stopped → verified', { skip }, async () => {
  await servers({ ocsp: false, rootOcsp: false, crl: false });
  const crlDir = join(tmp, 'crl-files');
  const r = await verifyCli('leaf', ['--crl', join(crlDir, 'inter.crl'), '--crl', join(crlDir, 'root.crl')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Successfully verified signature/);
  const rev = await verifyCli('leafRevoked', ['--crl', join(crlDir, 'inter.crl'), '--crl', join(crlDir, 'root.crl')]);
  assert.equal(rev.code, 1);
  assert.match(errorLine(rev), /nv2 revoked leaf.*is revoked.*\(ERR_CERT_REVOKED\)$/);
});

test('registry: nv2 sign + nv2 verify check revocation online (CRL), and refuse the revoked leaf', { skip }, async () => {
  const reg = await startRegistry();
  try {
    await servers({ ocsp: false, rootOcsp: false });
    writeFileSync(join(home.dir, 'registry-policy.json'), JSON.stringify(strictPolicy(['ca:rev'])));
    const imp = await home.run(['policy', 'import', '--force', join(home.dir, 'registry-policy.json')]);
    assert.equal(imp.code, 0, imp.stderr);
    const cache = mkdtempSync(join(tmp, 'cache-'));
    const env = { env: { NV2_CACHE: cache } };
    for (const [name, repo] of [['leaf', 'rev/good'], ['leafRevoked', 'rev/revoked']]) {
      const target = await pushImage(reg.url, repo, 'v1');
      const ref = `${reg.host}/${repo}@${target.digest}`;
      const chainFile = join(tmp, `chain-${name}.pem`);
      writeFileSync(chainFile, P.chain(name, 'inter', 'root'));
      const s = await home.run(['sign', '--key', P.certs[name].key, '--cert', chainFile, ref], env);
      assert.equal(s.code, 0, s.stderr);
      const v = await home.run(['verify', ref], env);
      if (name === 'leaf') {
        assert.equal(v.code, 0, v.stderr);
        assert.match(v.stdout, /revocation: passed/);
      } else {
        assert.equal(v.code, 1, v.stdout);
        assert.match(errorLine(v), /nv2 revoked leaf.*is revoked.*\(ERR_CERT_REVOKED\)$/);
      }
    }
    // One download of each CRL for both verifications (the file cache).
    assert.deepEqual(crlSrv.counts, { '/inter.crl': 1, '/root.crl': 1 });
  } finally {
    reg.stop();
  }
});
