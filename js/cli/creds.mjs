// Registry credentials for the nv2 CLI. Resolution order for a registry host:
//   1. --username with --password / --password-stdin (flags; NV2_USERNAME / NV2_PASSWORD env)
//   2. $NV2_CONFIG/credentials.json (written by `nv2 login`, mode 0600)
//   3. docker's config.json ($DOCKER_CONFIG/config.json, else ~/.docker/config.json):
//      credHelpers.<host> (docker-credential-<name> get), then auths.<host>.auth
//      (base64 "user:pass"), then credsStore (docker-credential-<name> get).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createError } from '../node.js';
import { configDir, readJson, writePrivate } from './config.mjs';

const HELPER_TIMEOUT_MS = 10_000;

export const credentialsPath = () => join(configDir(), 'credentials.json');

function readNv2Credentials() {
  const path = credentialsPath();
  if (!existsSync(path)) return { auths: {} };
  const doc = readJson(path, 'credentials file');
  return { auths: {}, ...doc };
}

export function storeLogin(host, username, password) {
  const doc = readNv2Credentials();
  doc.auths[host] = { username, password };
  writePrivate(credentialsPath(), JSON.stringify(doc, null, 2) + '\n');
}

/** Removes a login; returns false when there was none. */
export function removeLogin(host) {
  const doc = readNv2Credentials();
  if (!(host in doc.auths)) return false;
  delete doc.auths[host];
  if (Object.keys(doc.auths).length === 0) rmSync(credentialsPath(), { force: true });
  else writePrivate(credentialsPath(), JSON.stringify(doc, null, 2) + '\n');
  return true;
}

function dockerConfig() {
  const dir = process.env.DOCKER_CONFIG || join(homedir(), '.docker');
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw createError('ERR_PARSE', `docker config ${path} is not valid JSON: ${e.message}`);
  }
}

/** Keys docker may use for a host in `auths` / `credHelpers`. */
function hostKeys(host) {
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`];
  if (host === 'docker.io' || host === 'registry-1.docker.io') keys.push('https://index.docker.io/v1/');
  return keys;
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin (the docker credential
 * helper protocol). Resolves to {username, password}, or null when the helper has none.
 */
export function runCredentialHelper(helper, serverUrl) {
  return new Promise((resolve, reject) => {
    const bin = `docker-credential-${helper}`;
    const child = spawn(bin, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(createError('ERR_REGISTRY_AUTH', `${bin} did not answer within ${HELPER_TIMEOUT_MS / 1000} s`));
    }, HELPER_TIMEOUT_MS);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(createError('ERR_REGISTRY_AUTH', `cannot run credential helper ${bin}: ${e.code ?? e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const msg = (out + err).trim();
        if (/credentials not found/i.test(msg)) return resolve(null);
        return reject(createError('ERR_REGISTRY_AUTH', `${bin} get failed (exit ${code}): ${msg}`));
      }
      try {
        const r = JSON.parse(out);
        if (!r.Secret) return resolve(null);
        resolve({ username: r.Username ?? '', password: r.Secret });
      } catch {
        reject(createError('ERR_REGISTRY_AUTH', `${bin} get printed no JSON credentials`));
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
}

/** Credentials for `host` from nv2's file and docker's config (steps 2 and 3 above), or null. */
export async function storedCredentials(host) {
  const own = readNv2Credentials().auths[host];
  if (own?.username !== undefined && own?.password !== undefined) {
    return { username: own.username, password: own.password };
  }
  const docker = dockerConfig();
  if (!docker) return null;
  for (const key of hostKeys(host)) {
    const helper = docker.credHelpers?.[key];
    if (helper) return runCredentialHelper(helper, host);
  }
  for (const key of hostKeys(host)) {
    const entry = docker.auths?.[key];
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry?.username && entry?.password) return { username: entry.username, password: entry.password };
  }
  if (docker.credsStore) return runCredentialHelper(docker.credsStore, host);
  return null;
}

