// Air-gapped revocation: verifyEnvelope / verify / `nv2 verify --crl` with CRLs the caller
// supplies (trust-store-trust-policy.md §Certificate Revocation Evaluation, threat model 5b, 21a,
// 21b). The PKI and the CRLs come from tests/gen/make_pki.py (Python `cryptography`): a root, a
// leaf naming a CRL distribution point, and CRLs that are good, list the leaf (keyCompromise), are
// stale, or are signed by another key.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as nv2 from 'nv2';
import { PKI_DIR, makeTarget, needs, pki, resultOf, show } from './helpers.mjs';
import { cliHome, strictPolicy } from './support/cli.mjs';
import { pushImage, startRegistry } from './support/registry.mjs';

const skip = needs('signDescriptor', 'verifyEnvelope');
const c = pki.crl;
const crlDer = (name) => new Uint8Array(readFileSync(join(PKI_DIR, c.crls[name].derFile)));

let signed;
async function sign() {
  if (!signed) {
    const target = makeTarget('crl');
    const res = await nv2.signDescriptor({ target, key: c.key, certChain: c.chain });
    signed = { target, envelope: res.envelope };
  }
  return signed;
}

// verifyEnvelope with the CRL PKI's root as the only trust anchor.
async function verifyCrls(crls, level = 'strict') {
  const { target, envelope } = await sign();
  return nv2.verifyEnvelope({
    envelope,
    mediaType: 'application/jose+json',
    target,
    artifactReference: `localhost:5000/nv2/crl@${target.digest}`,
    trustPolicy: {
      version: '1.0',
      trustPolicies: [
        {
          name: 'p',
          registryScopes: ['*'],
          signatureVerification: { level },
          trustStores: ['ca:test'],
          trustedIdentities: ['*'],
        },
      ],
    },
    trustStore: { 'ca:test': [c.root] },
    ...(crls ? { crls } : {}),
  });
}

test('without CRLs a leaf naming a CRL distribution point is "unknown" (nothing is fetched)', { skip }, async () => {
  const out = await verifyCrls(undefined);
  assert.equal(out.verified, false, show(out));
  assert.equal(out.error.stage, 'revocation');
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
});

test('a good CRL (DER or PEM) passes', { skip }, async () => {
  for (const crls of [[crlDer('good')], [c.crls.good.pem]]) {
    const out = await verifyCrls(crls);
    assert.equal(out.verified, true, show(out));
    const r = resultOf(out, 'revocation');
    assert.deepEqual([r.ok, r.action], [true, 'enforce']);
  }
});

test('a revoked leaf fails the revocation check at the policy level', { skip }, async () => {
  const strict = await verifyCrls([crlDer('revoked')]);
  assert.equal(strict.verified, false, show(strict));
  assert.equal(strict.error.stage, 'revocation');
  assert.equal(strict.error.code, 'ERR_CERT_REVOKED');
  assert.match(strict.error.message, /nv2 test crl leaf.*is revoked/);
  assert.throws(() => nv2.assertVerified(strict), (e) => e.code === 'ERR_CERT_REVOKED');
  // permissive and audit log revocation: verified, with the failed check and a warning.
  for (const level of ['permissive', 'audit']) {
    const out = await verifyCrls([crlDer('revoked')], level);
    assert.equal(out.verified, true, show(out));
    const r = resultOf(out, 'revocation');
    assert.deepEqual([r.ok, r.action, r.error.code], [false, 'log', 'ERR_CERT_REVOKED']);
    assert.ok(out.warnings.some((w) => w.startsWith('revocation:')), out.warnings.join('\n'));
  }
  // The newest valid CRL decides: same thisUpdate as the good CRL, higher CRL number (3 > 2).
  const both = await verifyCrls([crlDer('good'), crlDer('revoked')]);
  assert.equal(both.error?.code, 'ERR_CERT_REVOKED', show(both));
});

test('a stale CRL gives the "unknown" outcome', { skip }, async () => {
  const out = await verifyCrls([crlDer('stale')]);
  assert.equal(out.verified, false, show(out));
  assert.equal(out.error.stage, 'revocation');
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(out.error.message, /revocation status is unknown.*expired CRL/);
  const logged = await verifyCrls([crlDer('stale')], 'permissive');
  assert.equal(logged.verified, true, show(logged));
  assert.equal(resultOf(logged, 'revocation').error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
});

test('a CRL signed by the wrong key is rejected (unknown, never good)', { skip }, async () => {
  const out = await verifyCrls([crlDer('wrongKey')]);
  assert.equal(out.verified, false, show(out));
  assert.equal(out.error.code, 'ERR_VERIFICATION_INCONCLUSIVE');
  assert.match(out.error.message, /CRL is not signed by CA/);
  // Beside a good CRL it is simply no evidence.
  assert.equal((await verifyCrls([crlDer('wrongKey'), crlDer('good')])).verified, true);
});

test('an unparseable CRL prevents "good"; bad inputs are refused with typed errors', { skip }, async () => {
  const out = await verifyCrls([crlDer('good'), new Uint8Array([1, 2, 3])]);
  assert.equal(out.error?.code, 'ERR_VERIFICATION_INCONCLUSIVE', show(out));
  await assert.rejects(async () => verifyCrls('nope'), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(async () => verifyCrls([42]), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  const many = Array.from({ length: 65 }, () => crlDer('good'));
  await assert.rejects(async () => verifyCrls(many), (e) => e.code === 'ERR_LIMIT');
});

// `nv2 verify --crl FILE` against a real registry (support/registry.mjs).
let reg;
let home;
before(async () => {
  if (skip) return;
  reg = await startRegistry();
  home = cliHome();
  const add = await home.run(['cert', 'add', '--type', 'ca', '--store', 'crl', join(PKI_DIR, c.rootEntry.certFile)]);
  assert.equal(add.code, 0, add.stderr);
  const policyFile = join(home.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:crl'])));
  assert.equal((await home.run(['policy', 'import', policyFile])).code, 0);
});
after(() => {
  reg?.stop();
  home?.dispose();
});

test('nv2 verify --crl: good passes, revoked and stale fail, repeatable', { skip }, async () => {
  const target = await pushImage(reg.url, 'cli/crl', 'v1');
  const ref = `${reg.host}/cli/crl@${target.digest}`;
  const signedCli = await home.run(['sign', '--key', join(PKI_DIR, c.keyFile), '--cert', join(PKI_DIR, c.chainFile), ref]);
  assert.equal(signedCli.code, 0, signedCli.stderr);
  const crlFile = (name) => join(PKI_DIR, c.crls[name].derFile);

  const none = await home.run(['verify', ref]);
  assert.equal(none.code, 1, none.stdout);
  assert.match(none.stderr, /revocation status is unknown/);

  const good = await home.run(['verify', ref, '--crl', crlFile('good')]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /revocation: passed/);

  const pem = await home.run(['verify', ref, '--crl', join(PKI_DIR, c.crls.good.pemFile), '--crl', crlFile('wrongKey')]);
  assert.equal(pem.code, 0, pem.stderr);

  const revoked = await home.run(['verify', ref, '--crl', crlFile('good'), '--crl', crlFile('revoked')]);
  assert.equal(revoked.code, 1, revoked.stdout);
  assert.match(revoked.stderr, /is revoked.*ERR_CERT_REVOKED/);

  const stale = await home.run(['verify', ref, '--crl', crlFile('stale'), '-o', 'json']);
  assert.equal(stale.code, 1);
  const outcome = JSON.parse(stale.stdout);
  assert.equal(outcome.verified, false);
  const sig = outcome.signatures[0].outcome;
  assert.deepEqual([sig.error.stage, sig.error.code], ['revocation', 'ERR_VERIFICATION_INCONCLUSIVE'], stale.stdout);

  const missing = await home.run(['verify', ref, '--crl', join(home.dir, 'absent.crl')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /cannot read CRL file/);
});

// inspectCrl reads what OpenSSL reads (an implementation we did not write): issuer, both times,
// the number and the count of revoked entries, for every generated CRL, in DER and PEM.
test('inspectCrl agrees with openssl crl -text on every generated CRL', async () => {
  const { execFileSync } = await import('node:child_process');
  for (const [name, entry] of Object.entries(c.crls)) {
    const file = join(PKI_DIR, entry.derFile);
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
    const info = nv2.inspectCrl(crlDer(name));
    assert.deepEqual(nv2.inspectCrl(entry.pem), info, `${name}: PEM and DER read alike`);
    const when = (label) => new Date(text.match(new RegExp(`${label}: (.+)`))[1].trim()).toISOString().replace('.000Z', 'Z');
    assert.equal(info.thisUpdate, when('Last Update'), name);
    assert.equal(info.nextUpdate, when('Next Update'), name);
    assert.equal(info.revoked, (text.match(/Serial Number:/g) ?? []).length, name);
    const number = text.match(/X509v3 CRL Number:\s*\n\s*(\d+)/);
    assert.equal(parseInt(info.number, 16), Number(number[1]), name);
    assert.equal(info.delta, false, name);
    assert.match(info.issuer, /CN=nv2 test crl root/, name);
  }
  assert.throws(() => nv2.inspectCrl(new Uint8Array([0x30, 0x03, 1, 2, 3])), (e) => e.code === 'ERR_PARSE', 'garbage is refused');
});

// downloadCrls: the bounded download verification uses, for `nv2 crl refresh`.
test('downloadCrls: a served CRL, a 404, a non-HTTP URL, and the cache answering while current', async () => {
  const { createServer } = await import('node:http');
  let hits = 0;
  const srv = createServer((q, r) => {
    hits++;
    if (q.url === '/good.crl') return r.end(crlDer('good'));
    r.statusCode = 404;
    r.end();
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${srv.address().port}`;
  try {
    const cache = new Map();
    const revocationCache = { get: (u) => cache.get(u), set: (u, b) => cache.set(u, b) };
    const [good, missing, ftp] = await nv2.downloadCrls([`${base}/good.crl`, `${base}/missing.crl`, 'ftp://x/y'], { revocationCache });
    assert.deepEqual(good.crl, crlDer('good'));
    assert.equal(missing.crl, undefined);
    assert.equal(missing.error, 'HTTP 404');
    assert.match(ftp.error, /not an HTTP/);
    assert.equal(hits, 2);
    // Nothing downloaded without a known issuer is cached (only CRLs their CA signed are).
    assert.equal(cache.size, 0, 'downloadCrls knows no issuer: nothing is cached');
    // A current cached bundle (notation-core-go Bundle shape) answers without a request.
    cache.set(`${base}/good.crl`, { baseCRL: crlDer('good') });
    const [again] = await nv2.downloadCrls([`${base}/good.crl`], { revocationCache });
    assert.deepEqual(again.crl, crlDer('good'));
    assert.equal(hits, 2, 'answered from the cache');
    // Judged after its nextUpdate: downloaded again.
    const later = new Date(Date.parse(nv2.inspectCrl(crlDer('good')).nextUpdate) + 1000);
    await nv2.downloadCrls([`${base}/good.crl`], { revocationCache, now: later });
    assert.equal(hits, 3, 'a cached CRL past its nextUpdate is downloaded again');
  } finally {
    srv.close();
  }
});
