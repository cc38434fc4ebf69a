// The nv2 configuration directory ($NV2_CONFIG, default ~/.config/nv2), laid out like notation's:
//
//   trustpolicy.oci.json            OCI trust policy (legacy name trustpolicy.json is also read)
//   truststore/x509/<type>/<name>/  trust stores: type ca | signingAuthority | tsa
//   localkeys/<name>.key|.crt       keys (PKCS#8 PEM) and certificate chains made by generate-test
//   signingkeys.json                named signing keys and the default one
//   credentials.json                registry logins (mode 0600)
import { X509Certificate } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import { createError } from '../node.js';
import { UsageError } from './args.mjs';

export const STORE_TYPES = ['ca', 'signingAuthority', 'tsa'];
export const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
export const CERT_EXTENSIONS = ['.pem', '.crt', '.cer'];

export function configDir() {
  return process.env.NV2_CONFIG || join(homedir(), '.config', 'nv2');
}
export const truststoreRoot = () => join(configDir(), 'truststore');
export const localkeysDir = () => join(configDir(), 'localkeys');

export function checkStoreArgs(type, store, command) {
  if (type !== undefined && !STORE_TYPES.includes(type)) {
    throw new UsageError(`--type must be one of ${STORE_TYPES.join(', ')}, got "${type}"`, command);
  }
  if (store !== undefined && !STORE_NAME.test(store)) {
    throw new UsageError(`--store "${store}" is not a valid store name (letters, digits, _ . -)`, command);
  }
}

export function readJson(path, what) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw createError('ERR_INVALID_ARGUMENT', `cannot read ${what} ${path}: ${e.code ?? e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw createError('ERR_PARSE', `${what} ${path} is not valid JSON: ${e.message}`);
  }
}

export function writePrivate(path, text) {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// Trust policy

/** The trust policy file in use: trustpolicy.oci.json, else the legacy trustpolicy.json. */
export function defaultPolicyPath() {
  const oci = join(configDir(), 'trustpolicy.oci.json');
  const legacy = join(configDir(), 'trustpolicy.json');
  if (existsSync(oci) || !existsSync(legacy)) return oci;
  return legacy;
}

export function loadPolicy(file) {
  const path = file ?? defaultPolicyPath();
  if (!existsSync(path)) {
    throw createError(
      'ERR_POLICY_INVALID',
      `no trust policy at ${path}; import one with \`nv2 policy import <file>\` or pass --trust-policy`,
    );
  }
  return readJson(path, 'trust policy');
}

// ---------------------------------------------------------------------------------------------
// Certificates and trust stores

/** Every certificate in a file: a PEM sequence, else one DER certificate. Returns X509Certificate[]. */
export function readCertificates(path) {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  try {
    if (blocks) return blocks.map((b) => new X509Certificate(b));
    return [new X509Certificate(bytes)];
  } catch (e) {
    throw createError('ERR_TRUST_STORE', `${path} does not hold valid X.509 certificates: ${e.message}`);
  }
}

/** The directory of trust store `type:name` under an x509 directory. */
export function storeDir(x509Dir, type, name) {
  return join(x509Dir, type, name);
}

/**
 * Loads one named store by notation's rules. Returns null when the store does not exist (the
 * verifier then reports it); throws ERR_TRUST_STORE for a symlinked store or file, a
 * sub-directory, an unreadable certificate file, or an empty store.
 */
export function loadStore(x509Dir, type, name, warn = () => {}) {
  const dir = storeDir(x509Dir, type, name);
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) throw createError('ERR_TRUST_STORE', `trust store ${type}:${name} (${dir}) is a symlink, which is not allowed`);
  if (!st.isDirectory()) throw createError('ERR_TRUST_STORE', `trust store ${type}:${name} (${dir}) is not a directory`);
  const certs = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const est = lstatSync(path);
    if (est.isSymbolicLink()) throw createError('ERR_TRUST_STORE', `trust store ${type}:${name}: ${entry} is a symlink, which is not allowed`);
    if (est.isDirectory()) throw createError('ERR_TRUST_STORE', `trust store ${type}:${name}: sub-directory ${entry} is not allowed`);
    if (!CERT_EXTENSIONS.includes(extname(entry).toLowerCase())) {
      warn(`trust store ${type}:${name}: ignoring ${entry} (not .pem, .crt or .cer)`);
      continue;
    }
    for (const c of readCertificates(path)) certs.push(c.toString());
  }
  if (certs.length === 0) {
    throw createError('ERR_TRUST_STORE', `no x509 certificates were found in trust store ${type}:${name} (${dir})`);
  }
  return certs;
}

/** Store references (`type:name`) a trust policy document names, in order, without repeats. */
export function policyStores(policy) {
  const out = [];
  for (const st of Array.isArray(policy?.trustPolicies) ? policy.trustPolicies : []) {
    for (const ref of Array.isArray(st?.trustStores) ? st.trustStores : []) {
      if (typeof ref === 'string' && !out.includes(ref)) out.push(ref);
    }
  }
  return out;
}

/**
 * The trust store object for verify(): only the stores the policy references. Malformed
 * references and missing stores are left to the verifier, which reports them with their codes.
 */
export function loadTrustStore(policy, x509Dir, warn) {
  const store = {};
  for (const ref of policyStores(policy)) {
    const [type, name, extra] = ref.split(':');
    if (extra !== undefined || !STORE_TYPES.includes(type) || !STORE_NAME.test(name ?? '')) continue;
    const certs = loadStore(x509Dir, type, name, warn);
    if (certs) store[ref] = certs;
  }
  return store;
}

/**
 * The x509 directory of the trust store: `$NV2_CONFIG/truststore/x509` by default. A --trust-store
 * DIR is a truststore root holding x509/, or (when it has no x509/) the x509 directory itself.
 */
export function resolveX509Dir(dir) {
  if (dir === undefined) return join(truststoreRoot(), 'x509');
  return existsSync(join(dir, 'x509')) ? join(dir, 'x509') : dir;
}
