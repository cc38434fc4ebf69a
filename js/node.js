// Node entry point: the wasm module is loaded synchronously at import time, so every API function
// is usable immediately. `init()` exists for code shared with browsers and resolves at once.
import { readFileSync } from 'node:fs';
import { initSync } from './dist/nv2_wasm.js';
import { _markReady, _setPipeFactory } from './core.js';
import { nodePipe } from './node-pipe.js';

initSync({ module: readFileSync(new URL('./dist/nv2_wasm_bg.wasm', import.meta.url)) });
_markReady();
_setPipeFactory(nodePipe);

/** No-op in Node (the module is already loaded); kept for isomorphic code. */
export async function init() {}

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
export { WASM_SRI } from './integrity.js';
