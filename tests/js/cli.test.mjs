// The installed `nv2` command line, offline: help and usage errors, configuration layout, trust
// store management, generate-test certificates (checked by openssl, node:crypto and nv2 itself),
// trust policy import/show, trust-store loading rules, and docker credential sources.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import * as nv2 from 'nv2';
import { makeTarget, pki, refFor } from './helpers.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';

const homes = [];
const newHome = () => {
  const h = cliHome();
  homes.push(h);
  return h;
};
after(() => homes.forEach((h) => h.dispose()));

const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
const usage = (r, re) => {
  assert.equal(r.code, 2, `expected a usage error: ${r.stdout}${r.stderr}`);
  assert.match(errorLine(r), /\(ERR_USAGE\)$/);
  if (re) assert.match(errorLine(r), re);
};

test('--help for every command; no command prints help and exits 2; version', async () => {
  const h = newHome();
  const commands = [
    ['sign'], ['verify'], ['list'], ['ls'], ['inspect'], ['login'], ['logout'], ['version'],
    ['cert', 'add'], ['cert', 'list'], ['cert', 'show'], ['cert', 'delete'], ['cert', 'generate-test'],
    ['policy', 'import'], ['policy', 'show'],
  ];
  for (const c of commands) {
    const r = await h.run([...c, '--help']);
    ok(r, `${c.join(' ')} --help`);
    assert.match(r.stdout, /^Usage: nv2 /m, c.join(' '));
    assert.match(r.stdout, /--help/);
    const viaHelp = await h.run(['help', ...c]);
    ok(viaHelp, `help ${c.join(' ')}`);
  }
  for (const g of ['cert', 'policy']) {
    const r = await h.run([g, '--help']);
    ok(r, `${g} --help`);
    assert.match(r.stdout, new RegExp(`Usage: nv2 ${g} <command>`));
  }
  ok(await h.run(['--help']), '--help');
  const none = await h.run([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /Usage: nv2 <command>/);
  const v = await h.run(['version', '-o', 'json']);
  ok(v, 'version');
  const info = JSON.parse(v.stdout);
  assert.equal(info.version, JSON.parse(readFileSync(new URL(import.meta.resolve('nv2/package.json')), 'utf8')).version);
  assert.equal(info.core, nv2.version());
});

test('argument errors exit 2 with one clear line', async () => {
  const h = newHome();
  usage(await h.run(['frobnicate']), /unknown command "frobnicate"/);
  usage(await h.run(['cert', 'frobnicate']), /unknown command "cert frobnicate"/);
  usage(await h.run(['sign']), /missing artifact reference/);
  usage(await h.run(['sign', 'a/b:c', 'd/e:f']), /unexpected argument "d\/e:f"/);
  usage(await h.run(['sign', 'localhost:5000/a:v1', '--bogus']), /unknown option --bogus/);
  usage(await h.run(['sign', 'localhost:5000/a:v1', '--key']), /option --key needs a value/);
  usage(await h.run(['sign', 'localhost:5000/a:v1', '--expiry', 'soon', '--key', 'x', '--cert', 'y']), /--expiry expects a positive duration/);
  usage(await h.run(['sign', 'localhost:5000/a:v1', '--signature-format', 'cms']), /--signature-format must be jws or cose/);
  usage(await h.run(['sign', 'localhost:5000/a:v1', '-m', 'novalue']), /expects key=value/);
  usage(await h.run(['sign', 'localhost:5000/a:v1']), /--key is required/);
  usage(await h.run(['verify', 'localhost:5000/a:v1', '--max-signatures', '0']), /positive integer/);
  usage(await h.run(['verify', 'localhost:5000/a:v1', '-o', 'yaml']), /--output must be text or json/);
  usage(await h.run(['list', 'localhost:5000/a:v1', '-p', 'x']), /password was given without --username/);
  usage(await h.run(['cert', 'add', '--type', 'bogus', '--store', 's', 'f.pem']), /--type must be one of/);
  usage(await h.run(['cert', 'add', '--type', 'ca', '--store', 'bad/name', 'f.pem']), /not a valid store name/);
  usage(await h.run(['cert', 'add', '--type', 'ca', 'f.pem']), /--store is required/);
  usage(await h.run(['cert', 'delete', '--type', 'ca', '--store', 's']), /--all or exactly one/);
  usage(await h.run(['cert', 'generate-test', 'x', '--key-type', 'ed25519']), /--key-type must be one of/);
  usage(await h.run(['login', 'localhost:5000']), /--username is required/);
  usage(await h.run(['login', '-u', 'a', '-p', 'b', '--password-stdin', 'localhost:5000']), /mutually exclusive/);
  // Errors that are not usage errors: exit 1 with the package's code.
  const missingKey = await h.run(['sign', 'localhost:5000/a:v1', '--key', 'no-such-key']);
  assert.equal(missingKey.code, 1);
  assert.match(errorLine(missingKey), /^Error: --key "no-such-key" is neither a key file nor a key name .*\(ERR_INVALID_ARGUMENT\)$/);
  const noPolicy = await h.run(['verify', 'localhost:5000/a:v1']);
  assert.equal(noPolicy.code, 1);
  assert.match(errorLine(noPolicy), /no trust policy .*\(ERR_POLICY_INVALID\)$/);
});

test('cert generate-test: layout, Notary profile (openssl, node:crypto), default key', async () => {
  const h = newHome();
  for (const keyType of ['p256', 'p384', 'p521', 'rsa2048']) {
    const name = `gen-${keyType}`;
    const r = await h.run(['cert', 'generate-test', '--key-type', keyType, name, ...(keyType === 'p384' ? ['--default'] : [])]);
    ok(r, `generate-test ${keyType}`);
    const keyPath = join(h.config, 'localkeys', `${name}.key`);
    const chainPem = readFileSync(join(h.config, 'localkeys', `${name}.crt`), 'utf8');
    const storePath = join(h.config, 'truststore', 'x509', 'ca', name, `${name}.crt`);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600, 'private key is 0600');
    const keyPem = readFileSync(keyPath, 'utf8');
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8 PEM');
    const [leafPem, caPem] = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g);
    assert.equal(readFileSync(storePath, 'utf8'), caPem, 'the CA is in truststore/x509/ca/<name>/');

    const leaf = new crypto.X509Certificate(leafPem);
    const ca = new crypto.X509Certificate(caPem);
    assert.ok(leaf.verify(ca.publicKey), 'leaf signed by the CA');
    assert.ok(ca.verify(ca.publicKey), 'CA self-signed');
    assert.ok(leaf.checkIssued(ca));
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.3']);
    assert.ok(leaf.checkPrivateKey(crypto.createPrivateKey(keyPem)), 'key matches the leaf');
    assert.match(leaf.subject, new RegExp(`CN=${name}`));

    const leafText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: leafPem }).toString();
    assert.match(leafText, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(leafText, /Key Usage: critical\s+Digital Signature\n/);
    assert.match(leafText, /Extended Key Usage: \s*Code Signing/);
    assert.match(leafText, keyType.startsWith('rsa') ? /sha256WithRSAEncryption/ : /ecdsa-with-SHA(256|384|512)/);
    const caText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: caPem }).toString();
    assert.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(caText, /Key Usage: critical\s+Certificate Sign\n/);
    const caFile = join(h.dir, `${name}-ca.pem`);
    writeFileSync(caFile, caPem);
    execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile], { input: leafPem });
  }
  const keys = JSON.parse(readFileSync(join(h.config, 'signingkeys.json'), 'utf8'));
  assert.equal(keys.default, 'gen-p384');
  assert.equal(keys.keys.length, 4);
  const again = await h.run(['cert', 'generate-test', 'gen-p256']);
  assert.equal(again.code, 1);
  assert.match(errorLine(again), /already exists/);
  const list = await h.run(['cert', 'list', '--type', 'ca', '-o', 'json']);
  ok(list, 'cert list');
  assert.deepEqual(JSON.parse(list.stdout).map((r) => r.store).sort(), ['gen-p256', 'gen-p384', 'gen-p521', 'gen-rsa2048']);
});

test('generate-test certificates sign and verify through nv2 (signDescriptor + verifyEnvelope)', async () => {
  const h = newHome();
  for (const keyType of ['p256', 'p521', 'rsa3072']) {
    ok(await h.run(['cert', 'generate-test', '--key-type', keyType, keyType]), keyType);
    const key = readFileSync(join(h.config, 'localkeys', `${keyType}.key`), 'utf8');
    const certChain = readFileSync(join(h.config, 'localkeys', `${keyType}.crt`), 'utf8');
    const caPem = readFileSync(join(h.config, 'truststore', 'x509', 'ca', keyType, `${keyType}.crt`), 'utf8');
    const target = makeTarget(`cli-${keyType}`);
    const signed = await nv2.signDescriptor({ target, key, certChain });
    const outcome = nv2.verifyEnvelope({
      envelope: signed.envelope,
      mediaType: 'application/jose+json',
      target,
      artifactReference: refFor(target),
      trustPolicy: strictPolicy(['ca:gen'], ['x509.subject: C=US, ST=WA, O=Notary']),
      trustStore: { 'ca:gen': [caPem] },
    });
    assert.equal(outcome.verified, true, JSON.stringify(outcome.error ?? outcome.results));
    // A store holding someone else's root does not trust it.
    const untrusted = nv2.verifyEnvelope({
      envelope: signed.envelope,
      mediaType: 'application/jose+json',
      target,
      artifactReference: refFor(target),
      trustPolicy: strictPolicy(['ca:gen']),
      trustStore: { 'ca:gen': [pki.algorithms.p256.root] },
    });
    assert.equal(untrusted.verified, false);
  }
});

test('cert add / list / show / delete', async () => {
  const h = newHome();
  const root = pki.algorithms.p256.root;
  const rootFile = join(h.dir, 'root.pem');
  writeFileSync(rootFile, root);
  const derFile = join(h.dir, 'root2.cer');
  writeFileSync(derFile, new crypto.X509Certificate(pki.algorithms.rsa2048.root).raw);
  const leafFile = join(h.dir, 'leaf.pem');
  writeFileSync(leafFile, pki.algorithms.p256.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)[0]);
  const junk = join(h.dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate');

  const add = await h.run(['cert', 'add', '--type', 'ca', '--store', 'acme', rootFile, derFile]);
  ok(add, 'cert add');
  assert.match(add.stdout, /named store acme of type ca/);
  assert.ok(existsSync(join(h.config, 'truststore', 'x509', 'ca', 'acme', 'root.pem')));
  const dup = await h.run(['cert', 'add', '-t', 'ca', '-s', 'acme', rootFile]);
  assert.equal(dup.code, 1);
  assert.match(errorLine(dup), /already exists/);
  const leafAdd = await h.run(['cert', 'add', '-t', 'ca', '-s', 'acme', leafFile]);
  assert.equal(leafAdd.code, 1);
  assert.match(errorLine(leafAdd), /neither a CA nor self-signed \(ERR_TRUST_STORE\)$/);
  const junkAdd = await h.run(['cert', 'add', '-t', 'signingAuthority', '-s', 'x', junk]);
  assert.equal(junkAdd.code, 1);
  assert.match(errorLine(junkAdd), /\(ERR_TRUST_STORE\)$/);
  ok(await h.run(['cert', 'add', '-t', 'signingAuthority', '-s', 'sa', rootFile]), 'add signingAuthority');

  const list = await h.run(['cert', 'list']);
  ok(list, 'cert list');
  assert.match(list.stdout, /^STORE TYPE\s+STORE NAME\s+CERTIFICATE$/m);
  assert.match(list.stdout, /^ca\s+acme\s+root\.pem$/m);
  assert.match(list.stdout, /^ca\s+acme\s+root2\.cer$/m);
  assert.match(list.stdout, /^signingAuthority\s+sa\s+root\.pem$/m);
  const onlySa = JSON.parse((await h.run(['cert', 'list', '--type', 'signingAuthority', '-o', 'json'])).stdout);
  assert.deepEqual(onlySa.map((r) => `${r.type}:${r.store}/${r.file}`), ['signingAuthority:sa/root.pem']);
  const onlyAcme = JSON.parse((await h.run(['cert', 'list', '--store', 'acme', '-o', 'json'])).stdout);
  assert.equal(onlyAcme.length, 2);

  const show = await h.run(['cert', 'show', '--type', 'ca', '--store', 'acme', 'root.pem']);
  ok(show, 'cert show');
  const x = new crypto.X509Certificate(root);
  assert.match(show.stdout, new RegExp(`SHA256 Thumbprint: ${x.fingerprint256.replace(/:/g, '').toLowerCase()}`));
  assert.match(show.stdout, /^Subject: .+/m);
  assert.match(show.stdout, /^Issuer: .+/m);
  assert.match(show.stdout, /^Valid from: \d{4}-/m);
  assert.match(show.stdout, /^Valid to: \d{4}-/m);
  assert.match(show.stdout, /^IsCA: true$/m);
  const showDer = JSON.parse((await h.run(['cert', 'show', '-t', 'ca', '-s', 'acme', 'root2.cer', '-o', 'json'])).stdout);
  assert.equal(showDer[0].sha256Thumbprint, crypto.createHash('sha256').update(new crypto.X509Certificate(pki.algorithms.rsa2048.root).raw).digest('hex'));

  const noYes = await h.run(['cert', 'delete', '-t', 'ca', '-s', 'acme', 'root.pem']);
  assert.equal(noYes.code, 2, 'no -y with a non-terminal stdin');
  ok(await h.run(['cert', 'delete', '-t', 'ca', '-s', 'acme', 'root.pem', '-y']), 'delete one');
  assert.ok(!existsSync(join(h.config, 'truststore', 'x509', 'ca', 'acme', 'root.pem')));
  assert.ok(existsSync(join(h.config, 'truststore', 'x509', 'ca', 'acme', 'root2.cer')));
  const gone = await h.run(['cert', 'delete', '-t', 'ca', '-s', 'acme', 'root.pem', '-y']);
  assert.equal(gone.code, 1);
  ok(await h.run(['cert', 'delete', '-t', 'ca', '-s', 'acme', '--all', '-y']), 'delete --all');
  assert.ok(!existsSync(join(h.config, 'truststore', 'x509', 'ca', 'acme')));
});

test('policy import / show', async () => {
  const h = newHome();
  const show0 = await h.run(['policy', 'show']);
  assert.equal(show0.code, 1);
  assert.match(errorLine(show0), /\(ERR_POLICY_INVALID\)$/);
  const good = join(h.dir, 'good.json');
  writeFileSync(good, JSON.stringify(strictPolicy(['ca:acme'])));
  const bad = join(h.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' } }] }));
  const notJson = join(h.dir, 'notjson.json');
  writeFileSync(notJson, '{ nope');

  const badImport = await h.run(['policy', 'import', bad]);
  assert.equal(badImport.code, 1);
  assert.match(errorLine(badImport), /\(ERR_POLICY_INVALID\)$/);
  assert.ok(!existsSync(join(h.config, 'trustpolicy.oci.json')), 'an invalid policy is not imported');
  const parse = await h.run(['policy', 'import', notJson]);
  assert.equal(parse.code, 1);
  assert.match(errorLine(parse), /\(ERR_PARSE\)$/);

  ok(await h.run(['policy', 'import', good]), 'import');
  const stored = JSON.parse(readFileSync(join(h.config, 'trustpolicy.oci.json'), 'utf8'));
  assert.deepEqual(stored, strictPolicy(['ca:acme']));
  const again = await h.run(['policy', 'import', good]);
  assert.equal(again.code, 1);
  assert.match(errorLine(again), /--force/);
  const other = join(h.dir, 'other.json');
  writeFileSync(other, JSON.stringify(strictPolicy(['ca:other'])));
  ok(await h.run(['policy', 'import', '--force', other]), 'import --force');
  const show = await h.run(['policy', 'show']);
  ok(show, 'show');
  assert.deepEqual(JSON.parse(show.stdout), strictPolicy(['ca:other']));

  // The legacy name trustpolicy.json is read when trustpolicy.oci.json is absent.
  const legacyHome = newHome();
  mkdirSync(legacyHome.config, { recursive: true });
  writeFileSync(join(legacyHome.config, 'trustpolicy.json'), JSON.stringify(strictPolicy(['ca:legacy'])));
  const legacy = await legacyHome.run(['policy', 'show']);
  ok(legacy, 'show legacy');
  assert.match(legacy.stdout, /ca:legacy/);
});

// --------------------------------------------------------------------------------------------
// Trust-store loading rules and credential sources, observed through a tiny fake registry that
// records requests: verify runs against it and fails (or succeeds) before/after the store loads.

/**
 * A fake registry answering /v2/ with 200 and every other request with 404 (so verify ends with a registry error after
 * the trust store has been loaded) and recording the Authorization headers it saw.
 * A Basic challenge is sent first when `challenge` is set.
 */
async function fakeRegistry({ challenge = false } = {}) {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization ?? null });
    if (challenge && !req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"', 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (req.url === '/v2/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${server.address().port}`, seen, close: () => server.close() };
}

function homeWithPolicy(stores) {
  const h = newHome();
  mkdirSync(h.config, { recursive: true });
  writeFileSync(join(h.config, 'trustpolicy.oci.json'), JSON.stringify(strictPolicy(stores)));
  return h;
}

test('trust store loading: symlinked store or file, sub-directory, empty store → ERR_TRUST_STORE; missing store → left to the verifier', async () => {
  const fake = await fakeRegistry();
  const ref = `${fake.host}/repo@sha256:${'a'.repeat(64)}`;
  try {
    const storeOf = (h, name) => join(h.config, 'truststore', 'x509', 'ca', name);
    // Baseline: a well-formed store loads; verify then fails on the registry (404), not the store.
    const base = homeWithPolicy(['ca:good']);
    mkdirSync(storeOf(base, 'good'), { recursive: true });
    writeFileSync(join(storeOf(base, 'good'), 'root.pem'), pki.algorithms.p256.root);
    writeFileSync(join(storeOf(base, 'good'), 'README.txt'), 'ignored');
    const r0 = await base.run(['verify', ref]);
    assert.equal(r0.code, 1);
    assert.match(errorLine(r0), /\(ERR_REGISTRY_HTTP\)$/, r0.stderr);
    assert.match(r0.stderr, /Warning: .*ignoring README\.txt/);

    // Symlinked named store.
    const sl = homeWithPolicy(['ca:linked']);
    const real = join(sl.dir, 'real-store');
    mkdirSync(real);
    writeFileSync(join(real, 'root.pem'), pki.algorithms.p256.root);
    mkdirSync(join(storeOf(sl, 'linked'), '..'), { recursive: true });
    symlinkSync(real, storeOf(sl, 'linked'));
    const r1 = await sl.run(['verify', ref]);
    assert.equal(r1.code, 1);
    assert.match(errorLine(r1), /symlink.*\(ERR_TRUST_STORE\)$/);

    // Symlinked certificate file.
    const sf = homeWithPolicy(['ca:s']);
    mkdirSync(storeOf(sf, 's'), { recursive: true });
    writeFileSync(join(sf.dir, 'root.pem'), pki.algorithms.p256.root);
    symlinkSync(join(sf.dir, 'root.pem'), join(storeOf(sf, 's'), 'root.pem'));
    const r2 = await sf.run(['verify', ref]);
    assert.equal(r2.code, 1);
    assert.match(errorLine(r2), /root\.pem is a symlink.*\(ERR_TRUST_STORE\)$/);

    // Sub-directory inside a named store.
    const sd = homeWithPolicy(['ca:d']);
    mkdirSync(join(storeOf(sd, 'd'), 'nested'), { recursive: true });
    writeFileSync(join(storeOf(sd, 'd'), 'root.pem'), pki.algorithms.p256.root);
    const r3 = await sd.run(['verify', ref]);
    assert.equal(r3.code, 1);
    assert.match(errorLine(r3), /sub-directory nested.*\(ERR_TRUST_STORE\)$/);

    // Empty store.
    const em = homeWithPolicy(['ca:empty']);
    mkdirSync(storeOf(em, 'empty'), { recursive: true });
    const r4 = await em.run(['verify', ref]);
    assert.equal(r4.code, 1);
    assert.match(errorLine(r4), /no x509 certificates.*\(ERR_TRUST_STORE\)$/);

    // Missing store: the CLI does not fail on it; the verification goes on (here to the registry).
    const ms = homeWithPolicy(['ca:absent']);
    const r5 = await ms.run(['verify', ref]);
    assert.equal(r5.code, 1);
    assert.doesNotMatch(errorLine(r5), /symlink|sub-directory/);

    // A store the policy does not reference is never read (a broken one does not matter).
    const un = homeWithPolicy(['ca:good']);
    mkdirSync(storeOf(un, 'good'), { recursive: true });
    writeFileSync(join(storeOf(un, 'good'), 'root.pem'), pki.algorithms.p256.root);
    mkdirSync(join(storeOf(un, 'broken'), 'nested'), { recursive: true });
    const r6 = await un.run(['verify', ref]);
    assert.match(errorLine(r6), /\(ERR_REGISTRY_HTTP\)$/);

    // --trust-store DIR and --trust-policy FILE instead of the configuration.
    const ext = newHome();
    const dir = join(ext.dir, 'ts');
    mkdirSync(join(dir, 'x509', 'ca', 'd'), { recursive: true });
    mkdirSync(join(dir, 'x509', 'ca', 'd', 'nested'));
    const pol = join(ext.dir, 'p.json');
    writeFileSync(pol, JSON.stringify(strictPolicy(['ca:d'])));
    const r7 = await ext.run(['verify', ref, '--trust-policy', pol, '--trust-store', dir]);
    assert.match(errorLine(r7), /sub-directory nested.*\(ERR_TRUST_STORE\)$/);
  } finally {
    fake.close();
  }
});

test('credentials: flags, nv2 login file, docker auths, docker credential helper on PATH', async () => {
  const fake = await fakeRegistry({ challenge: true });
  const ref = `${fake.host}/repo@sha256:${'b'.repeat(64)}`;
  const basic = (u, p) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
  const lastAuth = () => fake.seen.filter((s) => s.auth).at(-1)?.auth;
  try {
    // docker config auths (base64 user:pass).
    const h = newHome();
    writeFileSync(join(h.docker, 'config.json'), JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from('dock:er-pass').toString('base64') } } }));
    await h.run(['list', ref]);
    assert.equal(lastAuth(), basic('dock', 'er-pass'));

    // Flags win over docker's file.
    await h.run(['list', ref, '-u', 'flag', '--password-stdin'], { input: 'flag-pass\n' });
    assert.equal(lastAuth(), basic('flag', 'flag-pass'));

    // nv2's credentials file (nv2 login needs a registry that accepts the login: the fake one does
    // after the challenge) wins over docker's, and is 0600.
    const login = await h.run(['login', '-u', 'nv2user', '--password-stdin', fake.host], { input: 'nv2-pass\n' });
    ok(login, 'login');
    const credFile = join(h.config, 'credentials.json');
    assert.equal(statSync(credFile).mode & 0o777, 0o600);
    await h.run(['list', ref]);
    assert.equal(lastAuth(), basic('nv2user', 'nv2-pass'));
    ok(await h.run(['logout', fake.host]), 'logout');
    await h.run(['list', ref]);
    assert.equal(lastAuth(), basic('dock', 'er-pass'), 'after logout docker config is used again');

    // credHelpers / credsStore: docker-credential-<name> on PATH (stdin = server, JSON out).
    const bin = join(h.dir, 'bin');
    mkdirSync(bin);
    const helper = join(bin, 'docker-credential-test');
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] || exit 2\nread server\necho "$server" > "${join(h.dir, 'helper-saw')}"\n` +
        `printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server"\n`,
    );
    chmodSync(helper, 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    writeFileSync(join(h.docker, 'config.json'), JSON.stringify({ credHelpers: { [fake.host]: 'test' }, auths: { [fake.host]: { auth: Buffer.from('x:y').toString('base64') } } }));
    await h.run(['list', ref], { env });
    assert.equal(lastAuth(), basic('helper-user', 'helper-secret'), 'credHelpers wins over auths');
    assert.equal(readFileSync(join(h.dir, 'helper-saw'), 'utf8').trim(), fake.host);
    writeFileSync(join(h.docker, 'config.json'), JSON.stringify({ credsStore: 'test' }));
    await h.run(['list', ref], { env });
    assert.equal(lastAuth(), basic('helper-user', 'helper-secret'), 'credsStore');
    // A helper that is not installed: a clear error.
    writeFileSync(join(h.docker, 'config.json'), JSON.stringify({ credsStore: 'missing-helper' }));
    const r = await h.run(['list', ref], { env });
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /docker-credential-missing-helper.*\(ERR_REGISTRY_AUTH\)$/);
  } finally {
    fake.close();
  }
});
