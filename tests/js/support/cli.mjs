// Runs the INSTALLED `nv2` command line (node_modules/.bin/nv2 of the consumer project) with an
// isolated environment: its own $NV2_CONFIG, $HOME and $DOCKER_CONFIG under a temp directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NV2_BIN = fileURLToPath(new URL('../.bin/nv2', import.meta.resolve('nv2/package.json')));
if (!existsSync(NV2_BIN)) throw new Error(`the installed package has no bin "nv2" at ${NV2_BIN}`);

/** Runs nv2 with `args`; resolves to { code, stdout, stderr }. opts: { env, input }. */
export function runNv2(args, { env = {}, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(NV2_BIN, args, { env: { ...process.env, NV2_DEBUG: '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/**
 * A fresh CLI home: { dir, config, env, run(args, opts), dispose() }. `config` is $NV2_CONFIG;
 * $HOME and $DOCKER_CONFIG point into `dir` so the user's real files are never read.
 */
export function cliHome() {
  const dir = mkdtempSync(join(tmpdir(), 'nv2-cli-'));
  const config = join(dir, 'config');
  const home = join(dir, 'home');
  const docker = join(dir, 'docker');
  for (const d of [home, docker]) mkdirSync(d, { recursive: true });
  const env = {
    NV2_CONFIG: config,
    HOME: home,
    DOCKER_CONFIG: docker,
    NV2_USERNAME: '',
    NV2_PASSWORD: '',
  };
  // An empty NV2_USERNAME would count as a username: drop them instead.
  delete env.NV2_USERNAME;
  delete env.NV2_PASSWORD;
  return {
    dir,
    config,
    docker,
    env,
    run: (args, opts = {}) => runNv2(args, { ...opts, env: { ...env, ...(opts.env ?? {}) } }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The one-line `Error: <message> (<code>)` of a run's stderr, or undefined. */
export const errorLine = (r) => r.stderr.split('\n').find((l) => l.startsWith('Error: '));

/** Strict trust policy for all registries naming `stores`. */
export function strictPolicy(stores, identities = ['*']) {
  return {
    version: '1.0',
    trustPolicies: [
      {
        name: 'default',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: stores,
        trustedIdentities: identities,
      },
    ],
  };
}
