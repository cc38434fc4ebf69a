// Interop with signatures notation made: the OCI layouts of notation's e2e suite (legacy-form
// signature manifests and `sha256-<hex>` referrers indexes) are pushed as they are into the real
// CNCF distribution registry, then every `verify-oci` case of the notation vectors that uses a
// layout and a `*`-scoped policy is verified with nv2's registry API, expecting the case's verdict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nv2 from 'nv2';
import { startRegistry, pushBlob } from './support/registry.mjs';

const DIR = process.env.NV2_CONFORMANCE_DIR;
if (!DIR || !existsSync(join(DIR, 'cases.json'))) {
  throw new Error('NV2_CONFORMANCE_DIR must point at tests/vectors/notation (make test-js sets it)');
}
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8'));
const read = (p) => readFileSync(join(DIR, p));
const json = (p) => JSON.parse(read(p).toString('utf8'));

let reg;
before(async () => {
  reg = await startRegistry();
});
after(() => reg?.stop());

const pushed = new Map();
/** Pushes an OCI layout's content into `repo` byte for byte: blobs, manifests, tags. */
async function pushLayout(layoutRel, repo) {
  if (pushed.has(layoutRel)) return;
  const blob = (digest) => read(join(layoutRel, 'blobs', ...digest.split(':')));
  const index = json(join(layoutRel, 'index.json'));
  const putManifest = async (desc, tag) => {
    const body = blob(desc.digest);
    const doc = JSON.parse(body.toString('utf8'));
    for (const b of [doc.config, ...(doc.layers ?? [])].filter(Boolean)) {
      await pushBlob(reg.url, repo, blob(b.digest), b.mediaType);
    }
    for (const m of doc.manifests ?? []) await putManifest(m);
    const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag ?? desc.digest}`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': desc.mediaType },
    });
    assert.equal(r.status, 201, `push ${desc.digest}`);
  };
  for (const m of index.manifests) {
    await putManifest(m, m.annotations?.['org.opencontainers.image.ref.name']);
  }
  // Some layouts carry no referrers tag index (their registry had the Referrers API). This
  // registry has none, so write the index a copy tool writes for it (OCI distribution-spec spec.md
  // §Referrers Tag Schema).
  const tagged = new Set(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']));
  const bySubject = new Map();
  for (const m of index.manifests) {
    const doc = JSON.parse(blob(m.digest).toString('utf8'));
    if (!doc.subject) continue;
    const entry = {
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      artifactType: doc.artifactType ?? doc.config?.mediaType,
      ...(doc.annotations ? { annotations: doc.annotations } : {}),
    };
    const list = bySubject.get(doc.subject.digest) ?? [];
    list.push(entry);
    bySubject.set(doc.subject.digest, list);
  }
  for (const [subject, manifests] of bySubject) {
    const tag = subject.replace(':', '-');
    if (tagged.has(tag)) continue;
    const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
    const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(r.status, 201, `referrers index for ${subject}`);
  }
  pushed.set(layoutRel, true);
}

function trustStore(spec) {
  const out = {};
  for (const [key, files] of Object.entries(spec.stores ?? {})) {
    // PEM files as text, DER files as bytes (both are accepted, trust-store-trust-policy.md §Trust
    // Store).
    out[key] = files.map((f) => {
      const bytes = read(f);
      return bytes.includes('-----BEGIN') ? bytes.toString('utf8') : new Uint8Array(bytes);
    });
  }
  return out;
}

const layoutCases = cases.filter((c) => {
  if (c.kind !== 'verify-oci' || !c.oci_layout || !c.truststore?.stores) return false;
  const p = json(c.policy);
  return p.trustPolicies.every((s) => s.registryScopes?.length === 1 && s.registryScopes[0] === '*');
});

test('notation e2e layouts are driven (not silently empty)', () => {
  assert.ok(layoutCases.length >= 20, `${layoutCases.length} cases`);
});

for (const c of layoutCases) {
  test(`notation vector ${c.id}: ${c.expect.ok ? 'verified' : `fails at ${c.expect.fail_at}`}`, async () => {
    const repo = `notation/${c.oci_layout.split('/').pop()}`;
    await pushLayout(c.oci_layout, repo);
    const result = await nv2.verify(`${reg.host}/${repo}@${c.target.digest}`, {
      trustPolicy: json(c.policy),
      trustStore: trustStore(c.truststore),
      now: c.now,
    });
    assert.equal(result.verified, c.expect.ok, JSON.stringify(result.signatures.map((s) => s.outcome?.error ?? s.error)));
    if (!c.expect.ok) {
      const stages = result.signatures.map((s) => s.outcome?.error?.stage);
      assert.ok(stages.includes(c.expect.fail_at), `stages ${stages}`);
    } else if (result.verificationLevel !== 'skip') {
      const logged = result.verifiedSignature.results.filter((r) => !r.ok && r.action === 'log').map((r) => r.type);
      assert.deepEqual(logged.sort(), [...(c.expect.logged ?? [])].sort());
    }
  });
}
