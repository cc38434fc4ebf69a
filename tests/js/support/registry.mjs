// Starts Debian's CNCF distribution registry (`docker-registry`) on 127.0.0.1 for a test file:
// a free port, a temporary storage directory, CORS headers for the browser tests, optional
// htpasswd Basic auth or token (Bearer) auth with a small token issuer
// (tests/interop/token_server.py, run with $NV2_PYTHON). A missing binary is a test failure,
// never a skip (CI installs it).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crypto from 'node:crypto';

// docker-registry runs under `sh`, tied to a pipe from this process: when the pipe closes (the
// test process dying, even by SIGKILL) `cat` ends and the registry is killed; SIGTERM to the
// `sh` (stop()) kills it too. No registry outlives the tests that started it.
const TIED =
  'exec 3<&0; docker-registry serve "$1" </dev/null 3<&- & r=$!; ' +
  'trap \'kill "$r" 2>/dev/null\' TERM INT HUP; ' +
  'cat <&3 >/dev/null 3<&- & c=$!; wait "$c"; kill "$r" "$c" 2>/dev/null; wait "$r"';

/**
 * Spawns `docker-registry serve <config>` tied to this process (see TIED); `output` is the
 * [stdout, stderr] of the registry. Resolves nothing: the caller polls /v2/.
 */
export function spawnTiedRegistry(config, output) {
  return spawn('sh', ['-c', TIED, 'sh', config], { stdio: ['pipe', ...output] });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The token issuer script: $NV2_TOKEN_SERVER, else beside $NV2_ORAS_TOOL, else in the source tree. */
function tokenServerScript() {
  const candidates = [
    process.env.NV2_TOKEN_SERVER,
    process.env.NV2_ORAS_TOOL && join(dirname(process.env.NV2_ORAS_TOOL), 'token_server.py'),
    new URL('../../interop/token_server.py', import.meta.url).pathname,
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`token_server.py not found (tried ${candidates.join(', ')})`);
  return found;
}

/**
 * Starts the token issuer; resolves to `{ port, realm, requests, stop() }` where `requests` is
 * the live list of `{ service, scopes, auth }` it answered (auth: ok | anonymous | denied).
 */
async function startTokenServer(dir, { username, password, service, issuer }) {
  const python = process.env.NV2_PYTHON || 'python3';
  const child = spawn(
    python,
    [tokenServerScript(), '--cert', join(dir, 'token.crt'), '--username', username, '--password', password,
      '--service', service, '--issuer', issuer],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const requests = [];
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('token server did not start')), 15000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`token server exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('PORT ')) {
        clearTimeout(timer);
        resolve(Number(line.slice(5)));
      } else if (line.startsWith('REQ ')) {
        requests.push(JSON.parse(line.slice(4)));
      }
    });
  });
  return { port, realm: `http://127.0.0.1:${port}/token`, requests, stop: () => child.kill('SIGTERM') };
}

/**
 * Starts a registry. `auth: { username, password }` enables htpasswd (bcrypt) Basic auth;
 * `token: { username, password }` enables distribution token auth with a local token issuer
 * (one user, granted what it asks for; anonymous gets tokens without access).
 * Resolves to `{ host, url, stop() }`; with `token` also `{ realm, service, tokenRequests,
 * getToken(scope, login?) }` (`tokenRequests`: live list of the issuer's requests).
 */
export async function startRegistry({ auth, token } = {}) {
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
  let issuer;
  const service = 'nv2-test-registry';
  if (token) {
    issuer = await startTokenServer(dir, { ...token, service, issuer: 'nv2-test-issuer' });
    authYaml =
      `auth:\n  token: {realm: "${issuer.realm}", service: ${service}, issuer: nv2-test-issuer, ` +
      `rootcertbundle: ${join(dir, 'token.crt')}}\n`;
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
  const child = spawnTiedRegistry(join(dir, 'config.yml'), ['ignore', 'ignore']);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) {
      child.kill('SIGTERM');
      issuer?.stop();
      throw new Error('docker-registry did not start');
    }
  }
  const reg = {
    host: `127.0.0.1:${port}`,
    url,
    stop() {
      child.kill('SIGTERM');
      issuer?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (issuer) {
    Object.assign(reg, {
      realm: issuer.realm,
      service,
      tokenRequests: issuer.requests,
      /** A token for `scope` straight from the issuer (`login` = { username, password }). */
      async getToken(scope, login = token) {
        const u = new URL(issuer.realm);
        u.searchParams.set('service', service);
        u.searchParams.set('scope', scope);
        const headers = login
          ? { Authorization: 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64') }
          : {};
        const r = await fetch(u, { headers });
        if (r.status !== 200) throw new Error(`token request: ${r.status}`);
        return (await r.json()).token;
      },
    });
  }
  return reg;
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
