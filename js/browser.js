// Browser (and bundler / Deno / worker) entry point: call `await init()` once before using the
// API. By default the .wasm next to this file is fetched with Subresource Integrity (WASM_SRI).
import initWasm from './dist/nv2_wasm.js';
import { _markReady } from './core.js';
import { WASM_SRI } from './integrity.js';

let pending = null;

/**
 * Loads the WebAssembly module. `input` may be a URL (string or URL object), a `Response` (or a
 * promise of one), bytes, or a compiled `WebAssembly.Module`; by default it is
 * `new URL('./dist/nv2_wasm_bg.wasm', import.meta.url)`. URLs are fetched with
 * `integrity: WASM_SRI` unless `options.integrity` is `false` (or another SRI string).
 * Calling it again returns the first call's promise.
 */
export function init(input, options = {}) {
  if (pending) return pending;
  let source = input ?? new URL('./dist/nv2_wasm_bg.wasm', import.meta.url);
  if (typeof source === 'string' || source instanceof URL) {
    const integrity = options.integrity === undefined ? WASM_SRI : options.integrity;
    source = fetch(source, integrity ? { integrity } : {});
  }
  pending = initWasm({ module_or_path: source }).then(
    () => {
      _markReady();
    },
    (e) => {
      pending = null;
      throw e;
    },
  );
  return pending;
}

export {
  version,
  verifyEnvelope,
  validateTrustPolicy,
  assertVerified,
  signDescriptor,
  prepareSignature,
  sign,
  verify,
  listSignatures,
  inspect,
  copy,
  signBlob,
  verifyBlob,
  inspectBlobSignature,
  validateBlobTrustPolicy,
  inspectCrl,
  attachRevocation,
  downloadCrls,
  DEFAULT_BLOB_MEDIA_TYPE,
  isInitialized,
} from './core.js';
export * from './errors.js';
export { WASM_SRI };
