// The hostile-registry suite (issue 9 item 7; docs/threat-model.md §5 names these tests): the
// installed package's JS API (`verify`, `copy`) and the `nv2` CLI against
// support/hostile-registry.mjs, the attacker (threat model A1). The content it serves is real:
// nv2 signs images in a real CNCF distribution registry (support/registry.mjs) and the hostile
// registry serves those bytes, misbehaving per scripted rule at one step. Each test asserts the
// verdict, the error code, a time bound and, where credentials are in play, that they stayed at
// their origin.
//
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as nv2 from 'nv2';
import { PKI_DIR, buildJws } from './helpers.mjs';
import { errorLine } from './support/cli.mjs';
import { sha256, INDEX, MANIFEST, SIGNATURE } from './support/hostile-registry.mjs';
import {
  A, API_ONLY, B, C, INCONCLUSIVE, NO_API, both, bomb, byDigest, byTag, cliVerify, count, exited, fresh, h,
  login, putSig, repo, runCli, setListing, sigDoc, trusted, up, useHostileFixture,
} from './support/hostile-fixture.mjs';

const T = 30_000; // per-test node:test timeout: no test may hang the suite

useHostileFixture();


// ------------------------------------------------------------------------------------------------
// Baseline: the attacker's content is real (the same bytes verify when served honestly).

test('honest hostile registry: verified through the Referrers API and through the tag schema', { timeout: T }, async () => {
  const r = await both({ ref: () => byTag('v1'), expect: { verified: true, withinMs: 10_000 } });
  assert.equal(r.js.digest, A.target.digest);
  assert.equal(count(r.js.reqs, 'referrers-api'), 1);
  const t = await both({ arm: () => h.script([NO_API]), ref: () => byDigest(A.target.digest), expect: { verified: true, withinMs: 10_000 } });
  assert.equal(count(t.cli.reqs, 'referrers-tag'), 1, 'the tag schema was used');
});

test('harness: the attacker records Authorization per origin and its actions do what they say', { timeout: T }, async () => {
  // So that the assertions below can fail: a header sent to origin b is seen at b, a reset is a
  // network error, a silent server does not answer, a bomb decodes to far more than it weighs.
  const mark = h.requests.length;
  await fetch(`${h.other.url}/v2/`, { headers: { authorization: 'Basic bGVhaw==' } });
  assert.deepEqual(h.since(mark).map((q) => [q.origin, q.authorization]), [['b', 'Basic bGVhaw==']]);
  h.script([{ step: 'ping', times: 1, do: { reset: true } }, { step: 'ping', times: 1, do: { silent: true } }, { step: 'ping', do: { gzip: bomb } }]);
  await assert.rejects(fetch(`${h.url}/v2/`), TypeError);
  await assert.rejects(fetch(`${h.url}/v2/`, { signal: AbortSignal.timeout(300) }), (e) => e.name === 'TimeoutError');
  const decoded = await (await fetch(`${h.url}/v2/`)).arrayBuffer();
  assert.equal(decoded.byteLength, 64 << 20);
  assert.ok(bomb.length < 1 << 20, `${bomb.length} bytes on the wire`);
  h.reset();
});

// ------------------------------------------------------------------------------------------------
// Lying digests and Docker-Content-Digest (threat model 3; distribution-spec §Pulling manifests:
// the client verifies the content against the digest it asked for).

test('lying Docker-Content-Digest on resolve: ignored, the digest is the hash of the bytes, verified', { timeout: T }, async () => {
  const lie = (ctx, a) => ({ ...a, headers: { ...a.headers, 'docker-content-digest': B.target.digest } });
  const r = await both({ arm: () => h.script([{ step: 'resolve', do: lie }]), ref: () => byTag('v1'), expect: { verified: true, withinMs: 10_000 } });
  assert.equal(r.js.digest, A.target.digest);
  assert.equal(r.cli.digest, A.target.digest);
});

test('resolve by digest answered with another manifest: ERR_DIGEST_MISMATCH', { timeout: T }, async () => {
  const other = h.manifest(B.target.digest).body;
  const lie = (ctx, a) => ({ ...a, body: other, headers: { ...a.headers, 'docker-content-digest': A.target.digest } });
  const r = await both({ arm: () => h.script([{ step: 'resolve', do: lie }]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_DIGEST_MISMATCH', withinMs: 10_000 } });
  assert.equal(count(r.js.reqs, 'referrers-api'), 0, 'nothing discovered for content that failed its digest');
});

test('signature manifest bytes that hash elsewhere: ERR_DIGEST_MISMATCH (same size) / ERR_LIMIT (longer)', { timeout: T }, async () => {
  const honestText = h.manifest(A.trustedSig.digest).body.toString('utf8');
  assert.ok(honestText.includes('"schemaVersion":2'));
  const sameSize = Buffer.from(honestText.replace('"schemaVersion":2', '"schemaVersion":3'));
  await both({ arm: () => h.script([{ step: 'sig-manifest', do: (c, a) => ({ ...a, body: sameSize }) }]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_DIGEST_MISMATCH', withinMs: 10_000 } });
  // One byte more than the descriptor's size: reading stops at size + 1 (threat model 13).
  const longer = Buffer.from(honestText.replace('"schemaVersion":2', '"schemaVersion": 2'));
  await both({ arm: () => h.script([{ step: 'sig-manifest', do: (c, a) => ({ ...a, body: longer }) }]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
});

test('envelope bytes that differ (same length): not verified, ERR_DIGEST_MISMATCH', { timeout: T }, async () => {
  const lie = (ctx, a) => {
    const body = Buffer.from(a.body);
    body[body.length - 3] ^= 1;
    return { ...a, body };
  };
  await both({ arm: () => h.script([{ step: 'envelope', do: lie }]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_DIGEST_MISMATCH', withinMs: 10_000 } });
});

test('sign a digest the registry answers with other bytes: ERR_DIGEST_MISMATCH, nothing pushed (JS and CLI)', { timeout: T }, async () => {
  // Checklist 3d: nv2 signs only the bytes it hashed; a lie at resolve stops before any upload.
  const other = h.manifest(B.target.digest).body;
  const lie = (c, a) => ({ ...a, body: other, headers: { ...a.headers, 'docker-content-digest': A.target.digest } });
  for (const via of ['js', 'cli']) {
    h.script([{ step: 'resolve', do: lie }]);
    const mark = h.requests.length;
    const t0 = Date.now();
    if (via === 'js') {
      await assert.rejects(nv2.sign(byDigest(A.target.digest), { key: trusted.key, certChain: trusted.chain }), (e) => e.code === 'ERR_DIGEST_MISMATCH');
    } else {
      const r = await runCli(['sign', '-k', join(PKI_DIR, trusted.keyFile), '-c', join(PKI_DIR, trusted.chainFile), byDigest(A.target.digest)], { limitMs: 15_000 });
      exited(r, 'sign');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(errorLine(r) ?? '', /\(ERR_DIGEST_MISMATCH\)$/, r.stderr);
    }
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(count(h.since(mark), 'upload'), 0, `${via}: nothing pushed`);
  }
  h.reset();
});

test('tag that moves between requests: resolved once, the first digest is the one verified', { timeout: T }, async () => {
  // After the first resolve, `v1` names the unsigned image (a tag swap, GHSA-xhg5).
  const moved = (ctx, a) => ({ ...a, body: h.manifest(C.target.digest).body, headers: { ...a.headers, 'docker-content-digest': C.target.digest } });
  const r = await both({
    arm: () => h.script([{ step: 'resolve', match: (c) => c.ref === 'v1', skip: 1, do: moved }]),
    ref: () => byTag('v1'),
    expect: { verified: true, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.equal(v.digest, A.target.digest);
    assert.equal(count(v.reqs, 'resolve'), 1, 'one resolve');
    assert.ok(v.warnings.some((w) => /tag/i.test(w)), 'a tag warning');
  }
  // The other way round: unsigned first, then signed: unsigned is the verdict.
  const back = (ctx, a) => ({ ...a, body: h.manifest(A.target.digest).body });
  await both({
    arm: () => {
      h.setTag('moving', C.target.digest);
      h.script([{ step: 'resolve', match: (c) => c.ref === 'moving', skip: 1, do: back }]);
    },
    ref: () => byTag('moving'),
    expect: { verified: false, code: 'ERR_NO_SIGNATURE', withinMs: 10_000 },
  });
});

// ------------------------------------------------------------------------------------------------
// Re-pointed subjects (threat model 2: `subject` is not signed, the payload's targetArtifact is).

test('re-pointed subject: B\'s signature listed as A\'s referrer is refused', { timeout: T }, async () => {
  await both({
    arm: () => setListing(A.target.digest, [B.sig]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: false, code: 'ERR_DESCRIPTOR_MISMATCH', withinMs: 10_000 },
  });
  setListing(A.target.digest, [A.trustedSig]);
});

test('re-pointed subject: B\'s envelope in a manifest rewritten with subject A is refused; A\'s own still verifies after it', { timeout: T }, async () => {
  const doc = sigDoc(B.sig);
  doc.subject = { mediaType: A.target.mediaType, digest: A.target.digest, size: A.target.size };
  const forged = putSig(doc);
  try {
    await both({
      arm: () => setListing(A.target.digest, [forged]),
      ref: () => byDigest(A.target.digest),
      expect: { verified: false, code: 'ERR_DESCRIPTOR_MISMATCH', withinMs: 10_000 },
    });
    await both({
      arm: () => setListing(A.target.digest, [forged, A.trustedSig]),
      ref: () => byDigest(A.target.digest),
      expect: { verified: true, withinMs: 10_000 },
    });
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

// ------------------------------------------------------------------------------------------------
// Oversized, endless and gzip-bomb bodies (threat model 13, 15: size before reading, decoded bytes
// counted, reading stops at the bound + 1).

test('signature manifest descriptor of size 9e15: ERR_LIMIT, never fetched', { timeout: T }, async () => {
  const huge = { ...A.trustedSig, size: 9e15 };
  try {
    const r = await both({ arm: () => setListing(A.target.digest, [huge]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
    assert.equal(count(r.js.reqs, 'sig-manifest') + count(r.cli.reqs, 'sig-manifest'), 0);
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

test('envelope layer declaring 33 MiB: ERR_LIMIT, never fetched', { timeout: T }, async () => {
  const doc = sigDoc(A.trustedSig);
  doc.layers[0].size = 33 * 1024 * 1024;
  const big = putSig(doc);
  try {
    const r = await both({ arm: () => setListing(A.target.digest, [big]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
    assert.equal(count(r.js.reqs, 'envelope') + count(r.cli.reqs, 'envelope'), 0);
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

test('endless envelope body (chunked, never ends): reading stops at the descriptor size, refused quickly', { timeout: T }, async () => {
  await both({
    arm: () => h.script([{ step: 'envelope', do: { endless: true } }]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 },
  });
});

test('endless manifest on resolve: ERR_LIMIT at the 4 MiB manifest bound', { timeout: T }, async () => {
  await both({ arm: () => h.script([{ step: 'resolve', do: { endless: true } }]), ref: () => byTag('v1'), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
});

test('endless Referrers API page: refused at the 4 MiB bound, never read as "no signatures"', { timeout: T }, async () => {
  // The tag schema holds the valid signature: falling back to it after a page the client could
  // not read would turn a hostile answer into a different listing (threat model 27).
  const r = await both({
    arm: () => h.script([{ step: 'referrers-api', do: { endless: true, fill: 0x20 } }]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: false, code: ['ERR_LIMIT', INCONCLUSIVE], withinMs: 10_000 },
  });
  assert.equal(count(r.js.reqs, 'referrers-tag') + count(r.cli.reqs, 'referrers-tag'), 0, 'no fallback to the tag schema');
});

test('gzip bomb (Content-Encoding: gzip, 64 MiB decoded) as envelope and as manifest: refused, decoded bytes counted', { timeout: T }, async () => {
  await both({
    arm: () => h.script([{ step: 'envelope', do: { gzip: bomb } }]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 },
  });
  await both({ arm: () => h.script([{ step: 'resolve', do: { gzip: bomb } }]), ref: () => byTag('v1'), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
});

// ------------------------------------------------------------------------------------------------
// Slow and silent servers (threat model 25): the `timeout` option / `--timeout` deadlines, and
// the caller's AbortSignal (JS), each end an operation as inconclusive.

const STEPS = {
  resolve: { rules: [], ref: () => byTag('v1') },
  'referrers-api': { rules: [API_ONLY], ref: () => byDigest(A.target.digest) },
  'referrers-tag': { rules: [NO_API], ref: () => byDigest(A.target.digest) },
  'sig-manifest': { rules: [], ref: () => byDigest(A.target.digest) },
  envelope: { rules: [], ref: () => byDigest(A.target.digest) },
};

// The `timeout` option under test, plus a safety net past the 10 s bound: a build without
// deadlines fails the bound instead of waiting for node:test's timeout. The CLI runs first: a
// build without `--timeout` refuses the flag at once.
const withDeadline = (ms) => () => ({ timeout: ms, signal: AbortSignal.timeout(10_500) });

for (const [step, s] of Object.entries(STEPS)) {
  test(`silent server at ${step}: an AbortSignal ends it as ERR_VERIFICATION_INCONCLUSIVE (JS)`, { timeout: T }, async () => {
    await both({
      only: ['js'],
      arm: () => h.script([{ step, do: { silent: true } }, ...s.rules]),
      ref: s.ref,
      jsOpts: { signal: AbortSignal.timeout(1500) },
      expect: { verified: false, code: INCONCLUSIVE, withinMs: 6_000 },
    });
  });
  test(`silent server at ${step}: timeout 2 s / --timeout 2s → ERR_VERIFICATION_INCONCLUSIVE within 10 s`, { timeout: T }, async () => {
    await both({
      only: ['cli', 'js'],
      arm: () => h.script([{ step, do: { silent: true } }, ...s.rules]),
      ref: s.ref,
      jsOpts: withDeadline(2000),
      cliArgs: ['--timeout', '2s'],
      expect: { verified: false, code: INCONCLUSIVE, withinMs: 10_000 },
    });
  });
}

test('trickled envelope (1 byte per 200 ms, honest Content-Length): an AbortSignal ends it as inconclusive (JS)', { timeout: T }, async () => {
  await both({
    only: ['js'],
    arm: () => h.script([{ step: 'envelope', do: { trickleMs: 200 } }]),
    ref: () => byDigest(A.target.digest),
    jsOpts: { signal: AbortSignal.timeout(1500) },
    expect: { verified: false, code: INCONCLUSIVE, withinMs: 6_000 },
  });
});

test('trickled envelope: the operation deadline (timeout 2 s / --timeout 2s) ends it as inconclusive within 10 s', { timeout: T }, async () => {
  await both({
    only: ['cli', 'js'],
    arm: () => h.script([{ step: 'envelope', do: { trickleMs: 200 } }]),
    ref: () => byDigest(A.target.digest),
    jsOpts: withDeadline(2000),
    cliArgs: ['--timeout', '2s'],
    expect: { verified: false, code: INCONCLUSIVE, withinMs: 10_000 },
  });
});

test('slow but within bounds (500 ms before each manifest): still verified', { timeout: T }, async () => {
  await both({
    arm: () => h.script([{ step: ['resolve', 'sig-manifest'], do: { delayMs: 500 } }]),
    ref: () => byTag('v1'),
    expect: { verified: true, withinMs: 10_000 },
  });
});

test('silent token realm with credentials: an AbortSignal ends it as inconclusive; the realm never saw them (JS)', { timeout: T }, async () => {
  const r = await both({
    only: ['js'],
    arm: () => {
      h.setAuth({ bearer: { token: 'tok-1' } });
      h.script([{ step: 'token', do: { silent: true } }]);
    },
    ref: () => byTag('v1'),
    jsOpts: { signal: AbortSignal.timeout(1500), credentials: { [h.host]: login } },
    expect: { verified: false, code: INCONCLUSIVE, withinMs: 6_000 },
  });
  assert.equal(count(r.js.reqs, 'token', 'b'), 1);
  assert.ok(r.js.reqs.every((q) => q.authorization === null), 'no Authorization anywhere (the realm is another host)');
});

test('silent token realm: timeout 2 s / --timeout 2s → inconclusive within 10 s; the realm never saw the credentials', { timeout: T }, async () => {
  const r = await both({
    only: ['cli', 'js'],
    arm: () => {
      h.setAuth({ bearer: { token: 'tok-1' } });
      h.script([{ step: 'token', do: { silent: true } }]);
    },
    ref: () => byTag('v1'),
    jsOpts: () => ({ ...withDeadline(2000)(), credentials: { [h.host]: login } }),
    cliArgs: ['--timeout', '2s', '-u', login.username, '-p', login.password],
    expect: { verified: false, code: INCONCLUSIVE, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) assert.ok(v.reqs.every((q) => q.authorization === null));
});

// ------------------------------------------------------------------------------------------------
// Floods (threat model 14; notation GHSA-rvrx-rrwh-r9p6: maxSignatureAttempts 100).

function flood(nBad) {
  const doc = sigDoc(A.untrustedSig);
  const bad = [];
  for (let i = 0; i < nBad; i++) {
    doc.annotations = { ...doc.annotations, 'flood.n': String(i) };
    bad.push({ ...putSig(doc), annotations: doc.annotations });
  }
  return [...bad, A.trustedSig];
}

test('flood: 3000 untrusted referrers before the trusted one: at most 100 examined, refused, bounded time', { timeout: T }, async () => {
  const list = flood(3000);
  try {
    for (const rules of [[API_ONLY], [NO_API]]) {
      const r = await both({
        arm: () => {
          setListing(A.target.digest, list);
          h.script(rules);
        },
        ref: () => byDigest(A.target.digest),
        expect: { verified: false, code: 'ERR_SIGNATURE_AUTHENTICITY', withinMs: 20_000 },
      });
      for (const v of [r.js, r.cli]) {
        assert.ok(count(v.reqs, 'sig-manifest') <= 100, `${count(v.reqs, 'sig-manifest')} signature manifests fetched`);
        assert.ok(v.warnings.some((w) => /100/.test(w) && /limit/i.test(w)), `a limit warning: ${v.warnings}`);
      }
    }
    // inspect (reads every listed signature, trusts none) is bounded the same way.
    setListing(A.target.digest, list);
    let mark = h.requests.length;
    const info = await nv2.inspect(byDigest(A.target.digest), { cache: false });
    assert.equal(info.signatures.length, 100);
    assert.ok(info.warnings.some((w) => /limit/.test(w)), String(info.warnings));
    assert.ok(count(h.since(mark), 'sig-manifest') <= 100);
    mark = h.requests.length;
    const cli = await runCli(['inspect', byDigest(A.target.digest), '-o', 'json'], { limitMs: 20_000 });
    exited(cli, 'inspect');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).signatures.length, 100);
    assert.ok(count(h.since(mark), 'sig-manifest') <= 100);
    // --max-signatures / maxSignatures lowers the bound.
    const r = await both({ arm: () => setListing(A.target.digest, list), ref: () => byDigest(A.target.digest), jsOpts: { maxSignatures: 5 }, cliArgs: ['--max-signatures', '5'], expect: { verified: false, code: 'ERR_SIGNATURE_AUTHENTICITY', withinMs: 10_000 } });
    assert.ok(count(r.cli.reqs, 'sig-manifest') <= 5);
    // maxSignatureChecks: the checks of all examined signatures together are bounded; the rest are
    // not examined, so the verdict is inconclusive (never unsigned, never authenticity).
    const c = await both({ only: ['js'], arm: () => setListing(A.target.digest, list), ref: () => byDigest(A.target.digest), jsOpts: { maxSignatureChecks: 10 }, expect: { verified: false, code: 'ERR_VERIFICATION_INCONCLUSIVE', withinMs: 10_000 } });
    assert.ok(c.js.warnings.some((w) => /not examined \(limit\)/.test(w)), String(c.js.warnings));
    assert.ok(count(c.js.reqs, 'sig-manifest') < 15, `${count(c.js.reqs, 'sig-manifest')} signature manifests fetched`);
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

// ------------------------------------------------------------------------------------------------
// Pagination loops and cross-origin Links (distribution-spec §Listing Referrers: `Link` RFC 8288;
// threat model 14b, oras-go GHSA-h7vf-4x9w-h99v).

const withLink = (link) => (ctx, a) => ({ ...a, headers: { ...a.headers, link: typeof link === 'function' ? link(ctx) : link } });

test('referrers Link pointing back at the same page: followed once, stopped, verified with a warning', { timeout: T }, async () => {
  const r = await both({
    arm: () => h.script([{ step: 'referrers-api', do: withLink((c) => `<${c.path}${c.url.search}>; rel="next"`) }]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: true, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.ok(count(v.reqs, 'referrers-api') <= 2, `${count(v.reqs, 'referrers-api')} pages`);
    assert.ok(v.warnings.some((w) => /loop/i.test(w)), String(v.warnings));
  }
});

test('referrers Link to ever-new pages: cut at 100 pages, verified with a warning', { timeout: T }, async () => {
  const next = (c) => `<${c.path}?n=${Number(c.url.searchParams.get('n') ?? 0) + 1}>; rel="next"`;
  const r = await both({ arm: () => h.script([{ step: 'referrers-api', do: withLink(next) }]), ref: () => byDigest(A.target.digest), expect: { verified: true, withinMs: 20_000 } });
  for (const v of [r.js, r.cli]) {
    assert.ok(count(v.reqs, 'referrers-api') <= 100, `${count(v.reqs, 'referrers-api')} pages`);
    assert.ok(v.warnings.some((w) => /100 pages/.test(w)), String(v.warnings));
  }
});

test('cross-origin referrers Link (with credentials): not followed, the other origin gets nothing', { timeout: T }, async () => {
  const r = await both({
    arm: () => {
      h.setAuth({ basic: login });
      h.script([{ step: 'referrers-api', origin: 'a', do: withLink((c) => `<${h.other.url}${c.path}?page=2>; rel="next"`) }]);
    },
    ref: () => byDigest(A.target.digest),
    jsOpts: { credentials: { [h.host]: login } },
    cliArgs: ['-u', login.username, '-p', login.password],
    expect: { verified: true, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.equal(v.reqs.filter((q) => q.origin === 'b').length, 0, 'origin b was never contacted');
    assert.ok(v.warnings.some((w) => /another origin/.test(w)), String(v.warnings));
    assert.ok(v.reqs.some((q) => q.origin === 'a' && q.authorization?.startsWith('Basic ')), 'a got the credentials');
  }
});

// ------------------------------------------------------------------------------------------------
// Redirects and token realms: credentials never leave their origin (threat model 16;
// distribution-spec §Pulling blobs allows a 307 to another location; RFC 9110 §15.4).

test('envelope redirected (307) to another origin: followed without Authorization there, verified', { timeout: T }, async () => {
  const r = await both({
    arm: () => {
      h.setAuth({ basic: login });
      h.script([{ step: 'envelope', origin: 'a', do: { redirect: (c) => `${h.other.url}${c.path}` } }]);
    },
    ref: () => byDigest(A.target.digest),
    jsOpts: { credentials: { [h.host]: login } },
    cliArgs: ['-u', login.username, '-p', login.password],
    expect: { verified: true, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.equal(count(v.reqs, 'envelope', 'b'), 1, 'the redirect was followed');
    assert.ok(v.reqs.filter((q) => q.origin === 'b').every((q) => q.authorization === null), 'no Authorization at b');
    assert.ok(v.reqs.some((q) => q.step === 'envelope' && q.origin === 'a' && q.authorization?.startsWith('Basic ')), 'a got the credentials');
  }
});

test('redirect to another origin that lies: ERR_DIGEST_MISMATCH, and no credentials there', { timeout: T }, async () => {
  const r = await both({
    arm: () => {
      h.setAuth({ basic: login });
      h.script([
        { step: 'envelope', origin: 'a', do: { redirect: (c) => `${h.other.url}${c.path}` } },
        { step: 'envelope', origin: 'b', do: (c, a) => ({ ...a, body: Buffer.from(a.body).reverse() }) },
      ]);
    },
    ref: () => byDigest(A.target.digest),
    jsOpts: { credentials: { [h.host]: login } },
    cliArgs: ['-u', login.username, '-p', login.password],
    expect: { verified: false, code: 'ERR_DIGEST_MISMATCH', withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) assert.ok(v.reqs.filter((q) => q.origin === 'b').every((q) => q.authorization === null));
});

test('redirect loop on a signature manifest: bounded (5 redirects), refused', { timeout: T }, async () => {
  const r = await both({
    arm: () => h.script([{ step: 'sig-manifest', do: { redirect: (c) => `${c.path}?r=${Number(c.url.searchParams.get('r') ?? 0) + 1}` } }]),
    ref: () => byDigest(A.target.digest),
    expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 },
  });
  assert.ok(count(r.js.reqs, 'sig-manifest') <= 6 + 1, `${count(r.js.reqs, 'sig-manifest')} requests`);
});

test('Bearer realm on another host: the token is requested without the credentials, verified with it', { timeout: T }, async () => {
  const r = await both({
    arm: () => h.setAuth({ bearer: { token: 'tok-2' } }),
    ref: () => byDigest(A.target.digest),
    jsOpts: { credentials: { [h.host]: login } },
    cliArgs: ['-u', login.username, '-p', login.password],
    expect: { verified: true, withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.ok(count(v.reqs, 'token', 'b') >= 1, 'the realm was asked for a token');
    assert.ok(v.reqs.filter((q) => q.origin === 'b').every((q) => q.authorization === null), 'no Authorization at the realm');
    const atA = v.reqs.filter((q) => q.origin === 'a' && q.authorization);
    assert.ok(atA.length > 0 && atA.every((q) => q.authorization === 'Bearer tok-2'), 'only the token at a');
  }
});

test('token realm on the registry\'s own origin that redirects elsewhere: not followed, ERR_REGISTRY_AUTH, nothing at the other origin', { timeout: T }, async () => {
  // The realm is on the registry's origin, so Basic credentials may go there (distribution token
  // auth); the token request is sent without following redirects, so they cannot be bounced on.
  const r = await both({
    arm: () => {
      h.setAuth({ bearer: { token: 'tok-3', realm: `${h.url}/token` } });
      h.script([{ step: 'token', origin: 'a', do: { redirect: `${h.other.url}/token` } }]);
    },
    ref: () => byDigest(A.target.digest),
    jsOpts: { credentials: { [h.host]: login } },
    cliArgs: ['-u', login.username, '-p', login.password],
    expect: { verified: false, code: 'ERR_REGISTRY_AUTH', withinMs: 10_000 },
  });
  for (const v of [r.js, r.cli]) {
    assert.ok(v.reqs.some((q) => q.step === 'token' && q.origin === 'a' && q.authorization?.startsWith('Basic ')));
    assert.equal(v.reqs.filter((q) => q.origin === 'b').length, 0, 'the redirect was not followed');
  }
});

test('credentials for one registry are not used for a reference to another', { timeout: T }, async () => {
  const r = await both({
    ref: () => `${h.other.host}/${repo()}@${A.target.digest}`,
    jsOpts: { credentials: { [h.host]: login } },
    expect: { verified: true, withinMs: 10_000 },
    only: ['js'],
  });
  assert.ok(r.js.reqs.length > 0 && r.js.reqs.every((q) => q.origin === 'b' && q.authorization === null));
});

test('a stored login (nv2 login) for one registry is not sent to another', { timeout: T }, async () => {
  h.setAuth({ basic: login });
  const mark = h.requests.length;
  const li = await runCli(['login', '-u', login.username, '--password-stdin', h.host], { limitMs: 10_000, input: `${login.password}\n` });
  exited(li, 'login');
  try {
    assert.equal(li.code, 0, li.stdout + li.stderr);
    assert.ok(h.since(mark).some((q) => q.origin === 'a' && q.authorization?.startsWith('Basic ')), 'login checked at a');
    const r = await both({ ref: () => `${h.other.host}/${repo()}@${A.target.digest}`, only: ['cli'], arm: () => h.setAuth({ basic: login }), expect: { verified: true, withinMs: 10_000 } });
    assert.ok(r.cli.reqs.length > 0 && r.cli.reqs.every((q) => q.origin === 'b' && q.authorization === null));
  } finally {
    await runCli(['logout', h.host], { limitMs: 10_000 });
    h.reset();
  }
});

// ------------------------------------------------------------------------------------------------
// Deep JSON (threat model 13a: nesting bounded, no stack overflow).

const deep = (depth) => '['.repeat(depth) + ']'.repeat(depth);

test('deep JSON (nesting 100 000) in a signature manifest, on resolve and in a referrers page: ERR_PARSE, no crash', { timeout: T }, async () => {
  const doc = sigDoc(A.trustedSig);
  const text = JSON.stringify({ ...doc, annotations: { ...doc.annotations } }).replace(/}$/, `,"x":${deep(100_000)}}`);
  const sig = putSig(text);
  try {
    await both({ arm: () => setListing(A.target.digest, [sig]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_PARSE', withinMs: 10_000 } });
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
  // The artifact's own manifest is hashed, not parsed, when Content-Type names its media type:
  // resolving it costs nothing, and it has no signature.
  const body = Buffer.from(`{"schemaVersion":2,"mediaType":"${MANIFEST}","x":${deep(100_000)}}`);
  h.putManifest(body, { tag: 'deep' });
  await both({ ref: () => byTag('deep'), expect: { verified: false, code: 'ERR_NO_SIGNATURE', withinMs: 10_000 } });
  // Without Content-Type the body's mediaType is read: a parse, bounded.
  const untyped = (c, a) => ({ ...a, headers: { 'docker-content-digest': sha256(body) } });
  await both({ arm: () => h.script([{ step: 'resolve', do: untyped }]), ref: () => byTag('deep'), expect: { verified: false, code: 'ERR_PARSE', withinMs: 10_000 } });
  const page = Buffer.from(`{"schemaVersion":2,"mediaType":"${INDEX}","manifests":${deep(100_000)}}`);
  await both({
    arm: () => h.script([{ step: 'referrers-api', do: (c, a) => ({ ...a, body: page }) }, API_ONLY]),
    ref: () => byDigest(A.target.digest),
    // ERR_PARSE before discovery failures became inconclusive (deadlines), inconclusive since. Never
    // ERR_NO_SIGNATURE: an unreadable listing is not an empty one (threat model 27).
    expect: { verified: false, code: ['ERR_PARSE', INCONCLUSIVE], withinMs: 10_000 },
  });
});

// ------------------------------------------------------------------------------------------------
// Hostile descriptors in the referrers listing (image-spec descriptor.md: digest grammar, size
// int64 ≥ 0, mediaType RFC 6838).

function hostileEntries() {
  const s = A.trustedSig;
  return [
    { ...s, size: -1 },
    { ...s, size: 2 ** 64 },
    { ...s, digest: 'sha256:zz' },
    { ...s, digest: 'md5:d41d8cd98f00b204e9800998ecf8427e' },
    { ...s, mediaType: 'not a media type/\u0000' },
    { artifactType: SIGNATURE, digest: s.digest, size: s.size },
  ];
}

test('referrers listing of only hostile descriptors: nothing fetched by them, not verified', { timeout: T }, async () => {
  try {
    for (const rules of [[API_ONLY], [NO_API]]) {
      const r = await both({
        arm: () => {
          setListing(A.target.digest, hostileEntries());
          h.script(rules);
        },
        ref: () => byDigest(A.target.digest),
        // Referrers API: today the page is refused whole, an unreadable listing, so inconclusive
        // (threat model 27); the tag index is ignored whole (ERR_NO_SIGNATURE). Entry by entry
        // (budgets branch) both are ERR_NO_SIGNATURE. Never verified, nothing fetched.
        expect: { verified: false, code: ['ERR_NO_SIGNATURE', 'ERR_PARSE', INCONCLUSIVE], withinMs: 10_000 },
      });
      assert.equal(count(r.js.reqs, 'sig-manifest') + count(r.cli.reqs, 'sig-manifest'), 0);
    }
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

for (const [via, rules] of [['sha256-<hex> tag index', [NO_API]], ['Referrers API page', [API_ONLY]]]) {
  test(`one malformed entry in the ${via}: the other signature still verifies, with a warning`, { timeout: T }, async () => {
    try {
      const r = await both({
        arm: () => {
          setListing(A.target.digest, [hostileEntries()[2], A.trustedSig]);
          h.script(rules);
        },
        ref: () => byDigest(A.target.digest),
        expect: { verified: true, withinMs: 10_000 },
      });
      for (const v of [r.js, r.cli]) assert.ok(v.warnings.some((w) => /entr|descriptor|skip/i.test(w)), String(v.warnings));
    } finally {
      setListing(A.target.digest, [A.trustedSig]);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// Huge chains and certificates with huge numbers of extensions (threat model 9: ≤ 10 certs;
// threat model 26: work proportional to input, budgets). The envelopes are signed by real keys
// (node:crypto, helpers.buildJws), wrapped in real signature manifests.

/** A signature manifest for A carrying `envelope` (JWS), stored; returns its descriptor. */
function wrapEnvelope(envelope) {
  const doc = sigDoc(A.trustedSig);
  const digest = h.putBlob(envelope);
  doc.layers = [{ ...doc.layers[0], digest, size: envelope.length }];
  return putSig(doc); // a signature manifest: its layer is served as an envelope
}

let manyExt; // { key, chain } of a leaf with 5000 extensions, issued by the trusted root
function manyExtensionsLeaf() {
  if (manyExt) return manyExt;
  const root = trusted.rootEntry;
  const out = execFileSync(process.env.NV2_PYTHON || 'python3', [
    new URL('./support/many-extensions.py', import.meta.url).pathname,
    join(PKI_DIR, root.keyFile),
    join(PKI_DIR, root.certFile),
    '5000',
  ]);
  manyExt = JSON.parse(out.toString('utf8'));
  return manyExt;
}

test('x5c of 1000 certificates: refused cleanly and quickly', { timeout: T }, async () => {
  const { bytes } = buildJws({
    alg: 'ES256', keyPem: trusted.key, chainPem: trusted.chain, target: A.target,
    after: (p) => {
      const leaf = p.header.x5c[0];
      p.header.x5c = [leaf, ...Array(999).fill(p.header.x5c[1])];
    },
  });
  const sig = wrapEnvelope(Buffer.from(bytes));
  try {
    await both({
      arm: () => setListing(A.target.digest, [sig]),
      ref: () => byDigest(A.target.digest),
      expect: { verified: false, code: ['ERR_PARSE', 'ERR_LIMIT'] /* ERR_LIMIT: the certs-per-chain budget */, withinMs: 10_000 },
    });
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

test('leaf with 5000 (unrecognised, non-critical) extensions: decided in time proportional to its size', { timeout: T }, async () => {
  // RFC 5280 §4.2: unrecognised non-critical extensions are ignored, so without a budget this
  // leaf (issued by the trusted root, code-signing KU/EKU) verifies; what must hold today is
  // that deciding costs no more than reading it. With the budget it is ERR_LIMIT (next test).
  const leaf = manyExtensionsLeaf();
  const { bytes } = buildJws({ alg: 'ES256', keyPem: leaf.key, chainPem: leaf.chain, target: A.target });
  const sig = wrapEnvelope(Buffer.from(bytes));
  try {
    const r = await both({
      arm: () => setListing(A.target.digest, [sig]),
      ref: () => byDigest(A.target.digest),
      expect: { verified: undefined, withinMs: 10_000 },
    });
    for (const v of [r.js, r.cli]) assert.ok(v.verified || v.code === 'ERR_LIMIT', `${v.verified} ${v.code}`);
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

test('leaf with 5000 extensions: ERR_LIMIT (extensions budget)', { timeout: T }, async () => {
  const leaf = manyExtensionsLeaf();
  const { bytes } = buildJws({ alg: 'ES256', keyPem: leaf.key, chainPem: leaf.chain, target: A.target });
  const sig = wrapEnvelope(Buffer.from(bytes));
  try {
    await both({ arm: () => setListing(A.target.digest, [sig]), ref: () => byDigest(A.target.digest), expect: { verified: false, code: 'ERR_LIMIT', withinMs: 10_000 } });
  } finally {
    setListing(A.target.digest, [A.trustedSig]);
  }
});

// ------------------------------------------------------------------------------------------------
// 5xx and connection resets at every step. A failure that goes away within the retries verifies;
// one that persists is inconclusive, never "unsigned" and never a bare HTTP error (threat model
// 27; architecture practice 9).

for (const [step, s] of Object.entries(STEPS)) {
  test(`one 503 at ${step}: retried, verified`, { timeout: T }, async () => {
    const r = await both({ arm: () => h.script([{ step, times: 1, do: { status: 503 } }, ...s.rules]), ref: s.ref, expect: { verified: true, withinMs: 10_000 } });
    assert.ok(count(r.js.reqs, step) >= 2, 'the step was retried');
  });
  test(`persistent 503 at ${step}: ERR_VERIFICATION_INCONCLUSIVE`, { timeout: T }, async () => {
    await both({ arm: () => h.script([{ step, do: { status: 503 } }, ...s.rules]), ref: s.ref, expect: { verified: false, code: INCONCLUSIVE, withinMs: 15_000 } });
  });
  test(`connection reset at ${step}: ERR_VERIFICATION_INCONCLUSIVE`, { timeout: T }, async () => {
    await both({ arm: () => h.script([{ step, do: { reset: true } }, ...s.rules]), ref: s.ref, expect: { verified: false, code: INCONCLUSIVE, withinMs: 10_000 } });
  });
}

// ------------------------------------------------------------------------------------------------
// Copy from a lying source (threat model 3: every byte checked; ARCHITECTURE.md §Data flow of
// copy: the tag last). The destination is the real registry.

async function destTag(name, tag) {
  const r = await fetch(`${up.url}/v2/${name}/manifests/${tag}`, { headers: { accept: `${MANIFEST}, ${INDEX}` } });
  return r.status === 200 ? r.headers.get('docker-content-digest') : r.status;
}

const layerDigest = () => JSON.parse(h.manifest(A.target.digest).body.toString('utf8')).layers[0].digest;

test('copy from a source serving a wrong layer: refused, no destination tag (JS and CLI)', { timeout: T }, async () => {
  const lie = (c, a) => ({ ...a, body: Buffer.from(a.body).fill(0x41) });
  h.script([{ step: 'blob', match: (c) => c.digest === layerDigest(), do: lie }]);
  const t0 = Date.now();
  const dst1 = `${fresh('dst')}/app`;
  await assert.rejects(nv2.copy(`${h.host}/${repo()}:v1`, `${up.host}/${dst1}:v1`), (e) => e.code === 'ERR_DIGEST_MISMATCH' || (console.error(e), false));
  assert.equal(await destTag(dst1, 'v1'), 404, 'no tag at the destination');
  const blob = await fetch(`${up.url}/v2/${dst1}/blobs/${layerDigest()}`, { method: 'HEAD' });
  assert.equal(blob.status, 404, 'the lying layer never landed');

  h.script([{ step: 'blob', match: (c) => c.digest === layerDigest(), do: lie }]);
  const dst2 = `${fresh('dst')}/app`;
  const r = await runCli(['copy', '-q', `${h.host}/${repo()}:v1`, `${up.host}/${dst2}:v1`], { limitMs: 8_000 });
  assert.match(errorLine(r) ?? '', /\(ERR_DIGEST_MISMATCH\)$/, r.stderr);
  exited(r, 'copy');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(await destTag(dst2, 'v1'), 404);
  assert.ok(Date.now() - t0 < 15_000);
  h.reset();
});

test('nv2 copy exits after refusing a wrong layer (exit 1 within 8 s)', { timeout: T }, async () => {
  const lie = (c, a) => ({ ...a, body: Buffer.from(a.body).fill(0x41) });
  h.script([{ step: 'blob', match: (c) => c.digest === layerDigest(), do: lie }]);
  try {
    const r = await runCli(['copy', '-q', `${h.host}/${repo()}:v1`, `${up.host}/${fresh('dst')}/app:v1`], { limitMs: 8_000 });
    exited(r, 'copy');
    assert.equal(r.code, 1, r.stdout + r.stderr);
  } finally {
    h.reset();
  }
});

test('copy from a source whose signature envelope lies: refused, no destination tag (JS and CLI)', { timeout: T }, async () => {
  const lie = (c, a) => ({ ...a, body: Buffer.from(a.body).reverse() });
  h.script([{ step: 'envelope', do: lie }]);
  const dst1 = `${fresh('dst')}/app`;
  await assert.rejects(nv2.copy(`${h.host}/${repo()}:v1`, `${up.host}/${dst1}:v1`), (e) => e.code === 'ERR_DIGEST_MISMATCH' || (console.error(e), false));
  assert.equal(await destTag(dst1, 'v1'), 404);
  h.script([{ step: 'envelope', do: lie }]);
  const dst2 = `${fresh('dst')}/app`;
  const r = await runCli(['copy', '-q', `${h.host}/${repo()}:v1`, `${up.host}/${dst2}:v1`], { limitMs: 8_000 });
  exited(r, 'copy');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(errorLine(r) ?? '', /\(ERR_DIGEST_MISMATCH\)$/, r.stderr);
  assert.equal(await destTag(dst2, 'v1'), 404);
  h.reset();
});

test('copy of a digest the source answers with other bytes: ERR_DIGEST_MISMATCH, nothing tagged (JS and CLI)', { timeout: T }, async () => {
  const other = h.manifest(B.target.digest).body;
  const lie = (c, a) => ({ ...a, body: other, headers: { ...a.headers, 'docker-content-digest': A.target.digest } });
  for (const via of ['js', 'cli']) {
    h.script([{ step: 'resolve', do: lie }]);
    const dst = `${fresh('dst')}/app`;
    const src = `${h.host}/${repo()}@${A.target.digest}`;
    if (via === 'js') {
      await assert.rejects(nv2.copy(src, `${up.host}/${dst}:v1`), (e) => e.code === 'ERR_DIGEST_MISMATCH' || (console.error(e), false));
    } else {
      const r = await runCli(['copy', '-q', src, `${up.host}/${dst}:v1`], { limitMs: 8_000 });
      exited(r, 'copy');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(errorLine(r) ?? '', /\(ERR_DIGEST_MISMATCH\)$/, r.stderr);
    }
    assert.equal(await destTag(dst, 'v1'), 404);
    const m = await fetch(`${up.url}/v2/${dst}/manifests/${B.target.digest}`, { method: 'HEAD', headers: { accept: MANIFEST } });
    assert.equal(m.status, 404, 'the substituted manifest was not pushed either');
  }
  h.reset();
});

test('copy interrupted by a reset mid-layer: no destination tag; run again honestly: complete and verifiable', { timeout: T }, async () => {
  h.script([{ step: 'blob', match: (c) => c.digest === layerDigest(), do: { reset: true } }]);
  const src = `${h.host}/${repo()}:v1`;
  const dst = `${fresh('dst')}/app`;
  await assert.rejects(nv2.copy(src, `${up.host}/${dst}:v1`), (e) => e instanceof nv2.NotationError);
  assert.equal(await destTag(dst, 'v1'), 404);
  h.reset();
  const r = await runCli(['copy', '-q', src, `${up.host}/${dst}:v1`], { limitMs: 15_000 });
  exited(r, 'copy');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await destTag(dst, 'v1'), A.target.digest);
  const v = await cliVerify(`${up.host}/${dst}:v1`);
  assert.equal(v.verified, true, v.out);
});
