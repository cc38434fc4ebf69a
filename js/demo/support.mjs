// Shared by js/demo/stories.mjs and bench/copy.mjs: local CNCF distribution registries (Debian's
// `docker-registry`) with a guaranteed stop, running commands, and building small real OCI images
// (tar.gz layers, OCI config, OCI manifest) in an OCI image layout directory that `skopeo` reads.
// No npm dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
// The registry launcher and free-port helper the tests use (one launcher for both).
import { freePort, spawnTiedRegistry } from '../../tests/js/support/registry.mjs';


// ---------------------------------------------------------------------------------------------
// Clean-up: everything started or created here is undone on exit, on failure and on a signal.

const running = new Set(); // child processes to kill (registries, commands under way)
const scratch = new Set(); // directories to remove
let signalExitCode;

function cleanUp() {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  running.clear();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  scratch.clear();
}

process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: stopping the registries and removing the temporary files\n`);
    cleanUp();
    process.exit(signalExitCode ?? 128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
  });
}

// Output piped into a reader that stops early (`| head`): stop quietly, cleaning up as usual.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(1);
  throw e;
});

/** Registers a directory to remove at exit. */
export function removeAtExit(dir) {
  scratch.add(dir);
  return dir;
}

/** The exit code after a signal has stopped everything (default 128 + signal number). */
export function exitCodeOnSignal(code) {
  signalExitCode = code;
}

/** Stops every registry started so far and removes the registered directories now. */
export const stopAll = cleanUp;

// ---------------------------------------------------------------------------------------------
// Registries

export function requireTool(cmd, args, pkg) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} is not installed (Debian package ${pkg}; make setup installs it)`);
}

/**
 * Starts `docker-registry serve` on 127.0.0.1:<free port> with its storage in `dir` (created;
 * its log goes to `dir`/registry.log). Resolves to `{ name, host, url, dir, pid, stop() }` once
 * /v2/ answers.
 */
export async function startRegistry(dir, name = 'registry') {
  requireTool('docker-registry', ['--version'], 'docker-registry');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1
log: {level: warn, formatter: text}
storage:
  filesystem: {rootdirectory: ${join(dir, 'data')}}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http:
  addr: 127.0.0.1:${port}
  secret: not-secret
health: {storagedriver: {enabled: false}}
`,
  );
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawnTiedRegistry(join(dir, 'config.yml'), [log, log]);
  closeSync(log);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || i === 100) {
      child.kill('SIGTERM');
      throw new Error(`docker-registry (${name}) did not start; see ${join(dir, 'registry.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    host: `127.0.0.1:${port}`,
    url,
    dir,
    pid: child.pid,
    async stop() {
      running.delete(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * Runs `cmd args` and resolves to `{ code, stdout, stderr, ms }` (never rejects on a non-zero
 * exit). opts: { env, input, cwd }.
 */
export function run(cmd, args, { env, input, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? 128, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
    if (input !== undefined) {
      child.stdin.on('error', () => {}); // a command that exits without reading its input
      child.stdin.end(input);
    }
  });
}

/** The nv2 command: `--nv2 <bin>`/$NV2_BIN, else the installed package, else pkg/cli/nv2.mjs. */
export function nv2Command(explicit) {
  const root = new URL('../../', import.meta.url).pathname;
  const candidates = [
    explicit,
    process.env.NV2_BIN,
    join(root, 'tests/.work/consumer/node_modules/.bin/nv2'),
    join(root, 'pkg/cli/nv2.mjs'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no nv2 command found (tried ${candidates.join(', ')}); run \`make pack\``);
  return found;
}

// ---------------------------------------------------------------------------------------------
// OCI images

export const sha256 = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');

/**
 * A POSIX ustar archive of `files` ([{ path, data: Buffer|string, mode? }]), with fixed owner and
 * modification time so that the same files always give the same bytes.
 */
export function tar(files, mtime = 1700000000) {
  const blocks = [];
  for (const f of files) {
    const data = Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data);
    if (Buffer.byteLength(f.path) > 100) throw new Error(`tar: path too long: ${f.path}`);
    const h = Buffer.alloc(512);
    const field = (off, len, value) => h.write(value, off, len, 'utf8');
    const octal = (off, len, n) => field(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
    field(0, 100, f.path);
    octal(100, 8, f.mode ?? 0o644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.length);
    octal(136, 12, mtime);
    h.fill(' ', 148, 156); // checksum field counts as spaces
    field(156, 1, '0');
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    field(265, 32, 'root');
    field(297, 32, 'root');
    let sum = 0;
    for (const b of h) sum += b;
    field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * Writes an OCI image layout in `dir` holding one image tagged `tag`: one tar.gz layer per entry
 * of `layers` (each an array of tar `files`), an OCI image config and an OCI image manifest.
 * Returns `{ manifest: descriptor, layers: [descriptor], config: descriptor, bytes }`.
 */
export function writeOciImage(dir, tag, layers, { gzipLevel = 6, config: extraConfig = {}, annotations } = {}) {
  const blobsDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobsDir, { recursive: true });
  const putBlob = (bytes, mediaType) => {
    const digest = sha256(bytes);
    writeFileSync(join(blobsDir, digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const diffIds = [];
  const layerDescs = [];
  for (const files of layers) {
    const t = tar(files);
    diffIds.push(sha256(t));
    layerDescs.push(putBlob(gzipSync(t, { level: gzipLevel }), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  }
  const config = putBlob(
    Buffer.from(
      JSON.stringify({
        created: '2023-11-14T22:13:20Z',
        architecture: 'amd64',
        os: 'linux',
        config: { Entrypoint: ['/usr/local/bin/net-monitor'], ...extraConfig },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: layers.map((_, i) => ({ created: '2023-11-14T22:13:20Z', created_by: `layer ${i + 1}` })),
      }),
    ),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: layerDescs,
        ...(annotations ? { annotations } : {}),
      }),
    ),
    'application/vnd.oci.image.manifest.v1+json',
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  const bytes = config.size + manifest.size + layerDescs.reduce((n, l) => n + l.size, 0);
  return { manifest, config, layers: layerDescs, bytes };
}

/** A skopeo signature policy that accepts any image (the registries here are local and unsigned
 * for skopeo; nv2 does the Notary Project verification). Returns the global `--policy` args. */
export function skopeoPolicyArgs(dir) {
  const path = join(dir, 'skopeo-policy.json');
  writeFileSync(path, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  return ['--policy', path];
}
