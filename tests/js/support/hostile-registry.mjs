// THE ATTACKER (threat model A1, docs/threat-model.md §2): a scriptable hostile OCI registry for
// tests/js/hostile.test.mjs. It is the only stand-in registry of that suite and it is hostile on
// purpose. It serves REAL content: manifests, signature manifests, envelopes and blobs that nv2
// itself pushed to a real CNCF distribution registry (support/registry.mjs), snapshotted byte for
// byte with `importArtifact`, plus anything a test adds with `putManifest` / `putBlob`. Honestly
// it answers as OCI distribution-spec 1.1 says (§Pulling manifests, §Pulling blobs,
// §Listing Referrers with `Link` pagination, §Referrers Tag Schema), and per scripted rule it
// misbehaves at a named step: it lies (bodies, `Docker-Content-Digest`, descriptors), delays,
// trickles, never answers, resets the connection, answers 5xx, redirects, floods, loops `Link`s,
// bombs (`Content-Encoding: gzip`), and moves tags between requests.
//
// Two listeners are two origins (RFC 6454: scheme, host and port): `a` (the registry the
// reference names, 127.0.0.1) and `b` (another origin: 127.0.0.2, another host as well as
// another port, so host-scoped rules such as token realms are exercised too). Both serve the
// same store; every request is recorded with its origin and its `Authorization` header, so a
// test can assert that credentials stayed at their origin (distribution-spec §Authentication via
// the token spec; threat model 16).
//
// Steps (what nv2 is doing when it sends the request):
//   ping            GET /v2/
//   resolve         a manifest that is not a signature manifest (by tag or digest)
//   referrers-tag   the `sha256-<hex>` tag (OCI distribution-spec §Referrers Tag Schema)
//   referrers-api   GET /v2/<name>/referrers/<digest>
//   sig-manifest    a signature manifest by digest
//   envelope        a blob that is the layer of a signature manifest
//   blob            any other blob (config, image layers)
//   token           GET /token (the Bearer realm, on origin b)
//   upload          blob uploads and manifest PUTs: refused (404). The attacker is only ever a
//                   source; copy destinations are the real registry.
import { createServer } from 'node:http';
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';

export const INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const SIGNATURE = 'application/vnd.cncf.notary.signature';
export const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const ACCEPT_ALL = `${MANIFEST}, ${INDEX}`;

/** A gzip stream of `mib` MiB of zeros (a few KiB per MiB on the wire; threat model 15). */
export function gzipBomb(mib) {
  const gz = zlib.createGzip({ level: 9 });
  const out = [];
  gz.on('data', (c) => out.push(c));
  const zero = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) gz.write(zero);
  return new Promise((resolve) => {
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.end();
  });
}

/**
 * Starts the hostile registry. Resolves to the handle described below (`a`, `b`, `host`,
 * `url`, `requests`, `script`, `reset`, `importArtifact`, ...).
 */
export async function startHostileRegistry() {
  const manifests = new Map(); // digest -> { body, mediaType }
  const blobs = new Map(); // digest -> Buffer
  const tags = new Map(); // tag -> digest (repository-agnostic: every test uses its own repo)
  const referrers = new Map(); // subject digest -> descriptors (the Referrers API's answer)
  const envelopes = new Set(); // blob digests that are signature envelopes
  const requests = [];
  const sockets = new Set();
  let rules = [];
  let auth = null; // { basic: { username, password } } | { bearer: { service, token } } on origin a

  const origins = {};

  function step(method, path) {
    let m;
    if (path === '/v2/' || path === '/v2') return { step: 'ping' };
    if (path === '/token') return { step: 'token' };
    if (method !== 'GET' && method !== 'HEAD') return { step: 'upload' };
    if ((m = path.match(/^\/v2\/(.+)\/referrers\/([^/]+)$/))) return { step: 'referrers-api', repo: m[1], ref: m[2] };
    if ((m = path.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/))) {
      const ref = decodeURIComponent(m[2]);
      if (/^sha256-[0-9a-f]{64}$/.test(ref)) return { step: 'referrers-tag', repo: m[1], ref };
      const digest = ref.includes(':') ? ref : tags.get(ref);
      const found = digest && manifests.get(digest);
      const isSig = found && found.artifactType === SIGNATURE;
      return { step: isSig ? 'sig-manifest' : 'resolve', repo: m[1], ref, digest };
    }
    if ((m = path.match(/^\/v2\/(.+)\/blobs\/([^/]+)$/))) {
      return { step: envelopes.has(m[2]) ? 'envelope' : 'blob', repo: m[1], ref: m[2], digest: m[2] };
    }
    return { step: 'unknown' };
  }

  /** The honest answer (distribution-spec 1.1) to a request: { status, headers, body }. */
  function honest(ctx) {
    const json = (status, obj, headers = {}) => ({
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: Buffer.from(JSON.stringify(obj)),
    });
    const unknown = (code) => json(404, { errors: [{ code, message: code.toLowerCase() }] });
    switch (ctx.step) {
      case 'ping':
        return json(200, {});
      case 'token':
        return json(200, { token: auth?.bearer?.token ?? 'anonymous-token' });
      case 'referrers-api': {
        const all = (referrers.get(ctx.ref) ?? []).filter(
          (d) => !ctx.url.searchParams.get('artifactType') || d.artifactType === ctx.url.searchParams.get('artifactType'),
        );
        return {
          status: 200,
          headers: { 'content-type': INDEX },
          body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: all })),
        };
      }
      case 'resolve':
      case 'sig-manifest':
      case 'referrers-tag': {
        const digest = ctx.step === 'referrers-tag' ? tags.get(ctx.ref) : ctx.digest;
        const found = digest && manifests.get(digest);
        if (!found) return unknown('MANIFEST_UNKNOWN');
        return {
          status: 200,
          headers: { 'content-type': found.mediaType, 'docker-content-digest': digest },
          body: found.body,
        };
      }
      case 'envelope':
      case 'blob': {
        const blob = blobs.get(ctx.digest);
        if (!blob) return unknown('BLOB_UNKNOWN');
        return {
          status: 200,
          headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': ctx.digest },
          body: blob,
        };
      }
      default:
        return unknown('UNSUPPORTED');
    }
  }

  function authorized(ctx) {
    if (!auth || ctx.origin !== 'a' || ctx.step === 'token') return true;
    const h = ctx.req.headers.authorization ?? '';
    if (auth.basic) {
      const want = 'Basic ' + Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64');
      return h === want;
    }
    if (auth.bearer) return h === `Bearer ${auth.bearer.token}`;
    return true;
  }

  function challenge() {
    if (auth.basic) return 'Basic realm="hostile"';
    const realm = auth.bearer.realm ?? `${origins.b.url}/token`;
    return `Bearer realm="${realm}",service="${auth.bearer.service ?? 'hostile'}"`;
  }

  /** Writes `answer` ({ status, headers, body }) honestly. */
  function send(res, answer, req) {
    const headers = { ...answer.headers };
    if (!('content-length' in headers) && answer.body) headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }

  async function misbehave(rule, ctx, res) {
    const act = rule.do;
    const answer = () => honest(ctx);
    if (typeof act === 'function') {
      const out = await act(ctx, answer());
      if (out === undefined) return; // the function wrote the response itself
      return send(res, out, ctx.req);
    }
    if (act.reset) {
      // A TCP RST mid-conversation (before any status line).
      return ctx.req.socket.resetAndDestroy();
    }
    if (act.silent) return; // never answers; the socket stays open until stop()
    if (act.delayMs) {
      await new Promise((r) => setTimeout(r, act.delayMs));
      return send(res, answer(), ctx.req);
    }
    if (act.status) {
      return send(res, { status: act.status, headers: { 'content-type': 'application/json', ...(act.headers ?? {}) }, body: Buffer.from(act.body ?? '{"errors":[{"code":"UNAVAILABLE","message":"hostile"}]}') }, ctx.req);
    }
    if (act.redirect) {
      const to = typeof act.redirect === 'function' ? act.redirect(ctx) : act.redirect;
      res.writeHead(act.redirectStatus ?? 307, { location: to, 'content-length': '0' });
      return res.end();
    }
    if (act.trickleMs) {
      // Headers at once, then `chunk` bytes every `trickleMs` (Content-Length is the honest one,
      // so only a per-operation deadline ends it; threat model 25).
      const a = answer();
      res.writeHead(a.status, { ...a.headers, 'content-length': String(a.body.length) });
      let i = 0;
      const size = act.chunk ?? 1;
      const t = setInterval(() => {
        if (res.destroyed || i >= a.body.length) {
          clearInterval(t);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(a.body.subarray(i, i + size));
        i += size;
      }, act.trickleMs);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (act.endless) {
      // No Content-Length, chunked, never ends: only the reader's bound stops it (threat 13, 15).
      const a = answer();
      res.writeHead(200, { 'content-type': a.headers['content-type'] ?? 'application/octet-stream', ...(a.headers['docker-content-digest'] ? { 'docker-content-digest': a.headers['docker-content-digest'] } : {}) });
      const chunk = Buffer.alloc(64 * 1024, act.fill ?? 0x7b);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          ctx.endlessBytes = (ctx.endlessBytes ?? 0) + chunk.length;
          if (ctx.endlessBytes > (act.capBytes ?? 512 * 1024 * 1024)) return res.end(); // test safety net
        }
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (act.gzip) {
      // `Content-Encoding: gzip` (RFC 9110 §8.4.1): fetch decodes it, so Content-Length (the
      // compressed size) says nothing about the decoded size (threat model 15).
      const a = answer();
      res.writeHead(200, { ...a.headers, 'content-encoding': 'gzip', 'content-length': String(act.gzip.length) });
      return res.end(act.gzip);
    }
    throw new Error(`unknown hostile action ${JSON.stringify(Object.keys(act))}`);
  }

  async function handle(origin, req, res) {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const ctx = { origin, req, url, method: req.method, path: url.pathname, ...step(req.method, url.pathname) };
    const record = {
      origin,
      method: req.method,
      path: url.pathname,
      search: url.search,
      step: ctx.step,
      authorization: req.headers.authorization ?? null,
      at: Date.now(),
    };
    requests.push(record);
    for await (const _ of req); // drain any body
    if (!authorized(ctx)) {
      res.writeHead(401, { 'www-authenticate': challenge(), 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    for (const rule of rules) {
      const steps = Array.isArray(rule.step) ? rule.step : [rule.step];
      if (rule.step && !steps.includes(ctx.step)) continue;
      if (rule.origin && rule.origin !== origin) continue;
      if (rule.match && !rule.match(ctx)) continue;
      rule.seen = (rule.seen ?? 0) + 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      rule.applied = (rule.applied ?? 0) + 1;
      record.hostile = true;
      return misbehave(rule, ctx, res);
    }
    send(res, honest(ctx), req);
  }

  async function listen(name, host) {
    const server = createServer((req, res) =>
      handle(name, req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      }),
    );
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise((r) => server.listen(0, host, r));
    const { port } = server.address();
    origins[name] = { server, host: `${host}:${port}`, url: `http://${host}:${port}` };
  }
  await listen('a', '127.0.0.1');
  await listen('b', '127.0.0.2');

  const handle_ = {
    /** `host:port` and base URL of origin a (the registry references name). */
    host: origins.a.host,
    url: origins.a.url,
    /** Origin b: another host and port. */
    other: { host: origins.b.host, url: origins.b.url },
    /** Every request: { origin, method, path, search, step, authorization, hostile }. */
    requests,
    /** Requests recorded since `mark` (an index into `requests`). */
    since: (mark) => requests.slice(mark),
    /**
     * Replaces the rules. A rule: { step (name or list), origin?, match?(ctx), skip? (let the
     * first n matches through), times? (misbehave at most n times), do }. `do` is one of
     * { reset }, { silent }, { delayMs }, { status, body?, headers? }, { redirect, redirectStatus? },
     * { trickleMs, chunk? }, { endless, fill?, capBytes? }, { gzip: bytes }, or a function
     * (ctx, honestAnswer) → answer | undefined (undefined: it wrote the response itself).
     */
    script(list) {
      rules = list.map((r) => ({ ...r }));
    },
    /** Authentication origin a demands: null, { basic: { username, password } } or
     * { bearer: { token, service?, realm? } } (default realm: origin b's /token). */
    setAuth(a) {
      auth = a;
    },
    reset() {
      rules = [];
      auth = null;
    },
    putManifest(body, { mediaType = MANIFEST, tag } = {}) {
      body = Buffer.from(body);
      const digest = sha256(body);
      let artifactType;
      try {
        const doc = JSON.parse(body.toString('utf8'));
        artifactType = doc.artifactType ?? doc.config?.mediaType;
        if (artifactType === SIGNATURE) for (const l of doc.layers ?? []) envelopes.add(l.digest);
      } catch {
        /* hostile bytes may be anything */
      }
      manifests.set(digest, { body, mediaType, artifactType });
      if (tag) tags.set(tag, digest);
      return { mediaType, digest, size: body.length };
    },
    putBlob(bytes) {
      bytes = Buffer.from(bytes);
      blobs.set(sha256(bytes), bytes);
      return sha256(bytes);
    },
    setTag(tag, digest) {
      tags.set(tag, digest);
    },
    /** The Referrers API's answer for `subject` (descriptors as the registry lists them). */
    setReferrers(subject, descriptors) {
      referrers.set(subject, descriptors);
    },
    manifest: (digest) => manifests.get(digest),
    blob: (digest) => blobs.get(digest),
    /**
     * Snapshots `repo:tag` of a real registry at `upstream` into the store: the manifest, its
     * blobs, its referrers from the `sha256-<hex>` tag index (each signature manifest with its
     * config and envelope). Registers the referrers for the Referrers API too, and the index
     * under its tag. Returns { target, signatures: [descriptor], index }.
     */
    async importArtifact(upstream, repo, tag, { as = tag } = {}) {
      const get = async (path, accept = ACCEPT_ALL) => {
        const r = await fetch(`${upstream}/v2/${repo}/${path}`, { headers: { accept } });
        if (r.status !== 200) throw new Error(`import ${path}: ${r.status}`);
        return { body: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') };
      };
      const m = await get(`manifests/${tag}`);
      const target = handle_.putManifest(m.body, { mediaType: m.type, tag: as });
      const doc = JSON.parse(m.body.toString('utf8'));
      for (const d of [doc.config, ...(doc.layers ?? [])].filter(Boolean)) {
        handle_.putBlob((await get(`blobs/${d.digest}`)).body);
      }
      const indexTag = target.digest.replace(':', '-');
      let signatures = [];
      let index = null;
      try {
        index = await get(`manifests/${indexTag}`, INDEX);
      } catch {
        /* unsigned */
      }
      if (index) {
        handle_.putManifest(index.body, { mediaType: INDEX, tag: indexTag });
        signatures = JSON.parse(index.body.toString('utf8')).manifests;
        for (const s of signatures) {
          const sm = await get(`manifests/${s.digest}`);
          const sdoc = JSON.parse(sm.body.toString('utf8'));
          for (const d of [sdoc.config, ...sdoc.layers]) handle_.putBlob((await get(`blobs/${d.digest}`)).body);
          handle_.putManifest(sm.body, { mediaType: sm.type });
        }
      }
      referrers.set(target.digest, signatures);
      return { target, signatures, index: index?.body ?? null };
    },
    /** Authorization headers seen per origin: { a: [...], b: [...] } (nulls dropped). */
    authorizationsByOrigin() {
      const out = { a: [], b: [] };
      for (const r of requests) if (r.authorization) out[r.origin].push(r.authorization);
      return out;
    },
    stop() {
      for (const s of sockets) s.destroy();
      origins.a.server.close();
      origins.b.server.close();
    },
  };
  return handle_;
}
