// A small, spec-following OCI registry used ONLY for the Referrers API path, which no registry
// available here implements (Debian's CNCF distribution 2.8 has no referrers route). It follows
// the distribution-spec 1.1 text for what nv2 uses: blob upload (POST + PUT), manifests by tag
// and digest, `OCI-Subject` on manifest PUTs that carry a `subject`, and
// `GET /v2/<name>/referrers/<digest>` with `artifactType` filtering (`OCI-Filters-Applied`) and
// `Link: <...>; rel="next"` pagination. Everything is in memory; it listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import * as crypto from 'node:crypto';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function error(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

/**
 * Starts the test registry. `pageSize` bounds referrers pages (to exercise `Link`). Resolves to
 * `{ host, url, requests, stop() }`; `requests` records `METHOD path` of every request.
 */
export async function startReferrersRegistry({ pageSize = 2 } = {}) {
  const blobs = new Map(); // digest -> Buffer
  const manifests = new Map(); // `${name}@${digest}` -> { body, mediaType }
  const tags = new Map(); // `${name}:${tag}` -> digest
  const uploads = new Map();
  const requests = [];

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const body = await readBody(req);
    let m;
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/$/)) && req.method === 'POST') {
      const id = crypto.randomUUID();
      uploads.set(id, []);
      res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${id}`, 'content-length': '0' });
      return res.end();
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]+)$/)) && req.method === 'PATCH') {
      // distribution-spec "Pushing a blob in chunks": append, answer 202 with Location and Range.
      const parts = uploads.get(m[2]);
      if (!parts) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'unknown upload');
      const have = parts.reduce((n, p) => n + p.length, 0);
      const range = req.headers['content-range'];
      if (range && Number(range.split('-')[0]) !== have) return error(res, 416, 'BLOB_UPLOAD_INVALID', 'out of order');
      parts.push(body);
      res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${m[2]}`, range: `0-${have + body.length - 1}`, 'content-length': '0' });
      return res.end();
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]+)$/)) && req.method === 'PUT') {
      const digest = url.searchParams.get('digest');
      if (!uploads.has(m[2])) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'unknown upload');
      const whole = Buffer.concat([...uploads.get(m[2]), body]);
      if (sha256(whole) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
      blobs.set(digest, whole);
      uploads.delete(m[2]);
      res.writeHead(201, { location: `/v2/${m[1]}/blobs/${digest}`, 'docker-content-digest': digest });
      return res.end();
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/))) {
      const blob = blobs.get(m[2]);
      if (!blob) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': m[2] });
      return res.end(req.method === 'HEAD' ? undefined : blob);
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/))) {
      const [, name, ref] = m;
      if (req.method === 'PUT') {
        const digest = sha256(body);
        if (ref.startsWith('sha256:') && ref !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        let doc;
        try {
          doc = JSON.parse(body.toString('utf8'));
        } catch {
          return error(res, 400, 'MANIFEST_INVALID', 'not JSON');
        }
        for (const l of [doc.config, ...(doc.layers ?? [])].filter(Boolean)) {
          if (!blobs.has(l.digest)) return error(res, 400, 'MANIFEST_BLOB_UNKNOWN', l.digest);
        }
        manifests.set(`${name}@${digest}`, { body, mediaType: req.headers['content-type'] });
        if (!ref.startsWith('sha256:')) tags.set(`${name}:${ref}`, digest);
        const headers = { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest };
        // distribution-spec "Pushing Manifests with Subject": answer OCI-Subject.
        if (doc.subject?.digest) headers['oci-subject'] = doc.subject.digest;
        res.writeHead(201, headers);
        return res.end();
      }
      const digest = ref.startsWith('sha256:') ? ref : tags.get(`${name}:${ref}`);
      const found = digest && manifests.get(`${name}@${digest}`);
      if (!found) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': String(found.body.length),
        'docker-content-digest': digest,
      });
      return res.end(req.method === 'HEAD' ? undefined : found.body);
    }
    if ((m = url.pathname.match(/^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/)) && req.method === 'GET') {
      const [, name, subject] = m;
      const wanted = url.searchParams.get('artifactType');
      const all = [];
      for (const [key, { body: b, mediaType }] of manifests) {
        if (!key.startsWith(`${name}@`)) continue;
        const doc = JSON.parse(b.toString('utf8'));
        if (doc.subject?.digest !== subject) continue;
        const artifactType = doc.artifactType ?? doc.config?.mediaType;
        if (wanted && artifactType !== wanted) continue;
        const d = { mediaType, digest: key.slice(name.length + 1), size: b.length, artifactType };
        if (doc.annotations) d.annotations = doc.annotations;
        all.push(d);
      }
      all.sort((a, b) => a.digest.localeCompare(b.digest));
      const start = Number(url.searchParams.get('last') ?? 0);
      const page = all.slice(start, start + pageSize);
      const headers = { 'content-type': INDEX };
      if (wanted) headers['oci-filters-applied'] = 'artifactType';
      if (start + pageSize < all.length) {
        const next = new URL(url);
        next.searchParams.set('last', String(start + pageSize));
        headers.link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      res.writeHead(200, headers);
      return res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: page }));
    }
    return error(res, 404, 'NOT_FOUND', 'no route');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => server.close(),
  };
}
