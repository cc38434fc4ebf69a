// Starts Debian's CNCF distribution registry (`docker-registry`) on 127.0.0.1 for a test file:
// a free port, a temporary storage directory, CORS headers for the browser tests, optional
// htpasswd Basic auth. A missing binary is a test failure, never a skip (CI installs it).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crypto from 'node:crypto';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a registry. `auth: { username, password }` enables htpasswd (bcrypt) Basic auth.
 * Resolves to `{ host, url, stop() }`.
 */
export async function startRegistry({ auth } = {}) {
  try {
    execFileSync('docker-registry', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('docker-registry is not installed (Debian package docker-registry); .ci/run installs it');
  }
  const dir = mkdtempSync(join(tmpdir(), 'nv2-registry-'));
  const port = await freePort();
  let authYaml = '';
  if (auth) {
    const htpasswd = execFileSync('htpasswd', ['-Bbn', auth.username, auth.password]).toString();
    writeFileSync(join(dir, 'htpasswd'), htpasswd);
    authYaml = `auth:\n  htpasswd: {realm: nv2-test, path: ${join(dir, 'htpasswd')}}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1
log: {level: error, formatter: text}
storage:
  filesystem: {rootdirectory: ${join(dir, 'data')}}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http:
  addr: 127.0.0.1:${port}
  secret: not-secret
  headers:
    Access-Control-Allow-Origin: ['*']
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'PATCH']
    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Content-Type', 'Range', 'If-Match']
    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'Location', 'OCI-Subject', 'Content-Length', 'WWW-Authenticate', 'Link', 'ETag', 'OCI-Filters-Applied']
${authYaml}health: {storagedriver: {enabled: false}}
`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error('docker-registry did not start');
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

/** Pushes one blob (POST + PUT) and returns its descriptor. */
export async function pushBlob(url, repo, bytes, mediaType, headers = {}) {
  const digest = sha256(bytes);
  const post = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (post.status !== 202) throw new Error(`blob upload start: ${post.status}`);
  const loc = new URL(post.headers.get('location'), url);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { ...headers, 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  return { mediaType, digest, size: bytes.length };
}

/**
 * Pushes a small real OCI image (config + `layers` random layers) under `repo:tag`; returns the
 * manifest descriptor.
 */
export async function pushImage(url, repo, tag, { layers = 2, headers = {} } = {}) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const configDesc = await pushBlob(url, repo, config, 'application/vnd.oci.image.config.v1+json', headers);
  const layerDescs = [];
  for (let i = 0; i < layers; i++) {
    layerDescs.push(await pushBlob(url, repo, crypto.randomBytes(1024 + i), 'application/vnd.oci.image.layer.v1.tar', headers));
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: configDesc,
      layers: layerDescs,
    }),
  );
  const r = await fetch(`${url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (r.status !== 201) throw new Error(`manifest push: ${r.status}`);
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length };
}
