// The registry API and the CLI of the installed package against the real CNCF distribution
// registry (Debian docker-registry) configured for token auth (Bearer): a local ES256 token
// issuer (tests/interop/token_server.py) grants one user what it asks for and anonymous
// requests nothing. Checks the client's challenge handling (service + scope), its per-scope
// token cache, and ERR_REGISTRY_AUTH without or with wrong credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nv2 from 'nv2';
import { pki, policy } from './helpers.mjs';
import { startRegistry, pushImage } from './support/registry.mjs';
import { cliHome, errorLine, strictPolicy } from './support/cli.mjs';

const alg = pki.algorithms.p256;
const login = { username: 'nv2token', password: 't0ken-s3cret' };
let reg;

before(async () => {
  reg = await startRegistry({ token: login });
});
after(() => reg?.stop());

const trust = () => ({ trustPolicy: policy({ stores: ['ca:test'] }), trustStore: { 'ca:test': [alg.root] } });

/** Pushes `repo:v1` with a push token obtained straight from the issuer. */
async function pushWithToken(repo) {
  const token = await reg.getToken(`repository:${repo}:pull,push`);
  return pushImage(reg.url, repo, 'v1', { headers: { Authorization: `Bearer ${token}` } });
}

/** The issuer requests made while `fn` runs. */
async function tokenRequestsDuring(fn) {
  const start = reg.tokenRequests.length;
  await fn();
  // The issuer's log lines arrive through its stdout pipe: let the last ones land.
  await new Promise((resolve) => setTimeout(resolve, 250));
  return reg.tokenRequests.slice(start);
}

test('token registry: the challenge is Bearer with realm and service; anonymous pulls are refused', async () => {
  const r = await fetch(`${reg.url}/v2/`);
  assert.equal(r.status, 401);
  const challenge = r.headers.get('www-authenticate');
  assert.match(challenge, /^Bearer /);
  assert.ok(challenge.includes(`realm="${reg.realm}"`), challenge);
  assert.ok(challenge.includes(`service="${reg.service}"`), challenge);

  const target = await pushWithToken('tok/anon');
  const anonToken = await reg.getToken('repository:tok/anon:pull', null);
  const get = await fetch(`${reg.url}/v2/tok/anon/manifests/${target.digest}`, {
    headers: { Authorization: `Bearer ${anonToken}`, Accept: target.mediaType },
  });
  assert.equal(get.status, 401, 'a token without access is insufficient scope');
});

test('sign / verify / listSignatures with credentials; scoped, cached token requests', async () => {
  const repo = 'tok/app';
  const target = await pushWithToken(repo);
  const ref = `${reg.host}/${repo}@${target.digest}`;
  const credentials = { [reg.host]: login };

  const signReqs = await tokenRequestsDuring(async () => {
    const signed = await nv2.sign(ref, { key: alg.key, certChain: alg.chain, credentials });
    assert.equal(signed.digest, target.digest);
    assert.equal(signed.referrersIndexUpdated, true, 'distribution 2.8 has no Referrers API');
  });
  const signScopes = signReqs.flatMap((r) => r.scopes);
  assert.ok(signScopes.includes(`repository:${repo}:pull`), JSON.stringify(signReqs));
  assert.ok(signScopes.includes(`repository:${repo}:pull,push`), JSON.stringify(signReqs));
  assert.ok(signReqs.every((r) => r.auth === 'ok' && r.service === reg.service), JSON.stringify(signReqs));
  assert.ok(signReqs.length <= 4, `tokens are cached per scope: ${signReqs.length} token requests for one sign`);

  const verifyReqs = await tokenRequestsDuring(async () => {
    const result = await nv2.verify(ref, { ...trust(), credentials });
    assert.equal(result.verified, true, JSON.stringify(result.signatures));
    assert.equal(result.digest, target.digest);
    assert.equal(result.verifiedSignature.algorithm, 'ES256');
  });
  assert.equal(verifyReqs.length, 0, `the pull token from the sign call is reused: ${JSON.stringify(verifyReqs)}`);
  const uncachedReqs = await tokenRequestsDuring(async () => {
    assert.equal((await nv2.verify(ref, { ...trust(), credentials, cache: false })).verified, true);
  });
  assert.equal(uncachedReqs.length, 1, JSON.stringify(uncachedReqs));
  assert.ok(uncachedReqs.every((r) => r.scopes.every((s) => s === `repository:${repo}:pull`)), JSON.stringify(uncachedReqs));

  // Another login never reuses those tokens: a wrong password gets its own (refused) request.
  const wrongReqs = await tokenRequestsDuring(async () => {
    await assert.rejects(
      nv2.verify(ref, { ...trust(), credentials: { [reg.host]: { ...login, password: 'wrong' } } }),
      (e) => e.code === 'ERR_REGISTRY_AUTH' || e.code === 'ERR_VERIFICATION_INCONCLUSIVE',
    );
  });
  assert.ok(wrongReqs.length >= 1 && wrongReqs.every((r) => r.auth === 'denied'), JSON.stringify(wrongReqs));
  // Nor does an anonymous call.
  await assert.rejects(nv2.listSignatures(ref), (e) => e.code === 'ERR_REGISTRY_AUTH');

  const list = await nv2.listSignatures(ref, { credentials });
  assert.equal(list.signatures.length, 1);
  assert.equal(list.viaTagSchema, true);

  // A credentials callback is asked for this registry only.
  const asked = [];
  const list2 = await nv2.listSignatures(ref, {
    credentials: async (registry) => {
      asked.push(registry);
      return login;
    },
  });
  assert.equal(list2.signatures.length, 1);
  assert.deepEqual([...new Set(asked)], [reg.host]);
});

test('no credentials or a wrong password: ERR_REGISTRY_AUTH (never "unsigned")', async () => {
  const repo = 'tok/private';
  const target = await pushWithToken(repo);
  const ref = `${reg.host}/${repo}@${target.digest}`;
  await nv2.sign(ref, { key: alg.key, certChain: alg.chain, credentials: { [reg.host]: login } });

  const anonReqs = await tokenRequestsDuring(async () => {
    await assert.rejects(
      nv2.listSignatures(ref),
      (e) => e instanceof nv2.RegistryError && e.code === 'ERR_REGISTRY_AUTH',
    );
  });
  assert.ok(anonReqs.length >= 1 && anonReqs.every((r) => r.auth === 'anonymous'), JSON.stringify(anonReqs));

  const wrong = { [reg.host]: { ...login, password: 'wrong' } };
  const wrongReqs = await tokenRequestsDuring(async () => {
    await assert.rejects(nv2.listSignatures(ref, { credentials: wrong }), (e) => e.code === 'ERR_REGISTRY_AUTH');
  });
  assert.ok(wrongReqs.length >= 1 && wrongReqs.every((r) => r.auth === 'denied'), JSON.stringify(wrongReqs));

  await assert.rejects(
    nv2.sign(ref, { key: alg.key, certChain: alg.chain, credentials: wrong }),
    (e) => e instanceof nv2.RegistryError && e.code === 'ERR_REGISTRY_AUTH',
  );
  await assert.rejects(
    nv2.verify(ref, { ...trust() }),
    (e) => e.code === 'ERR_REGISTRY_AUTH' || e.code === 'ERR_VERIFICATION_INCONCLUSIVE',
  );
});

test('CLI: login, sign, verify against the token registry; wrong password refused', async () => {
  const home = cliHome();
  try {
    const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    ok(await home.run(['cert', 'generate-test', 'tokcli', '--default']), 'cert generate-test');
    const policyFile = join(home.dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(strictPolicy(['ca:tokcli'])));
    ok(await home.run(['policy', 'import', policyFile]), 'policy import');

    const target = await pushWithToken('tok/cli');
    const ref = `${reg.host}/tok/cli@${target.digest}`;

    const anon = await home.run(['sign', ref]);
    assert.equal(anon.code, 1);
    assert.match(errorLine(anon), /\(ERR_REGISTRY_AUTH\)$/);

    const bad = await home.run(['login', reg.host, '-u', login.username, '-p', 'wrong']);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(errorLine(bad), /\(ERR_REGISTRY_AUTH\)$/);

    const good = await home.run(['login', reg.host, '-u', login.username, '-p', login.password]);
    ok(good, 'login');
    assert.match(good.stdout, /Login Succeeded/);

    ok(await home.run(['sign', ref]), 'sign with the stored login');
    const v = await home.run(['verify', ref]);
    ok(v, 'verify with the stored login');
    assert.match(v.stdout, /Successfully verified signature/);

    const list = await home.run(['ls', ref, '--output', 'json']);
    ok(list, 'ls');
    assert.equal(JSON.parse(list.stdout).signatures.length, 1);
  } finally {
    home.dispose();
  }
});
