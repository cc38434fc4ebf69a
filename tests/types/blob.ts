// Compile-only checks of the blob signing types (`tsc --noEmit` through the installed package).
import {
  DEFAULT_BLOB_MEDIA_TYPE,
  inspectBlobSignature,
  signBlob,
  validateBlobTrustPolicy,
  verifyBlob,
  type BlobSignature,
  type BlobSignatureInspection,
  type BlobTrustPolicyDocument,
  type VerificationOutcome,
} from 'nv2';

declare const bytes: Uint8Array;
declare const pem: string;
declare const file: Blob;
declare function chunks(): AsyncIterable<Uint8Array>;

const mt: 'application/octet-stream' = DEFAULT_BLOB_MEDIA_TYPE;

const policy: BlobTrustPolicyDocument = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'releases',
      globalPolicy: true,
      signatureVerification: { level: 'strict', override: { revocation: 'log' } },
      trustStores: ['ca:releases'],
      trustedIdentities: ['*'],
    },
  ],
};

export async function blobApi(): Promise<void> {
  const signed: BlobSignature = await signBlob({ blob: chunks(), key: pem, certChain: pem, mediaType: mt });
  const env: Uint8Array<ArrayBuffer> = signed.envelope;
  const digest: string = signed.descriptor.digest;
  await signBlob({
    blob: file,
    certChain: pem,
    signer: { sign: async (tbs) => tbs },
    annotations: { buildId: '1' },
    expiry: new Date(),
  });
  const outcome: VerificationOutcome = await verifyBlob({
    blob: bytes,
    signature: env,
    trustPolicy: policy,
    trustStore: { 'ca:releases': [pem] },
    policyName: 'releases',
    userMetadata: { buildId: '1' },
  });
  const ok: boolean = outcome.verified;
  const info: BlobSignatureInspection = inspectBlobSignature(env, { signatureFormat: 'jws' });
  const size: number | undefined = info.signedArtifact?.size;
  const names: string[] = validateBlobTrustPolicy(policy).statements.map((s) => s.name);
  void [digest, ok, size, names];
  const cose = await signBlob({ blob: bytes, key: pem, certChain: pem, signatureFormat: 'cose' });
  const coseType: 'application/jose+json' | 'application/cose' = cose.mediaType;
  void coseType;
  // @ts-expect-error only jws and cose exist
  await signBlob({ blob: bytes, key: pem, certChain: pem, signatureFormat: 'x509' });
  // @ts-expect-error key and signer are exclusive
  await signBlob({ blob: bytes, key: pem, signer: { sign: (b) => b }, certChain: pem });
}
