// Compile-only checks of the public types (`tsc --noEmit`, run by `make test-types` inside the
// consumer project, so 'nv2' resolves through the installed package's exports map "types").
import {
  ERROR_CODES,
  NotationError,
  ParseError,
  PolicyError,
  SigningError,
  TrustStoreError,
  VerificationFailedError,
  VerificationInconclusiveError,
  WASM_SRI,
  assertVerified,
  init,
  isInitialized,
  listSignatures,
  prepareSignature,
  signDescriptor,
  verify,
  verifyEnvelope,
  version,
  type AnyNotationError,
  type InconclusiveDetails,
  type Timeout,
  type TransportDetails,
  type Descriptor,
  type NotationErrorCode,
  type PendingSignature,
  type SignatureResult,
  type Signer,
  type TrustPolicyDocument,
  type VerificationOutcome,
} from 'nv2';

declare const bytes: Uint8Array;
declare const privateKey: CryptoKey;

async function main(): Promise<void> {
  await init();
  await init(new URL('https://cdn.example/nv2_wasm_bg.wasm'), { integrity: false });
  const sri: string = WASM_SRI;
  const ready: boolean = isInitialized();
  const v: string = version();

  const target: Descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: 'sha256:00',
    size: 1,
  };
  const trustPolicy: TrustPolicyDocument = {
    version: '1.0',
    trustPolicies: [
      {
        name: 'p',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict', override: { revocation: 'skip' } },
        trustStores: ['ca:test'],
        trustedIdentities: ['*'],
      },
    ],
  };

  const outcome: VerificationOutcome = verifyEnvelope({
    envelope: bytes,
    mediaType: 'application/jose+json',
    target,
    artifactReference: `localhost:5000/app@${target.digest}`,
    trustPolicy,
    trustStore: { 'ca:test': ['-----BEGIN CERTIFICATE-----…', bytes] },
    now: new Date(),
    userMetadata: { team: 'a' },
  });
  verifyEnvelope({ envelope: bytes, mediaType: 'application/cose', target, artifactReference: '', trustPolicy, trustStore: {}, now: 0 });
  verifyEnvelope({ envelope: bytes, mediaType: 'x', target, artifactReference: '', trustPolicy, trustStore: {}, now: '2024-01-01T00:00:00Z' });

  if (outcome.verified) {
    const lvl: 'strict' | 'permissive' | 'audit' | 'skip' = outcome.verificationLevel;
    for (const r of outcome.results) {
      const t: 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation' = r.type;
      if (!r.ok && r.error) {
        const c: NotationErrorCode = r.error.code;
      }
    }
    const thumbs: string[] | undefined = outcome.signer?.thumbprints;
    const subject: string | undefined = outcome.signer?.chain[0]?.subject;
  }
  const w: string[] = assertVerified(outcome).warnings;

  // Signing with a key, or with a host signer (WebCrypto).
  const r1: SignatureResult = await signDescriptor({ target, key: '-----BEGIN PRIVATE KEY-----', certChain: '' });
  const signer: Signer = {
    async sign(toBeSigned, info) {
      const hash = info.algorithm === 'ES384' ? 'SHA-384' : 'SHA-256';
      return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, privateKey, toBeSigned));
    },
  };
  const r2 = await signDescriptor({
    target,
    certChain: '',
    signer,
    signingTime: new Date(),
    expiry: Date.now() + 1000,
    annotations: { a: 'b' },
    signingAgent: 'x',
  });
  const env: Uint8Array = r2.envelope;
  const art: string = r2.manifestDescriptor.artifactType;
  // @ts-expect-error key and signer are mutually exclusive
  await signDescriptor({ target, certChain: '', key: 'k', signer });
  // @ts-expect-error one of key / signer is required
  await signDescriptor({ target, certChain: '' });
  // @ts-expect-error the level must be one of the four
  const bad: TrustPolicyDocument = { version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'lenient' } }] };

  const pending: PendingSignature = prepareSignature({ target, certChain: '', signatureFormat: 'cose' });
  const fmt: 'jws' | 'cose' = pending.signatureFormat;
  const r3 = await signDescriptor({ target, key: 'k', certChain: '', signatureFormat: 'cose' });
  const coseType: 'application/jose+json' | 'application/cose' = r3.mediaType;
  void [fmt, coseType];
  // @ts-expect-error only jws and cose exist
  await signDescriptor({ target, key: 'k', certChain: '', signatureFormat: 'cms' });
  // certChain: one PEM string, PEM strings or DER bytes (leaf first), as trust stores take them.
  await signDescriptor({ target, key: 'k', certChain: ['-----BEGIN CERTIFICATE-----', '…'] });
  prepareSignature({ target, certChain: [new Uint8Array(1), new Uint8Array(2)] });
  // @ts-expect-error a certificate is PEM text or DER bytes, not a number
  await signDescriptor({ target, key: 'k', certChain: [42] });
  const alg: 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' = pending.algorithm;
  const tbs: Uint8Array = pending.toBeSigned;
  const done: SignatureResult = pending.finish(bytes);
  pending.free();

  void [sri, ready, v, w, r1, env, art, bad, alg, tbs, done];
}

// Error handling: classes, codes, narrowing.
function handle(err: unknown): string {
  if (err instanceof VerificationFailedError) {
    switch (err.code) {
      case 'ERR_SIGNATURE_INTEGRITY':
      case 'ERR_CERT_EXPIRED':
        return err.message;
      // @ts-expect-error not a verification-failed code
      case 'ERR_SIGNING':
        return '';
      default:
        return err.code;
    }
  }
  if (err instanceof PolicyError) {
    const c: 'ERR_POLICY_INVALID' | 'ERR_NO_APPLICABLE_TRUST_POLICY' = err.code;
    return c;
  }
  if (err instanceof SigningError || err instanceof ParseError || err instanceof TrustStoreError) return err.code;
  if (err instanceof VerificationInconclusiveError) {
    const c: 'ERR_VERIFICATION_INCONCLUSIVE' = err.code;
    return c;
  }
  if (err instanceof NotationError) {
    const d: unknown = err.details;
    return err.code;
  }
  return String(err);
}

function narrow(e: AnyNotationError): void {
  if (e.code === 'ERR_TRUST_STORE') {
    const t: TrustStoreError = e;
    void t;
  }
}

// Deadlines: a number or per-deadline milliseconds, with the caller's signal.
async function deadlines(signal: AbortSignal): Promise<void> {
  const t: Timeout = { firstByteMs: 1000, idleMs: 2000, operationMs: 60_000 };
  await listSignatures('localhost:5000/a:v1', { timeout: 1500, signal });
  await listSignatures('localhost:5000/a:v1', { timeout: t });
  // @ts-expect-error not a deadline
  await listSignatures('localhost:5000/a:v1', { timeout: { soon: 1 } });
  const v = await verify('localhost:5000/a:v1', { trustPolicy: {} as TrustPolicyDocument, trustStore: {}, timeout: t });
  if (v.inconclusive && v.error?.details) {
    const d = v.error.details as InconclusiveDetails;
    const step: 'resolve' | 'discover' | 'fetch' = d.step;
    const during: 'firstByte' | 'idle' | 'operation' | undefined = d.during;
    void [step, during];
  }
  const td: TransportDetails = { url: 'http://x/v2/', transport: 'deadline', during: 'idle', waitedMs: 1 };
  void td;
}

const codes: readonly NotationErrorCode[] = ERROR_CODES;
// @ts-expect-error not a code
const notACode: NotationErrorCode = 'ERR_NOPE';
void [main, handle, narrow, codes, notACode, deadlines];
