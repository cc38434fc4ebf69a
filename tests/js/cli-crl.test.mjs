// `nv2 crl` (docs/revocation.md §Offline): the installed command line against two real registries
// (Debian docker-registry on 127.0.0.1). The CRL store feeds `nv2 verify --offline`; CRLs attached
// with `nv2 crl attach` or `nv2 crl refresh` travel with `nv2 copy` into a second registry and are
// read there by a fresh configuration; `nv2 crl export` writes notation-go's CRL file cache.
//
// Two PKIs: tests/gen/make_pki.py "crl" (its leaf names http://crl.nv2.test/root.crl, which does
// not resolve: every run is isolated), and one made here with openssl (support/crl-pki.mjs)
// whose leaf names a CRL on a small HTTP server on 127.0.0.1, for `nv2 crl refresh`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PKI_DIR, pki } from './helpers.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';
import { makeCrlPki, startCrlServer } from './support/crl-pki.mjs';
import { pushImage, startRegistry } from './support/registry.mjs';

const c = pki.crl;
const pkiFile = (rel) => join(PKI_DIR, rel);
const CRL = {
  good: pkiFile(c.crls.good.derFile),
  revoked: pkiFile(c.crls.revoked.derFile),
  stale: pkiFile(c.crls.stale.pemFile), // PEM: import takes both encodings
};
const sha256Hex = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

let src;
let dst;
const homes = [];
let scratch;
before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = mkdtempSync(join(tmpdir(), 'nv2-cli-crl-'));
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  for (const h of homes) h.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
const fails = (r, code, what) => {
  assert.equal(r.code, 1, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`\\(${code}\\)`), `${what}: ${r.stderr}`);
};

/** A fresh CLI home (its own $NV2_CONFIG and $NV2_CACHE) trusting `rootFile` as ca:<store>. */
async function trustingHome(store, rootFile) {
  const h = cliHome();
  homes.push(h);
  h.env.NV2_CACHE = join(h.dir, 'cache');
  ok(await h.run(['cert', 'add', '--type', 'ca', '--store', store, rootFile]), 'cert add');
  const policy = join(h.dir, 'policy.json');
  writeFileSync(policy, JSON.stringify(strictPolicy([`ca:${store}`])));
  ok(await h.run(['policy', 'import', policy]), 'policy import');
  return h;
}

/** Pushes an image and signs it with `key`/`chain` files; returns the reference by digest. */
async function signedImage(h, reg, repo, keyFile, chainFile) {
  const target = await pushImage(reg.url, repo, 'v1');
  ok(await h.run(['sign', '--key', keyFile, '--cert', chainFile, `${reg.host}/${repo}@${target.digest}`]), 'sign');
  return `${reg.host}/${repo}@${target.digest}`;
}

const list = async (h) => {
  const r = await h.run(['crl', 'list', '-o', 'json']);
  ok(r, 'crl list');
  return JSON.parse(r.stdout).crls;
};

test('crl import / list / delete; verify --offline uses the store: good passes, revoked fails', async () => {
  const h = await trustingHome('crl', pkiFile(c.rootEntry.certFile));
  const ref = await signedImage(h, src, 'crl/store', pkiFile(c.keyFile), pkiFile(c.chainFile));

  // Nothing stored: the leaf's distribution point does not resolve, so the status is unknown,
  // and the message names the ways forward.
  const none = await h.run(['verify', '--offline', ref]);
  fails(none, 'ERR_VERIFICATION_INCONCLUSIVE', 'verify with an empty store');
  assert.match(none.stderr, /nv2 crl import/);

  const imp = await h.run(['crl', 'import', CRL.good, CRL.stale]);
  ok(imp, 'crl import');
  assert.match(imp.stdout, /^Imported .*good\.crl as [0-9a-f]{12} \(.*nv2 test crl root.*\)$/m);
  assert.match(imp.stderr, /stale\.pem: the CRL's nextUpdate has passed/);
  const again = await h.run(['crl', 'import', CRL.good]);
  ok(again, 'import again');
  assert.match(again.stdout, /^Already stored /m);

  const rows = await list(h);
  assert.equal(rows.length, 2, JSON.stringify(rows));
  for (const r of rows) {
    assert.match(r.id, /^[0-9a-f]{64}$/);
    assert.match(r.issuer, /CN=nv2 test crl root/);
    assert.ok(!Number.isNaN(Date.parse(r.thisUpdate)) && !Number.isNaN(Date.parse(r.nextUpdate)), JSON.stringify(r));
    assert.equal(r.delta, false);
    assert.equal(typeof r.number, 'string');
    // The store file is the DER, named by its SHA-256.
    const der = readFileSync(join(h.config, 'crl', `${r.id}.crl`));
    assert.equal(createHash('sha256').update(der).digest('hex'), r.id);
  }
  const good = rows.find((r) => r.revoked === 1);
  const stale = rows.find((r) => r.revoked === 0);
  assert.equal(good.status, 'current');
  assert.equal(stale.status, 'stale');
  const text = await h.run(['crl', 'ls']);
  ok(text, 'crl ls');
  assert.match(text.stdout, /^ID\s+ISSUER\s+THIS UPDATE\s+NEXT UPDATE\s+NUMBER\s+DELTA\s+REVOKED\s+STATUS$/m);
  assert.match(text.stdout, new RegExp(`^${stale.id.slice(0, 12)} .* stale$`, 'm'));

  // What is not a CRL is refused, and nothing of that command is stored.
  const notCrl = await h.run(['crl', 'import', CRL.revoked, pkiFile(c.rootEntry.certFile)]);
  fails(notCrl, 'ERR_PARSE', 'import a certificate');
  assert.equal((await list(h)).length, 2, 'the revoked CRL before it was not stored either');
  assert.equal((await h.run(['crl', 'import', '--url', 'http://x.test/a.crl', CRL.good, CRL.stale])).code, 2, '--url with two files');

  const v = await h.run(['verify', '--offline', ref]);
  ok(v, 'verify --offline with the good CRL stored');
  assert.match(v.stdout, /revocation: passed/);

  // Revoked instead: delete the good CRL (by id prefix), import the one that lists the leaf.
  const del = await h.run(['crl', 'delete', good.id.slice(0, 8)]);
  ok(del, 'crl delete');
  assert.match(del.stdout, new RegExp(`^Deleted ${good.id.slice(0, 12)}$`, 'm'));
  assert.ok(!existsSync(join(h.config, 'crl', `${good.id}.crl`)));
  fails(await h.run(['crl', 'delete', good.id.slice(0, 8)]), 'ERR_INVALID_ARGUMENT', 'delete it again');
  ok(await h.run(['crl', 'import', CRL.revoked]), 'import revoked');
  const revoked = await h.run(['verify', '--offline', ref]);
  fails(revoked, 'ERR_CERT_REVOKED', 'verify with the revoked CRL stored');

  // --crl files come with the store: the revoked one in the store still wins over a good file.
  const both = await h.run(['verify', '--offline', '--crl', CRL.good, ref]);
  fails(both, 'ERR_CERT_REVOKED', 'verify with a good --crl and the revoked store entry');

  // A store file that no longer parses is listed as invalid and named when verify leaves it out.
  const junk = 'ab'.repeat(32);
  writeFileSync(join(h.config, 'crl', `${junk}.crl`), 'not a CRL');
  const invalid = (await list(h)).find((r) => r.id === junk);
  assert.equal(invalid?.status, 'invalid', JSON.stringify(invalid));
  const withJunk = await h.run(['verify', '--offline', ref]);
  assert.match(withJunk.stderr, new RegExp(`Warning: stored CRL ${junk.slice(0, 12)} is left out`));
  fails(withJunk, 'ERR_CERT_REVOKED', 'verify with an unreadable store entry');
});

test('blob verify --offline passes the CRL store too', async () => {
  const h = await trustingHome('crl', pkiFile(c.rootEntry.certFile));
  const blobPolicy = join(h.dir, 'blob-policy.json');
  writeFileSync(
    blobPolicy,
    JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'all', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:crl'], trustedIdentities: ['*'] }],
    }),
  );
  ok(await h.run(['blob', 'policy', 'import', blobPolicy]), 'blob policy import');
  const file = join(h.dir, 'release.txt');
  writeFileSync(file, 'release v1\n');
  ok(await h.run(['blob', 'sign', '--key', pkiFile(c.keyFile), '--cert', pkiFile(c.chainFile), '--signature-directory', h.dir, file]), 'blob sign');
  const verifyBlob = () => h.run(['blob', 'verify', '--offline', '--signature', `${file}.jws.sig`, file]);
  fails(await verifyBlob(), 'ERR_VERIFICATION_INCONCLUSIVE', 'blob verify with an empty store');
  ok(await h.run(['crl', 'import', CRL.good]), 'crl import');
  ok(await verifyBlob(), 'blob verify with the good CRL stored');
});

test('crl attach → nv2 copy → verify --offline in the second registry with a fresh configuration', async () => {
  const signer = await trustingHome('crl', pkiFile(c.rootEntry.certFile));
  const ref = await signedImage(signer, src, 'crl/attach', pkiFile(c.keyFile), pkiFile(c.chainFile));
  const isolated = await trustingHome('crl', pkiFile(c.rootEntry.certFile));

  fails(await isolated.run(['verify', '--offline', ref]), 'ERR_VERIFICATION_INCONCLUSIVE', 'before attaching');
  fails(await signer.run(['crl', 'attach', ref, pkiFile(c.rootEntry.certFile)]), 'ERR_PARSE', 'attach a certificate');

  const att = await signer.run(['crl', 'attach', ref, CRL.good]);
  ok(att, 'crl attach');
  assert.match(att.stdout, /^Attached 1 CRL\(s\) to /m);
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(att.stdout)?.[1];
  assert.ok(digest, att.stdout);

  const there = `${dst.host}/isolated/attach`;
  const cp = await signer.run(['copy', ref, there]);
  ok(cp, 'copy');
  assert.match(cp.stdout, /referrers: 2 copied/, 'the signature and the revocation data');
  const pinned = `${there}@${ref.split('@')[1]}`;
  const v = await isolated.run(['verify', '--offline', pinned]);
  ok(v, 'verify the copy --offline (attached CRL)');
  assert.match(v.stdout, /revocation: passed/);
  assert.deepEqual(readdirSync(isolated.config).sort(), ['trustpolicy.oci.json', 'truststore'], 'nothing but the policy and the trust store');
});

test('crl refresh downloads what the chain names, attaches it (and --store keeps it); the copy verifies offline; export writes the notation cache', async () => {
  const server = await startCrlServer();
  let stopped = false;
  try {
    const url = server.url('/root.crl');
    const p = makeCrlPki(join(scratch, 'refresh-pki'), { crlUrl: url });
    server.set('/root.crl', p.crl);
    const h = await trustingHome('refresh', p.rootFile);
    const ref = await signedImage(h, src, 'crl/refresh', p.keyFile, p.chainFile);

    const r = await h.run(['crl', 'refresh', '--store', ref]);
    ok(r, 'crl refresh');
    assert.match(r.stdout, new RegExp(`^Downloaded ${url.replace(/[.]/g, '\\.')}: .*CN=nv2 test refresh root`, 'm'));
    assert.match(r.stdout, /^Attached 1 CRL\(s\) to .*\nDigest: sha256:[0-9a-f]{64}$/m);
    assert.match(r.stdout, /^Stored 1 CRL\(s\) in /m);
    assert.deepEqual(server.requests, ['/root.crl']);
    // A refresh knows no issuer, so it caches nothing (only verification, which checks the CRL
    // under its CA, writes the cache); the CRL reaches the store and the attachment.
    assert.equal(existsSync(join(h.env.NV2_CACHE, 'crl', sha256Hex(url))), false, 'an unverified download is not cached');
    const rows = await list(h);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].url, url);

    await server.stop();
    stopped = true;

    const there = `${dst.host}/isolated/refresh`;
    ok(await h.run(['copy', ref, there]), 'copy');
    const isolated = await trustingHome('refresh', p.rootFile);
    const v = await isolated.run(['verify', '--offline', `${there}@${ref.split('@')[1]}`]);
    ok(v, 'verify the copy --offline (refreshed CRL attached)');
    assert.match(v.stdout, /revocation: passed/);

    // Export: the store entry with its URL, plus one imported with --url, and one without a URL
    // (skipped). File names are sha256(url) hex; baseCRL is DER that openssl reads.
    ok(await h.run(['crl', 'import', '--url', 'http://crl.nv2.test/root.crl', CRL.good]), 'import --url');
    ok(await h.run(['crl', 'import', CRL.stale]), 'import without a URL');
    const cacheDir = join(scratch, 'notation-cache');
    const ex = await h.run(['crl', 'export', '--notation-cache', cacheDir, '-o', 'json']);
    ok(ex, 'crl export');
    const report = JSON.parse(ex.stdout);
    const names = readdirSync(join(cacheDir, 'crl')).sort();
    assert.deepEqual(names, [sha256Hex(url), sha256Hex('http://crl.nv2.test/root.crl')].sort());
    assert.equal(report.written.length, 2);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0].reason, /no source URL/);
    for (const name of names) {
      const content = JSON.parse(readFileSync(join(cacheDir, 'crl', name), 'utf8'));
      assert.deepEqual(Object.keys(content), ['baseCRL']);
      const der = join(scratch, `${name}.der`);
      writeFileSync(der, Buffer.from(content.baseCRL, 'base64'));
      const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', der, '-noout', '-issuer'], { encoding: 'utf8' });
      assert.match(text, name === sha256Hex(url) ? /nv2 test refresh root/ : /nv2 test crl root/);
    }
    const exText = await h.run(['crl', 'export', '--notation-cache', cacheDir]);
    ok(exText, 'crl export (text)');
    assert.match(exText.stdout, /^Skipped store [0-9a-f]{12} \(.*nv2 test crl root.*\): no source URL/m);
    assert.match(exText.stdout, /^2 CRL cache file\(s\) written to /m);

    // The server is gone: refresh now fails and says which URL, with the cache cleared.
    rmSync(join(h.env.NV2_CACHE, 'crl'), { recursive: true, force: true });
    const gone = await h.run(['crl', 'refresh', ref]);
    assert.equal(gone.code, 1, gone.stderr);
    assert.match(gone.stderr, new RegExp(`failed ${url.replace(/[.]/g, '\\.')}: `));
    assert.match(errorLine(gone), /nothing was attached/);
  } finally {
    if (!stopped) await server.stop();
  }
});

test('more than 64 stored CRLs: the newest per issuer is passed first, with a warning; ambiguous delete prefixes are refused', async () => {
  const server = await startCrlServer();
  try {
    const p = makeCrlPki(join(scratch, 'many-pki'), { crlUrl: server.url('/root.crl'), name: 'nv2 test many' });
    const h = await trustingHome('many', p.rootFile);
    const ref = await signedImage(h, src, 'crl/many', p.keyFile, p.chainFile);
    await server.stop();
    // 70 CRLs of the root (CRL numbers 2…71), the newest imported last; each file a new name.
    const files = [];
    for (let i = 0; i < 70; i++) {
      const f = join(scratch, `many-${i}.crl`);
      writeFileSync(f, p.makeCrl(i === 69));
      files.push(f);
    }
    ok(await h.run(['crl', 'import', ...files]), 'import 70 CRLs');
    const rows = await list(h);
    assert.equal(rows.length, 70);
    // The newest (it lists the leaf) is among those passed: revoked, not an error about the limit.
    const v = await h.run(['verify', '--offline', ref]);
    assert.match(v.stderr, /Warning: the CRL store holds 70 CRLs and a verification takes at most 64/);
    fails(v, 'ERR_CERT_REVOKED', 'verify with 70 stored CRLs');

    // 70 ids over 16 first digits: some first digit is shared; that prefix is refused.
    const first = rows.map((r) => r.id[0]);
    const shared = first.find((d, i) => first.indexOf(d) !== i);
    const amb = await h.run(['crl', 'delete', shared]);
    fails(amb, 'ERR_INVALID_ARGUMENT', 'ambiguous prefix');
    assert.match(errorLine(amb), /ambiguous/);
    assert.equal((await list(h)).length, 70, 'nothing deleted');
    assert.equal((await h.run(['crl', 'delete', 'xyz'])).code, 2, 'not hex');
  } finally {
    await server.stop().catch(() => {});
  }
});
