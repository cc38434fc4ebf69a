// Signing keys and signing options of the signing commands (sign, blob sign): signingkeys.json
// (`{ default, keys: [{ name, keyPath, certPath }] }`, as notation's), the --key/--cert
// resolution, and --expiry / --user-metadata.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as nv2 from '../node.js';
import { keyValues, parseDuration, UsageError } from './args.mjs';
import { configDir, localkeysDir, readJson } from './config.mjs';

function readFileArg(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw nv2.createError('ERR_INVALID_ARGUMENT', `cannot read ${what} ${path}: ${e.code ?? e.message}`);
  }
}

export const signingKeysPath = () => join(configDir(), 'signingkeys.json');
export function readSigningKeys() {
  const p = signingKeysPath();
  return existsSync(p) ? { keys: [], ...readJson(p, 'signing keys file') } : { keys: [] };
}

/** Resolves --key/--cert: a key file, else a key name (signingkeys.json or localkeys/), else the default key. */
export function resolveKey(values, command) {
  const keys = readSigningKeys();
  let keyArg = values.key;
  if (keyArg === undefined) {
    if (!keys.default) {
      throw new UsageError('--key is required (no default signing key; see `nv2 cert generate-test --default`)', command);
    }
    keyArg = keys.default;
  }
  let keyPath;
  let certPath = values.cert;
  if (existsSync(keyArg) && statSync(keyArg).isFile()) {
    keyPath = keyArg;
  } else {
    const named = keys.keys.find((k) => k.name === keyArg);
    const local = join(localkeysDir(), `${keyArg}.key`);
    if (named) {
      keyPath = named.keyPath;
      certPath ??= named.certPath;
    } else if (/^[a-zA-Z0-9_.-]+$/.test(keyArg) && existsSync(local)) {
      keyPath = local;
      certPath ??= join(localkeysDir(), `${keyArg}.crt`);
    } else {
      throw nv2.createError('ERR_INVALID_ARGUMENT', `--key "${keyArg}" is neither a key file nor a key name in ${localkeysDir()}`);
    }
  }
  if (certPath === undefined) throw new UsageError('--cert is required with a key file', command);
  return { key: readFileArg(keyPath, 'key file'), certChain: readFileArg(certPath, 'certificate chain file') };
}

/** --expiry (ms from signing) and the signed user metadata (--user-metadata/--annotation). */
export function signatureFlags(values, command) {
  const expiryMs = values.expiry === undefined ? undefined : parseDuration(values.expiry, '--expiry', command);
  const annotations = keyValues([...values['user-metadata'], ...values.annotation], '--user-metadata/--annotation', command);
  return { expiryMs, annotations };
}

/**
 * The signing options of nv2.sign / nv2.signBlob: the resolved key and chain, the envelope
 * format, the signing time (now) and the expiry and user metadata from `signatureFlags`.
 */
export function signingOptions(values, command, format, { expiryMs, annotations }) {
  const { key, certChain } = resolveKey(values, command);
  const now = Date.now();
  return {
    key,
    certChain,
    signatureFormat: format,
    signingTime: now,
    ...(expiryMs !== undefined ? { expiry: now + expiryMs } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}
