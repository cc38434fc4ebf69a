// Type declarations for the nv2 package (both the `node` and the `browser` entry points).
// Needs TypeScript >= 5.7 (generic Uint8Array<ArrayBuffer>).

// ---------------------------------------------------------------------------------------------
// Errors

// BEGIN GENERATED error-codes: from src/error.rs by tests/error_codes.rs (NV2_BLESS=1 cargo test --test error_codes)
/** Every stable error code (semver-stable; see docs/errors.md). */
export type NotationErrorCode =
  | 'ERR_PARSE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_POLICY_INVALID'
  | 'ERR_NO_APPLICABLE_TRUST_POLICY'
  | 'ERR_TRUST_STORE'
  | 'ERR_SIGNATURE_INTEGRITY'
  | 'ERR_SIGNATURE_AUTHENTICITY'
  | 'ERR_UNTRUSTED_IDENTITY'
  | 'ERR_SIGNATURE_EXPIRED'
  | 'ERR_CERT_EXPIRED'
  | 'ERR_CERT_INVALID'
  | 'ERR_CERT_REVOKED'
  | 'ERR_VERIFICATION_INCONCLUSIVE'
  | 'ERR_TIMESTAMP'
  | 'ERR_DESCRIPTOR_MISMATCH'
  | 'ERR_USER_METADATA_MISMATCH'
  | 'ERR_VERIFICATION_PLUGIN'
  | 'ERR_UNSUPPORTED_ENVELOPE'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  | 'ERR_SIGNING'
  | 'ERR_INVALID_ANNOTATION'
  | 'ERR_LIMIT'
  | 'ERR_NO_SIGNATURE'
  | 'ERR_REGISTRY_HTTP'
  | 'ERR_REGISTRY_AUTH'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_INSECURE_TRANSPORT'
  | 'ERR_REFERRERS_INDEX';
/** The codes of `ParseError`. */
export type ParseErrorCode =
  | 'ERR_PARSE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNSUPPORTED_ENVELOPE'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  | 'ERR_LIMIT';
/** The codes of `PolicyError`. */
export type PolicyErrorCode =
  | 'ERR_POLICY_INVALID'
  | 'ERR_NO_APPLICABLE_TRUST_POLICY';
/** The codes of `TrustStoreError`. */
export type TrustStoreErrorCode = 'ERR_TRUST_STORE';
/** The codes of `VerificationFailedError`. */
export type VerificationFailedCode =
  | 'ERR_SIGNATURE_INTEGRITY'
  | 'ERR_SIGNATURE_AUTHENTICITY'
  | 'ERR_UNTRUSTED_IDENTITY'
  | 'ERR_SIGNATURE_EXPIRED'
  | 'ERR_CERT_EXPIRED'
  | 'ERR_CERT_INVALID'
  | 'ERR_CERT_REVOKED'
  | 'ERR_TIMESTAMP'
  | 'ERR_DESCRIPTOR_MISMATCH'
  | 'ERR_USER_METADATA_MISMATCH'
  | 'ERR_VERIFICATION_PLUGIN'
  | 'ERR_NO_SIGNATURE';
/** The codes of `VerificationInconclusiveError`. */
export type VerificationInconclusiveCode = 'ERR_VERIFICATION_INCONCLUSIVE';
/** The codes of `SigningError`. */
export type SigningErrorCode =
  | 'ERR_SIGNING'
  | 'ERR_INVALID_ANNOTATION';
/** The codes of `RegistryError`. */
export type RegistryErrorCode =
  | 'ERR_REGISTRY_HTTP'
  | 'ERR_REGISTRY_AUTH'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_INSECURE_TRANSPORT'
  | 'ERR_REFERRERS_INDEX';
// END GENERATED error-codes

/** All stable error codes, in documentation order. */
export const ERROR_CODES: readonly NotationErrorCode[];

// Structured context of an error (`error.details`; docs/errors.md "Details"). Times are RFC 3339,
// subjects RFC 4514, `certificateIndex` counts from the leaf (0).

/** `ERR_SIGNATURE_EXPIRED`. */
export interface SignatureExpiredDetails {
  expiry: string;
}
/** `ERR_CERT_EXPIRED`: which certificate, its validity, and the time it was checked at. */
export interface CertValidityDetails {
  certificateIndex: number;
  subject: string;
  notBefore: string;
  notAfter: string;
  checkedAt: string;
  rule: 'atSigningTime' | 'notYetValid' | 'expired';
}
/** `ERR_UNTRUSTED_IDENTITY` (the signing certificate) and `ERR_VERIFICATION_INCONCLUSIVE` (the certificate whose revocation status is unknown). */
export interface SubjectDetails {
  subject: string;
}
/** `ERR_CERT_REVOKED`: the revoked certificate and the revocation checker's detail. */
export interface RevokedDetails {
  subject: string;
  detail: string;
}
/** `ERR_TIMESTAMP`. */
export interface TimestampDetails {
  reason:
    | 'missingAuthenticSigningTime'
    | 'noCountersignature'
    | 'tsaTrustStore'
    | 'noTrustedTsa'
    | 'token'
    | 'beforeCertificateValidity'
    | 'afterCertificateValidity';
  certificateIndex?: number;
  subject?: string;
  notBefore?: string;
  notAfter?: string;
}
/** A target as compared by the descriptor check. */
export interface TargetDetails {
  mediaType?: string;
  digest: string;
  size: number;
}
/** `ERR_DESCRIPTOR_MISMATCH`: the artifact (or blob) verified and the target the signature names. */
export interface DescriptorMismatchDetails {
  expected: TargetDetails;
  actual: Required<TargetDetails>;
}
/** `ERR_USER_METADATA_MISMATCH`: the first requested key the payload lacks. */
export interface UserMetadataMismatchDetails {
  key: string;
}
/** `ERR_VERIFICATION_PLUGIN`. */
export interface VerificationPluginDetails {
  plugin: string;
}
/** `ERR_REGISTRY_HTTP` for an HTTP status: the distribution-spec `errors[].code` values in `registryCodes`. */
export interface RegistryHttpDetails {
  operation: string;
  status: number;
  registryCodes: string[];
}
/** `ERR_DIGEST_MISMATCH`. */
export interface DigestMismatchDetails {
  expected: string;
  actual: string;
}
/**
 * `ERR_REGISTRY_HTTP` when no (complete) answer came: the URL (without its query), the kind of
 * failure and, for a passed deadline, what was waited for and how long (docs/api.md §Deadlines).
 */
export interface TransportDetails {
  url: string;
  /** `opaque`: a browser's unexplained network error (e.g. CORS); `aborted`: the caller's signal. */
  transport: 'network' | 'opaque' | 'deadline' | 'aborted';
  during?: 'firstByte' | 'idle' | 'operation';
  waitedMs?: number;
}
/**
 * `ERR_VERIFICATION_INCONCLUSIVE` from the registry: where verification was (`step`), the code
 * of what failed there (`cause`), and that failure's own details (transport or HTTP status).
 */
export type InconclusiveDetails = {
  step: 'resolve' | 'discover' | 'fetch';
  cause: NotationErrorCode;
} & (Partial<TransportDetails> & Partial<RegistryHttpDetails>);
/** `ERR_LIMIT` from a structural budget (docs/limits.md): its stable name, the budget and the count found. */
export interface LimitDetails {
  /** e.g. `cose.header.entries`, `x509.extensions`, `timestamp.signedAttributes`. */
  limit: string;
  max: number;
  found: number;
}
/** Every `details` shape the core produces. */
export type ErrorDetails =
  | SignatureExpiredDetails
  | CertValidityDetails
  | SubjectDetails
  | RevokedDetails
  | TimestampDetails
  | DescriptorMismatchDetails
  | UserMetadataMismatchDetails
  | VerificationPluginDetails
  | RegistryHttpDetails
  | DigestMismatchDetails
  | TransportDetails
  | InconclusiveDetails
  | LimitDetails;

/** Base class of every nv2 error. `code` is stable; `message` is for humans. */
export class NotationError extends Error {
  constructor(
    message: string,
    options?: { code?: NotationErrorCode; details?: ErrorDetails; cause?: unknown },
  );
  readonly code: NotationErrorCode;
  /** Structured context from the core, when available (docs/errors.md "Details"). */
  readonly details?: ErrorDetails;
}
/** An enforced verification check failed. */
export class VerificationFailedError extends NotationError {
  readonly code: VerificationFailedCode;
}
/** Verification could not reach a verdict (e.g. revocation status unknown). */
export class VerificationInconclusiveError extends NotationError {
  readonly code: VerificationInconclusiveCode;
}
/** The trust policy is invalid or has no statement for the artifact. */
export class PolicyError extends NotationError {
  readonly code: PolicyErrorCode;
}
/** The trust store is empty, malformed or unusable. */
export class TrustStoreError extends NotationError {
  readonly code: TrustStoreErrorCode;
}
/** Unparseable / unsupported input, a limit exceeded, or an invalid argument. */
export class ParseError extends NotationError {
  readonly code: ParseErrorCode;
}
/** A registry refused, failed or answered something unusable. */
export class RegistryError extends NotationError {
  readonly code: RegistryErrorCode;
}
/** Signing failed. */
export class SigningError extends NotationError {
  readonly code: SigningErrorCode;
}

/** Any nv2 error; `switch (err.code)` narrows it. */
export type AnyNotationError =
  | VerificationFailedError
  | VerificationInconclusiveError
  | PolicyError
  | TrustStoreError
  | ParseError
  | SigningError
  | RegistryError;

/** The error class for each code. */
export const ERROR_CLASS_BY_CODE: Readonly<Record<NotationErrorCode, typeof NotationError>>;
/** True when `code` is a stable nv2 error code. */
export function isNotationErrorCode(code: unknown): code is NotationErrorCode;
/** Builds the `NotationError` subclass that matches `code`. */
export function createError(
  code: NotationErrorCode,
  message: string,
  options?: { details?: ErrorDetails; cause?: unknown },
): AnyNotationError;
/** Converts an error thrown by the wasm module into a `NotationError` subclass (others unchanged). */
export function fromWasmError(err: unknown): unknown;
/** The error object for a failed check's `{ code, message }`. */
export function errorFromResult(e: CheckError): AnyNotationError;

// ---------------------------------------------------------------------------------------------
// Data shapes

/** An OCI content descriptor (the signed target). */
export interface Descriptor {
  mediaType: string;
  /** `<algorithm>:<hex>`, e.g. `sha256:…`. */
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** A trust policy document (`trustpolicy.json`, version 1.0), already parsed from JSON. */
export interface TrustPolicyDocument {
  version: '1.0' | (string & {});
  trustPolicies: TrustPolicyStatement[];
}
export type VerificationLevel = 'strict' | 'permissive' | 'audit' | 'skip';
export type CheckType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type CheckAction = 'enforce' | 'log' | 'skip';
export interface TrustPolicyStatement {
  name: string;
  /** `["*"]` or `"<registry>/<repository>"` values. */
  registryScopes: string[];
  signatureVerification: {
    level: VerificationLevel;
    override?: Partial<Record<CheckType, CheckAction>>;
    verifyTimestamp?: 'always' | 'afterCertExpiry';
  };
  /** `"ca:<name>"`, `"signingAuthority:<name>"`, `"tsa:<name>"`. */
  trustStores?: string[];
  /** `["*"]` or `"x509.subject: C=…, ST=…, O=…"` values. */
  trustedIdentities?: string[];
}

/** A certificate: a PEM string (one or more certificates) or DER bytes. */
export type CertificateInput = string | Uint8Array;
/**
 * A certificate chain, leaf first (root last): one PEM string holding one or more certificates,
 * or an array with one certificate per element (PEM strings or DER bytes), as trust stores take.
 */
export type CertificateChainInput = string | readonly CertificateInput[];
/** Named trust stores, keyed `"<type>:<name>"` (`ca`, `signingAuthority`, `tsa`). */
export type TrustStore = Record<string, CertificateInput[]>;

/** A time: a `Date`, ms since the Unix epoch, or an RFC 3339 string. */
export type TimeInput = Date | number | string;

export interface VerifyEnvelopeOptions {
  /** The envelope bytes (the signature manifest's layer blob). */
  envelope: Uint8Array | ArrayBuffer;
  /** The envelope media type: `application/jose+json` (or `application/cose`). */
  mediaType: 'application/jose+json' | 'application/cose' | (string & {});
  /** The descriptor the signature must cover (resolved from the registry by digest). */
  target: Descriptor;
  /** `registry/repository@sha256:…`, used to select the trust policy statement. */
  artifactReference: string;
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustStore;
  /**
   * Verification time; defaults to `Date.now()` at the call.
   *
   * > [!WARNING]
   * > A time in the past makes expired certificates and signatures pass; only set it on purpose.
   */
  now?: TimeInput;
  /** Key/value pairs that must be present in the signed target's annotations. */
  userMetadata?: Record<string, string>;
  /**
   * CRLs brought into an air-gapped network (PEM `X509 CRL` text or DER bytes, at most 64 of
   * 32 MiB each). When given, each non-root certificate with CRL distribution points is checked
   * against them: revoked, good, or unknown when no fresh, correctly signed CRL of its issuer is
   * among them. Without it, such certificates are "unknown" (`verifyEnvelope` fetches nothing;
   * `verify` and `verifyBlob` ask OCSP responders and CRL distribution points unless `offline`).
   */
  crls?: CrlInput[];
}

/** Online revocation (docs/revocation.md), for `verify` and `verifyBlob`. */
export interface RevocationOptions {
  /**
   * Make no revocation request: only the CRLs given (and cached) count. Default false: OCSP
   * (2 s, 20 KiB) first, then CRL downloads (5 s, 32 MiB), through `fetch`.
   */
  offline?: boolean;
  /**
   * Where downloaded CRLs are kept, by distribution-point URL (default: in memory, per module
   * instance; `false`: none). A cached CRL is used only until its nextUpdate.
   */
  revocationCache?: CrlCache | false;
}

/** What `inspectCrl` reads from a CRL (nothing in it is trusted). */
export interface CrlInfo {
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  /** CRL number (RFC 5280 §5.2.3), hex. */
  number: string | null;
  /** A delta CRL (RFC 5280 §5.2.4). */
  delta: boolean;
  /** Revoked entries listed. */
  revoked: number;
  /** Issuing distribution point URIs (RFC 5280 §5.2.5). */
  scopeUrls: string[];
  /** Freshest CRL URIs (RFC 5280 §5.2.6). */
  deltaUrls: string[];
}

export interface AttachRevocationOptions extends RegistryOptions {
  /** The CRLs to attach (PEM or DER; each must parse as a CRL; at most 64). */
  crls: CrlInput[];
}

export interface AttachedRevocation {
  /** The artifact, by digest. */
  reference: string;
  /** Digest of the revocation-data manifest pushed. */
  digest: string;
  /** Digest of the artifact it is attached to. */
  subject: string;
  /** CRLs attached. */
  crls: number;
  /** Whether the referrers tag index was written (no Referrers API). */
  referrersIndexUpdated: boolean;
  warnings: string[];
}

/**
 * Attaches CRLs to an artifact as a referrer (`application/vnd.nv2.revocation.v1`), so they travel
 * with it (copy) and `verify` can use them where no revocation server is reachable.
 */
export function attachRevocation(reference: string, opts: AttachRevocationOptions): Promise<AttachedRevocation>;

export interface DownloadCrlsOptions extends RevocationOptions {
  fetch?: typeof fetch;
  /** The time cached CRLs are judged current at (default now). */
  now?: TimeInput;
}

export interface DownloadedCrl {
  url: string;
  /** The CRL as served (DER or PEM), when the download succeeded. */
  crl?: Uint8Array;
  /** The delta CRL the base names, if any. */
  delta?: Uint8Array;
  /** Why nothing was downloaded. */
  error?: string;
}

/** Downloads CRLs as verification does (bounded; nothing is trusted until verified). */
export function downloadCrls(urls: string[], opts?: DownloadCrlsOptions): Promise<DownloadedCrl[]>;

/** Describes a CRL without trusting it; throws ERR_PARSE when it does not parse. */
export function inspectCrl(crl: CrlInput): CrlInfo;

/** A CRL cache (notation-core-go `crl.Cache`). */
export interface CrlCache {
  get(url: string): CrlBundle | undefined;
  set(url: string, bundle: CrlBundle): void;
}

/** A base CRL and its delta, DER. */
export interface CrlBundle {
  baseCRL: Uint8Array;
  deltaCRL?: Uint8Array;
}

/** One CRL: PEM text or DER bytes. */
export type CrlInput = string | Uint8Array;

export interface CheckError {
  code: NotationErrorCode;
  message: string;
  /** Structured context (docs/errors.md "Details"). */
  details?: ErrorDetails;
  /**
   * Where verification stopped (on `VerificationOutcome.error` only): the failed check, or
   * `plugin` (a verification plugin is required), `descriptor` (the payload signs another
   * artifact) or `user-metadata` (required metadata is missing).
   */
  stage?: FailureStage;
}

/** The verification step that decided `verified: false`. */
export type FailureStage = CheckType | 'plugin' | 'descriptor' | 'user-metadata';

export interface CheckResult {
  type: CheckType;
  action: CheckAction;
  ok: boolean;
  error?: CheckError;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Lower-case hex SHA-256 of the DER. */
  thumbprint: string;
  notBefore: string;
  notAfter: string;
  serial: string;
  /** OCSP responders the certificate names (authorityInfoAccess). */
  ocspUrls: string[];
  /** CRL distribution points the certificate names. */
  crlUrls: string[];
}

export interface SignerInfo {
  subject: string;
  issuer: string;
  /** SHA-256 thumbprints of the chain, leaf first. */
  thumbprints: string[];
  chain: CertificateInfo[];
}

export interface VerificationOutcome {
  verified: boolean;
  verificationLevel: VerificationLevel;
  /** The name of the trust policy statement that applied. */
  policyName: string;
  results: CheckResult[];
  signer: SignerInfo | null;
  /**
   * True when integrity and authenticity both passed and were enforced or logged, not skipped:
   * the bar for showing `signer` as a verified signer (an `audit` or `skip` pass is not one).
   */
  signerAuthenticated: boolean;
  signingScheme?: 'notary.x509' | 'notary.x509.signingAuthority' | (string & {}) | null;
  signingTime?: string | null;
  expiry?: string | null;
  algorithm?: SignatureAlgorithm | null;
  targetArtifact?: Descriptor | null;
  mediaType?: string | null;
  /** The enforced failure that decided `verified: false`. */
  error?: CheckError;
  /** Logged (non-enforced) failures and other notes. */
  warnings: string[];
}

export type SignatureAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export type KeySpec = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-256' | 'EC-384' | 'EC-521';

/**
 * A host-side signer: the key never enters the wasm module. `sign` receives the exact bytes to
 * sign and returns the raw signature: for ES* the fixed-length `r || s` (WebCrypto's format; in
 * Node use `dsaEncoding: 'ieee-p1363'`), for PS* RSASSA-PSS with salt length = hash length.
 */
export interface Signer {
  sign(
    toBeSigned: Uint8Array<ArrayBuffer>,
    info: { algorithm: SignatureAlgorithm; keySpec: KeySpec; signatureFormat: 'jws' | 'cose' },
  ): Promise<Uint8Array | ArrayBuffer> | Uint8Array | ArrayBuffer;
}

interface SignOptionsBase {
  /** The descriptor to sign (the artifact's manifest descriptor). */
  target: Descriptor;
  /** The certificate chain, leaf first (root last): PEM text, or PEM strings / DER bytes. */
  certChain: CertificateChainInput;
  /** Defaults to now. */
  signingTime?: TimeInput;
  /** Optional signature expiry (must be after signingTime). */
  expiry?: TimeInput;
  /** User metadata, placed in the signed target's annotations. */
  annotations?: Record<string, string>;
  /** `io.cncf.notary.signingAgent` (informational). */
  signingAgent?: string;
  /**
   * The envelope format (notation's `--signature-format`): `jws` (default,
   * `application/jose+json`) or `cose` (COSE_Sign1, `application/cose`).
   */
  signatureFormat?: SignatureFormat;
  /** @deprecated the older name of `signatureFormat`. */
  format?: SignatureFormat;
}

/** A signature envelope format. */
export type SignatureFormat = 'jws' | 'cose';
/** The media type of each envelope format. */
export type EnvelopeMediaType = 'application/jose+json' | 'application/cose';

export interface SignWithKeyOptions extends SignOptionsBase {
  /**
   * PEM private key (PKCS#8, SEC1 or PKCS#1).
   *
   * > [!WARNING]
   * > The key is copied into WebAssembly memory. Use `signer` to keep keys in WebCrypto / a KMS.
   */
  key: string;
  signer?: never;
}
export interface SignWithSignerOptions extends SignOptionsBase {
  signer: Signer;
  key?: never;
}
export type SignDescriptorOptions = SignWithKeyOptions | SignWithSignerOptions;
export type PrepareSignatureOptions = SignOptionsBase;

export interface SignatureResult {
  /** The envelope bytes (the signature manifest's layer). */
  envelope: Uint8Array<ArrayBuffer>;
  mediaType: EnvelopeMediaType;
  /** The signature manifest (an OCI image manifest with `subject` = target). */
  manifest: Uint8Array<ArrayBuffer>;
  manifestDescriptor: Descriptor & { artifactType: string };
  /** The envelope blob descriptor (the manifest's single layer). */
  signatureDescriptor: Descriptor;
}

/** The handle of a two-phase signature (see `prepareSignature`). */
export interface PendingSignature {
  /** The exact bytes the signer must sign (a fresh copy; usable with WebCrypto directly). */
  readonly toBeSigned: Uint8Array<ArrayBuffer>;
  readonly algorithm: SignatureAlgorithm;
  readonly keySpec: KeySpec;
  /** The envelope being produced (`toBeSigned` is the JWS signing input or the COSE Sig_structure). */
  readonly signatureFormat: SignatureFormat;
  /** Completes the envelope; throws `SigningError` (`ERR_SIGNING`) if the signature is wrong. */
  finish(signature: Uint8Array): SignatureResult;
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// Functions

/** Browser/worker/bundler inputs accepted by `init()`. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | Promise<Response>
  | BufferSource
  | WebAssembly.Module;

/**
 * Loads the WebAssembly module. Required once in browsers before any other call; a no-op in
 * Node. URLs are fetched with `integrity: WASM_SRI` unless `options.integrity` is `false`.
 *
 * @example
 * ```ts
 * import { init, version } from 'nv2';
 * await init();
 * console.log(version());
 * ```
 */
export function init(input?: InitInput, options?: { integrity?: string | false }): Promise<void>;
/** True once the module is loaded. */
export function isInitialized(): boolean;
/** Subresource Integrity hash (`sha384-…`) of the packaged `.wasm`. */
export const WASM_SRI: string;
/** The nv2 version. */
export function version(): string;

/**
 * Verifies one signature envelope. Returns the outcome; throws (`PolicyError`,
 * `TrustStoreError`, `ParseError`) only for invalid inputs.
 *
 * @example
 * ```ts
 * const outcome = verifyEnvelope({ envelope, mediaType: 'application/jose+json', target,
 *   artifactReference: 'registry.example/app@' + target.digest, trustPolicy, trustStore });
 * if (!outcome.verified) throw errorFromResult(outcome.error!);
 * ```
 */
export function verifyEnvelope(opts: VerifyEnvelopeOptions): VerificationOutcome;
/** Returns the outcome if verified, else throws its error as a `NotationError` subclass. */
export function assertVerified(outcome: VerificationOutcome): VerificationOutcome;

/**
 * Signs a descriptor, with a PEM `key` or a host `signer`.
 *
 * @example
 * ```ts
 * const { envelope, manifest } = await signDescriptor({ target, certChain, signer: {
 *   sign: async (b) => new Uint8Array(await crypto.subtle.sign(
 *     { name: 'ECDSA', hash: 'SHA-256' }, privateKey, b)) } });
 * ```
 */
export function signDescriptor(opts: SignDescriptorOptions): Promise<SignatureResult>;
/** Low-level two-phase signing; prefer `signDescriptor({ signer })`. Call `free()` when done. */
export function prepareSignature(opts: PrepareSignatureOptions): PendingSignature;

// ---------------------------------------------------------------------------------------------
// Registry API (through `fetch`)

/** `{ "host:port": { username, password } }` or a callback asked once per call. */
export type Credentials =
  | Record<string, { username: string; password: string }>
  | ((registry: string) => Promise<{ username: string; password: string } | null | undefined>);

/** Deadlines in milliseconds, each optional (the others keep their defaults). */
export interface Timeout {
  /** From sending a request to its response headers (also bounds connecting). */
  firstByteMs?: number;
  /** The longest pause between two body chunks. */
  idleMs?: number;
  /** The whole operation, fixed (instead of the default that grows with the bytes moved). */
  operationMs?: number;
}

export interface RegistryOptions {
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Plain HTTP for every registry (loopback registries use it by default). */
  plainHttp?: boolean;
  credentials?: Credentials;
  /** Signatures examined at most (default 100). */
  maxSignatures?: number;
  /**
   * Signature checks (envelopes, certificate links, timestamps, CRLs) of one verification, all
   * examined signatures together (default 1024); when they run out the rest are not examined and
   * an unverified result is inconclusive (`step: 'verify'`).
   */
  maxSignatureChecks?: number;
  /**
   * Aborts every request of the operation (it then fails with `ERR_REGISTRY_HTTP`, `details.transport:
   * 'aborted'`; verify: inconclusive). Combined with the deadlines.
   */
  signal?: AbortSignal;
  /**
   * Deadlines (docs/api.md §Deadlines). A number (ms) caps everything: the whole operation and each
   * wait within it. An object sets the deadlines it names. Defaults: first byte 30 s, idle 30 s,
   * operation 120 s + 1 s per 256 KiB it may move. A passed deadline is `ERR_REGISTRY_HTTP` with
   * {@link TransportDetails}; in verify, `ERR_VERIFICATION_INCONCLUSIVE`.
   */
  timeout?: number | Timeout;
  /**
   * Share content fetched by digest (checked) and recent Referrers API answers with other calls
   * in this module instance (default true). Tags and referrers listings are always fetched.
   */
  cache?: boolean;
}

export type SignReferenceOptions = RegistryOptions &
  (Omit<SignWithKeyOptions, 'target'> | Omit<SignWithSignerOptions, 'target'>);

export interface PushedSignature {
  reference: string;
  digest: string;
  target: Descriptor;
  manifestDescriptor: Descriptor;
  signatureDescriptor: Descriptor;
  referrersIndexUpdated: boolean;
  warnings: string[];
}

export interface VerifyReferenceOptions extends RegistryOptions, RevocationOptions {
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustStore;
  now?: TimeInput;
  userMetadata?: Record<string, string>;
  /** CRLs for air-gapped revocation checks, as in {@link VerifyEnvelopeOptions.crls}. */
  crls?: CrlInput[];
}

export interface ArtifactVerification {
  reference: string;
  digest: string;
  target: Descriptor;
  verified: boolean;
  inconclusive: boolean;
  verificationLevel: VerificationLevel;
  policyName: string;
  warnings: string[];
  signatures: { descriptor: Descriptor; outcome: VerificationOutcome | null; error?: CheckError }[];
  verifiedSignature: VerificationOutcome | null;
  /**
   * When no signature verified: the most specific of the signatures' failures (docs/errors.md),
   * or, when the signatures could not be discovered (`inconclusive`, `signatures` empty), why.
   */
  error: CheckError | null;
}

export interface SignatureListing {
  reference: string;
  digest: string;
  target: Descriptor;
  signatures: Descriptor[];
  viaTagSchema: boolean;
  warnings: string[];
}

export interface SignatureInspection {
  descriptor: Descriptor;
  annotations: Record<string, string>;
  mediaType?: string;
  envelopeDescriptor?: Descriptor;
  algorithm?: SignatureAlgorithm;
  signingScheme?: string;
  signingTime?: string | null;
  expiry?: string | null;
  signingAgent?: string | null;
  timestamped?: boolean;
  chain?: CertificateInfo[];
  /** The signed target descriptor, present when the envelope verifies under its own leaf
   * (integrity only; the signer is not trusted by this). */
  signedTarget?: Descriptor;
  /** The signed user metadata (the target's annotations), under the same condition. */
  userMetadata?: Record<string, string>;
  error?: CheckError;
}

export interface Inspection {
  reference: string;
  digest: string;
  target: Descriptor;
  signatures: SignatureInspection[];
  warnings: string[];
}

/** Signs the artifact `reference` names and pushes the signature beside it. */
export function sign(reference: string, opts: SignReferenceOptions): Promise<PushedSignature>;
/** Verifies the artifact `reference` names, as `notation verify` does. */
export function verify(reference: string, opts: VerifyReferenceOptions): Promise<ArtifactVerification>;
/** Lists the Notary signatures of `reference`. */
export function listSignatures(reference: string, opts?: RegistryOptions): Promise<SignatureListing>;
/** Reads the signatures of `reference` without trusting them. */
export function inspect(reference: string, opts?: RegistryOptions): Promise<Inspection>;

export type CopyEvent =
  | { type: 'plan'; manifests: number; referrers: number; blobs: number; bytes: number }
  | { type: 'blob-progress'; digest: string; size: number; sent: number }
  | { type: 'blob'; digest: string; size: number; mediaType: string; status: 'copied' | 'mounted' | 'skipped' }
  | {
      type: 'manifest';
      digest: string;
      size: number;
      mediaType: string;
      artifactType: string | null;
      referrer: boolean;
      status: 'copied' | 'skipped';
    };

export interface CopyOptions extends RegistryOptions {
  /** Copy the referrers graph (signatures, signatures on signatures). Default true. */
  referrers?: boolean;
  /** Blobs copied at once (1-64, default 4). */
  concurrency?: number;
  /** Bytes per chunk when blobs are copied in ranged chunks (default 8 MiB). */
  chunkSize?: number;
  /**
   * Node: stream each blob from source to destination in one request, hashed on the way
   * (default true). Browsers always copy in ranged chunks.
   */
  streamUploads?: boolean;
  onProgress?: (event: CopyEvent) => void;
}

export interface CopyReport {
  source: { reference: string; digest: string; mediaType: string; size: number };
  destination: { reference: string; digest: string; tag: string | null };
  manifests: { copied: number; skipped: number };
  referrers: { copied: number; skipped: number };
  blobs: { copied: number; mounted: number; skipped: number };
  /** Blob bytes streamed. */
  bytes: number;
  /** Referrers tag indexes written at the destination. */
  referrersIndexUpdates: number;
  warnings: string[];
}

/** Copies an artifact with its blobs and signatures to another repository or registry. */
export function copy(source: string, destination: string, opts?: CopyOptions): Promise<CopyReport>;

export interface TrustPolicySummary {
  version: string;
  statements: {
    name: string;
    level: VerificationLevel;
    registryScopes: string[];
    trustStores: string[];
    trustedIdentities: string[] | null;
  }[];
}
/** Validates a trust policy document; throws PolicyError (ERR_POLICY_INVALID) when invalid. */
export function validateTrustPolicy(trustPolicy: TrustPolicyDocument): TrustPolicySummary;

// ---------------------------------------------------------------------------------------------
// Blob signing (detached signatures, `<file>.jws.sig` / `<file>.cose.sig`)

/**
 * A blob: bytes, a `Blob`/`File`, a `ReadableStream` of bytes, or an (async) iterable of byte
 * chunks (e.g. Node's `fs.createReadStream`). Chunks are hashed as they arrive; the blob is never
 * held whole unless given as bytes.
 */
export type BlobInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | ArrayBuffer>
  | Iterable<Uint8Array | ArrayBuffer>;

/** notation's default blob media type, `application/octet-stream`. */
export const DEFAULT_BLOB_MEDIA_TYPE: 'application/octet-stream';

interface SignBlobOptionsBase {
  blob: BlobInput;
  /** The blob's media type (default `application/octet-stream`). */
  mediaType?: string;
  /** The certificate chain, leaf first (root last): PEM text, or PEM strings / DER bytes. */
  certChain: CertificateChainInput;
  /** Defaults to now. */
  signingTime?: TimeInput;
  /** Optional signature expiry (must be after signingTime). */
  expiry?: TimeInput;
  /** User metadata, placed in the signed blob descriptor's annotations. */
  annotations?: Record<string, string>;
  /** `io.cncf.notary.signingAgent` (informational). */
  signingAgent?: string;
  /** `jws` (default, `<file>.jws.sig`) or `cose` (`<file>.cose.sig`). */
  signatureFormat?: SignatureFormat;
}
export interface SignBlobWithKeyOptions extends SignBlobOptionsBase {
  /** PEM private key (PKCS#8, SEC1 or PKCS#1); copied into WebAssembly memory. */
  key: string;
  signer?: never;
}
export interface SignBlobWithSignerOptions extends SignBlobOptionsBase {
  signer: Signer;
  key?: never;
}
export type SignBlobOptions = SignBlobWithKeyOptions | SignBlobWithSignerOptions;

export interface BlobSignature {
  /** The detached envelope: the content of `<file>.jws.sig` (or `<file>.cose.sig`). */
  envelope: Uint8Array<ArrayBuffer>;
  mediaType: EnvelopeMediaType;
  /** The signed blob descriptor (the payload's `targetArtifact`). */
  descriptor: Descriptor;
}

/** A blob trust policy document (`trustpolicy.blob.json`, version 1.0). */
export interface BlobTrustPolicyDocument {
  version: '1.0' | (string & {});
  trustPolicies: BlobTrustPolicyStatement[];
}
export interface BlobTrustPolicyStatement {
  name: string;
  /** The statement used when no policy name is given (at most one). */
  globalPolicy?: boolean;
  signatureVerification: TrustPolicyStatement['signatureVerification'];
  trustStores?: string[];
  trustedIdentities?: string[];
}

export interface VerifyBlobOptions extends RevocationOptions {
  blob: BlobInput;
  /** The detached envelope (the `.jws.sig` / `.cose.sig` file's bytes). */
  signature: Uint8Array | ArrayBuffer;
  /** Envelope format; by default detected from the bytes (JSON → jws, else cose). */
  signatureFormat?: 'jws' | 'cose';
  /** When given, the signed blob media type must equal it. */
  mediaType?: string;
  trustPolicy: BlobTrustPolicyDocument;
  /** The statement to use; default: the global statement. */
  policyName?: string;
  trustStore: TrustStore;
  /** Verification time; defaults to `Date.now()` at the call. */
  now?: TimeInput;
  /** Key/value pairs the signed descriptor's annotations must carry. */
  userMetadata?: Record<string, string>;
  /** CRLs for air-gapped revocation checks (as `verifyEnvelope`). */
  crls?: (string | Uint8Array)[];
  /** The fetch used for OCSP and CRL downloads (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Deadlines of the revocation requests, as the registry operations' `timeout`. */
  timeout?: RegistryOptions['timeout'];
}

export interface BlobSignatureInspection {
  mediaType: 'application/jose+json' | 'application/cose';
  signatureAlgorithm: SignatureAlgorithm;
  signedAttributes: {
    contentType: string;
    signingScheme: 'notary.x509' | 'notary.x509.signingAuthority';
    signingTime: string | null;
    expiry: string | null;
    verificationPlugin: string | null;
    verificationPluginMinVersion: string | null;
    /** Extended (non-Notary) protected attributes. */
    extended: Record<string, unknown>;
  };
  unsignedAttributes: {
    signingAgent: string | null;
    /** The RFC 3161 countersignature, base64. */
    timestampSignature: string | null;
  };
  certificates: CertificateInfo[];
  /** The signed blob descriptor; null when the envelope does not verify under its own leaf. */
  signedArtifact: Descriptor | null;
  /** Why `signedArtifact` is null. */
  payloadError?: string;
}

export interface BlobTrustPolicySummary {
  version: string;
  statements: { name: string; level: VerificationLevel; globalPolicy: boolean; trustStores: string[] }[];
}

/** Signs a blob, giving the detached envelope for `<file>.jws.sig` (or `<file>.cose.sig`). */
export function signBlob(opts: SignBlobOptions): Promise<BlobSignature>;
/**
 * Verifies a detached blob signature against a blob trust policy. Resolves to the outcome
 * (check `outcome.verified`); a changed blob fails with `ERR_DESCRIPTOR_MISMATCH`.
 */
export function verifyBlob(opts: VerifyBlobOptions): Promise<VerificationOutcome>;
/** Reads a detached blob signature without trusting it (throws ParseError when it does not parse). */
export function inspectBlobSignature(
  signature: Uint8Array | ArrayBuffer,
  opts?: { signatureFormat?: 'jws' | 'cose' },
): BlobSignatureInspection;
/** Validates a blob trust policy document; throws PolicyError (ERR_POLICY_INVALID) when invalid. */
export function validateBlobTrustPolicy(trustPolicy: BlobTrustPolicyDocument): BlobTrustPolicySummary;
