// Error classes for nv2. Every error thrown by the library is a `NotationError` (or a subclass)
// carrying a stable string `code` (see ERROR_CODES and docs/errors.md); `details` holds structured
// context when the core provided it. Messages are for humans and may change; codes do not.

// BEGIN GENERATED error-codes: from src/error.rs by tests/error_codes.rs (NV2_BLESS=1 cargo test --test error_codes)
/** Every stable error code, in documentation order. */
export const ERROR_CODES = Object.freeze([
  'ERR_PARSE',
  'ERR_INVALID_ARGUMENT',
  'ERR_POLICY_INVALID',
  'ERR_NO_APPLICABLE_TRUST_POLICY',
  'ERR_TRUST_STORE',
  'ERR_SIGNATURE_INTEGRITY',
  'ERR_SIGNATURE_AUTHENTICITY',
  'ERR_UNTRUSTED_IDENTITY',
  'ERR_SIGNATURE_EXPIRED',
  'ERR_CERT_EXPIRED',
  'ERR_CERT_INVALID',
  'ERR_CERT_REVOKED',
  'ERR_VERIFICATION_INCONCLUSIVE',
  'ERR_TIMESTAMP',
  'ERR_DESCRIPTOR_MISMATCH',
  'ERR_USER_METADATA_MISMATCH',
  'ERR_VERIFICATION_PLUGIN',
  'ERR_UNSUPPORTED_ENVELOPE',
  'ERR_UNSUPPORTED_ALGORITHM',
  'ERR_SIGNING',
  'ERR_INVALID_ANNOTATION',
  'ERR_LIMIT',
  'ERR_NO_SIGNATURE',
  'ERR_REGISTRY_HTTP',
  'ERR_REGISTRY_AUTH',
  'ERR_DIGEST_MISMATCH',
  'ERR_INSECURE_TRANSPORT',
  'ERR_REFERRERS_INDEX',
]);
// END GENERATED error-codes

const CODE_SET = new Set(ERROR_CODES);

/** Base class of every nv2 error. */
export class NotationError extends Error {
  /**
   * @param {string} message
   * @param {{ code?: string, details?: unknown, cause?: unknown }} [options]
   */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    /** @type {string} */
    this.code = options.code ?? 'ERR_INVALID_ARGUMENT';
    /** @type {unknown} */
    this.details = options.details;
  }

  get name() {
    return this.constructor.name;
  }
}

/** A signature was checked and an enforced check failed. */
export class VerificationFailedError extends NotationError {}
/** Verification could not reach a verdict (e.g. revocation status unknown, plugin missing). */
export class VerificationInconclusiveError extends NotationError {}
/** The trust policy is invalid or has no statement for the artifact. */
export class PolicyError extends NotationError {}
/** The trust store is empty, malformed or holds unusable certificates. */
export class TrustStoreError extends NotationError {}
/** An input could not be parsed, is unsupported, exceeds a limit, or is an invalid argument. */
export class ParseError extends NotationError {}
/** Signing failed (bad key, signature callback failure, invalid annotation). */
export class SigningError extends NotationError {}

/** A registry refused, failed or answered something unusable (HTTP status, auth, digest). */
export class RegistryError extends NotationError {}

// BEGIN GENERATED error-classes: from src/error.rs by tests/error_codes.rs; the one place a code gets its class
/** The class for every code. */
export const ERROR_CLASS_BY_CODE = Object.freeze({
  ERR_PARSE: ParseError,
  ERR_INVALID_ARGUMENT: ParseError,
  ERR_POLICY_INVALID: PolicyError,
  ERR_NO_APPLICABLE_TRUST_POLICY: PolicyError,
  ERR_TRUST_STORE: TrustStoreError,
  ERR_SIGNATURE_INTEGRITY: VerificationFailedError,
  ERR_SIGNATURE_AUTHENTICITY: VerificationFailedError,
  ERR_UNTRUSTED_IDENTITY: VerificationFailedError,
  ERR_SIGNATURE_EXPIRED: VerificationFailedError,
  ERR_CERT_EXPIRED: VerificationFailedError,
  ERR_CERT_INVALID: VerificationFailedError,
  ERR_CERT_REVOKED: VerificationFailedError,
  ERR_VERIFICATION_INCONCLUSIVE: VerificationInconclusiveError,
  ERR_TIMESTAMP: VerificationFailedError,
  ERR_DESCRIPTOR_MISMATCH: VerificationFailedError,
  ERR_USER_METADATA_MISMATCH: VerificationFailedError,
  ERR_VERIFICATION_PLUGIN: VerificationFailedError,
  ERR_UNSUPPORTED_ENVELOPE: ParseError,
  ERR_UNSUPPORTED_ALGORITHM: ParseError,
  ERR_SIGNING: SigningError,
  ERR_INVALID_ANNOTATION: SigningError,
  ERR_LIMIT: ParseError,
  ERR_NO_SIGNATURE: VerificationFailedError,
  ERR_REGISTRY_HTTP: RegistryError,
  ERR_REGISTRY_AUTH: RegistryError,
  ERR_DIGEST_MISMATCH: RegistryError,
  ERR_INSECURE_TRANSPORT: RegistryError,
  ERR_REFERRERS_INDEX: RegistryError,
});
// END GENERATED error-classes

/** True when `code` is one of the stable codes. */
export function isNotationErrorCode(code) {
  return typeof code === 'string' && CODE_SET.has(code);
}

/**
 * Builds the right `NotationError` subclass for `code`.
 * @param {string} code
 * @param {string} message
 * @param {{ details?: unknown, cause?: unknown }} [options]
 */
export function createError(code, message, options = {}) {
  const Cls = (isNotationErrorCode(code) && ERROR_CLASS_BY_CODE[code]) || NotationError;
  return new Cls(message, { ...options, code });
}

/**
 * Converts whatever the wasm module threw into a `NotationError` subclass. Errors without a known
 * code (wasm traps, JS TypeErrors from the glue) are returned unchanged.
 * @param {unknown} err
 * @returns {unknown}
 */
export function fromWasmError(err) {
  if (err instanceof NotationError) return err;
  if (typeof err === 'string') {
    return createError('ERR_INVALID_ARGUMENT', err);
  }
  if (err !== null && typeof err === 'object' && isNotationErrorCode(err.code)) {
    return createError(err.code, String(err.message ?? err.code), {
      details: err.details,
      cause: err,
    });
  }
  return err;
}

/**
 * The error for a verification outcome's `error` member (`{ code, message }`), so callers can
 * `throw errorFromOutcome(outcome)`.
 * @param {{ code: string, message: string, details?: unknown }} e
 */
export function errorFromResult(e) {
  return createError(e.code, e.message, { details: e.details });
}
