// Online revocation for the CLI (docs/revocation.md): the `--offline` switch and the CRL cache in
// $NV2_CACHE/crl (default ~/.cache/nv2/crl), laid out as notation-go's CRL file cache
// (verifier/crl FileCache): one file per distribution-point URL, named by the SHA-256 hex of the
// URL, holding JSON `{"baseCRL": <base64 DER>, "deltaCRL"?: <base64 DER>}`. Pointing $NV2_CACHE at
// notation's cache directory lets both tools share one cache.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** --offline of `nv2 verify`: what an offline verification uses (docs/revocation.md §Offline). */
export const REVOCATION = {
  offline: {
    type: 'boolean',
    desc: 'make no revocation request (OCSP, CRL download); use only the CRLs at hand: --crl files, the CRL store ($NV2_CONFIG/crl, nv2 crl import), the download cache ($NV2_CACHE/crl) and CRLs attached to the artifact (nv2 crl attach/refresh)',
  },
};

/** --offline of `nv2 blob verify` (a blob has no attached data). */
export const BLOB_REVOCATION = {
  offline: {
    type: 'boolean',
    desc: 'make no revocation request (OCSP, CRL download); use only the CRLs at hand: --crl files, the CRL store ($NV2_CONFIG/crl, nv2 crl import) and the download cache ($NV2_CACHE/crl)',
  },
};

/** The cache directory ($NV2_CACHE, default ~/.cache/nv2). */
export function cacheDir() {
  return process.env.NV2_CACHE || join(homedir(), '.cache', 'nv2');
}

export const crlCacheDir = () => join(cacheDir(), 'crl');

/** The cache file of a distribution-point URL (notation-go `FileCache.fileName`). */
export const crlCacheFile = (url) => join(crlCacheDir(), createHash('sha256').update(url, 'utf8').digest('hex'));

/** Largest cache file read: two 32 MiB CRLs in base64 and JSON. */
const MAX_CACHE_FILE = 2 * Math.ceil((32 * 1024 * 1024 * 4) / 3) + 1024;

/**
 * The file cache as a `revocationCache` for the JS API. A file that cannot be read or parsed is a
 * miss (the CRL is downloaded again); the wasm side checks every CRL's signature and nextUpdate
 * whatever the cache holds.
 */
export function fileCrlCache() {
  return {
    get(url) {
      try {
        const text = readFileSync(crlCacheFile(url), 'utf8');
        if (text.length > MAX_CACHE_FILE) return undefined;
        const content = JSON.parse(text);
        if (typeof content?.baseCRL !== 'string') return undefined;
        const bundle = { baseCRL: new Uint8Array(Buffer.from(content.baseCRL, 'base64')) };
        if (typeof content.deltaCRL === 'string') bundle.deltaCRL = new Uint8Array(Buffer.from(content.deltaCRL, 'base64'));
        return bundle;
      } catch {
        return undefined;
      }
    },
    set(url, bundle) {
      // Written whole to a temporary file and renamed into place, as notation-go does, so a
      // reader never sees half a file and a failed write leaves the old entry.
      const file = crlCacheFile(url);
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        mkdirSync(crlCacheDir(), { recursive: true, mode: 0o700 });
        const content = { baseCRL: Buffer.from(bundle.baseCRL).toString('base64') };
        if (bundle.deltaCRL) content.deltaCRL = Buffer.from(bundle.deltaCRL).toString('base64');
        writeFileSync(tmp, JSON.stringify(content), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        rmSync(tmp, { force: true });
      }
    },
  };
}

/** The JS API options of `--offline` and the file cache. */
export function revocationOptions(values) {
  return { offline: values.offline === true, revocationCache: fileCrlCache() };
}

/**
 * What to do when a revocation status is unknown (issue: messages that say what to do), printed
 * after the error.
 */
export function revocationHints(message) {
  if (!/revocation status is unknown/.test(message ?? '')) return '';
  return (
    '  Revocation could not be checked. Ways forward: give current CRLs with --crl FILE or ' +
    'import them with `nv2 crl import FILE` (e.g. downloaded on a connected machine), attach ' +
    'them to the artifact before copying it (`nv2 crl refresh <reference>`), check that the ' +
    'OCSP responder and CRL distribution ' +
    'points named above are reachable, or, if the policy allows it, set "override": ' +
    '{"revocation": "log"} in the trust policy statement.\n'
  );
}
