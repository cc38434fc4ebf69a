// Test certificates for `nv2 cert generate-test`: a self-signed CA and a leaf issued by it, both
// with the Notary Project code-signing profile. Node can sign but has no X.509 builder, so this file
// holds a minimal DER (ITU-T X.690) encoder for exactly these two certificates (RFC 5280 §4.1).
//
//   CA:   basicConstraints CA:TRUE (critical), keyUsage keyCertSign (critical), subjectKeyIdentifier
//   leaf: basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical),
//         extKeyUsage codeSigning, subjectKeyIdentifier, authorityKeyIdentifier
//
// Signatures: ECDSA keys sign with ecdsa-with-SHA256/384/512 (by curve size; DER-encoded r,s as
// node:crypto produces by default), RSA keys with sha256WithRSAEncryption (PKCS#1 v1.5).
import * as crypto from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// DER primitives. Every function returns a Buffer holding one complete TLV.

/** Definite-length encoding: short form below 128, else 0x80|n followed by n length bytes. */
function derLength(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, content) => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);

const sequence = (...items) => tlv(0x30, Buffer.concat(items));
const set = (...items) => tlv(0x31, Buffer.concat(items));
const nullValue = () => tlv(0x05, Buffer.alloc(0));
const octetString = (bytes) => tlv(0x04, Buffer.from(bytes));
/** BOOLEAN TRUE (DER: 0xff). FALSE is never encoded here: DER omits DEFAULT FALSE fields. */
const booleanTrue = () => tlv(0x01, Buffer.from([0xff]));
/** Context-specific constructed [n] EXPLICIT wrapper. */
const explicit = (n, inner) => tlv(0xa0 | n, inner);

/** INTEGER from unsigned big-endian bytes: minimal, with a 0x00 pad when the top bit is set. */
function integer(bytes) {
  let b = Buffer.from(bytes);
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

/** BIT STRING of whole bytes (0 unused bits), e.g. a public key or a signature. */
const bitString = (bytes) => tlv(0x03, Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]));

/**
 * A NamedBitList BIT STRING (keyUsage): bit 0 is the most significant bit of the first byte.
 * DER drops trailing zero bits, so the "unused bits" count is that of the last set bit.
 */
function namedBits(bitNumbers) {
  const last = Math.max(...bitNumbers);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const n of bitNumbers) bytes[n >> 3] |= 0x80 >> (n & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (last & 7)]), bytes]));
}

/** OBJECT IDENTIFIER: first two arcs as 40*a+b, every arc base-128 with continuation bits. */
function oid(dotted) {
  const arcs = dotted.split('.').map(Number);
  const out = [];
  const push128 = (v) => {
    const tmp = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift(0x80 | (v & 0x7f));
    out.push(...tmp);
  };
  push128(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push128(a);
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Z. */
function time(date) {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'; // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

// ---------------------------------------------------------------------------------------------
// X.509 structures

const OID = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  CN: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
};

/**
 * Name: RDNSequence of single-attribute RDNs in the given order. C is a PrintableString (X.520),
 * the others UTF8String.
 */
function name(attrs) {
  return sequence(
    ...attrs.map(([type, value]) =>
      set(sequence(oid(OID[type]), tlv(type === 'C' ? 0x13 : 0x0c, Buffer.from(value, 'utf8')))),
    ),
  );
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
const extension = (id, critical, value) =>
  critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));

/** Signature algorithm and hash for a signing key (see the header comment). */
function signatureAlgorithm(privateKey) {
  const type = privateKey.asymmetricKeyType;
  if (type === 'ec') {
    const curve = privateKey.asymmetricKeyDetails.namedCurve;
    const hash = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' }[curve];
    if (!hash) throw new Error(`unsupported EC curve ${curve}`);
    const id = { sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512 }[hash];
    return { hash, algId: sequence(oid(id)) }; // RFC 5758: parameters absent
  }
  if (type === 'rsa') {
    return { hash: 'sha256', algId: sequence(oid(OID.sha256WithRSAEncryption), nullValue()) };
  }
  throw new Error(`unsupported key type ${type}`);
}

/**
 * Key identifier: SHA-1 over the whole DER SubjectPublicKeyInfo. RFC 5280 §4.2.1.2 allows any
 * method that yields a unique value; hashing the SPKI needs no extra parsing.
 */
function keyIdentifier(spkiDer) {
  return crypto.createHash('sha1').update(spkiDer).digest();
}

/** Random positive 16-byte serial (RFC 5280 allows up to 20 octets). */
function serialNumber() {
  const b = crypto.randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01; // positive, and never a leading zero byte
  return b;
}

/**
 * Builds and signs one certificate. Returns the DER bytes.
 * subject/issuer: [[type, value], ...]; publicKey: KeyObject; signingKey: issuer's private KeyObject.
 */
function buildCertificate({ subject, issuer, publicKey, signingKey, notBefore, notAfter, extensions }) {
  const { hash, algId } = signatureAlgorithm(signingKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, integer([2])), // version v3
    integer(serialNumber()),
    algId,
    name(issuer),
    sequence(time(notBefore), time(notAfter)),
    name(subject),
    spki, // SubjectPublicKeyInfo exactly as node:crypto exports it
    explicit(3, sequence(...extensions)),
  );
  const signature = crypto.sign(hash, tbs, signingKey); // ECDSA: DER Ecdsa-Sig-Value; RSA: PKCS#1 v1.5
  return sequence(tbs, algId, bitString(signature));
}

export const KEY_TYPES = ['p256', 'p384', 'p521', 'rsa2048', 'rsa3072', 'rsa4096'];

function generateKeyPair(keyType) {
  const curve = { p256: 'P-256', p384: 'P-384', p521: 'P-521' }[keyType];
  if (curve) return crypto.generateKeyPairSync('ec', { namedCurve: curve });
  const bits = { rsa2048: 2048, rsa3072: 3072, rsa4096: 4096 }[keyType];
  if (bits) return crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  throw new Error(`unknown key type ${keyType} (use one of ${KEY_TYPES.join(', ')})`);
}

const toPem = (der) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

/**
 * Generates a test CA and a code-signing leaf for `commonName`.
 * Returns { caCertPem, caKeyPem, leafCertPem, leafKeyPem } (keys: PKCS#8 PEM).
 */
export function generateTestCertificates(commonName, { keyType = 'p256', now = new Date(), days = 365 } = {}) {
  const ca = generateKeyPair(keyType);
  const leaf = generateKeyPair(keyType);
  const base = [['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'Notary']];
  const caName = [...base, ['CN', `${commonName} CA`]];
  const leafName = [...base, ['CN', commonName]];
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
  const caNotAfter = new Date(notBefore.getTime() + (days + 1) * 86_400_000);
  const leafNotAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const caKeyId = keyIdentifier(ca.publicKey.export({ type: 'spki', format: 'der' }));
  const leafKeyId = keyIdentifier(leaf.publicKey.export({ type: 'spki', format: 'der' }));

  const caDer = buildCertificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter: caNotAfter,
    extensions: [
      extension(OID.basicConstraints, true, sequence(booleanTrue())), // cA TRUE, no pathLen
      extension(OID.keyUsage, true, namedBits([5])), // keyCertSign (bit 5)
      extension(OID.subjectKeyIdentifier, false, octetString(caKeyId)),
    ],
  });
  const leafDer = buildCertificate({
    subject: leafName,
    issuer: caName,
    publicKey: leaf.publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter: leafNotAfter,
    extensions: [
      extension(OID.basicConstraints, true, sequence()), // cA FALSE is the DEFAULT: empty SEQUENCE
      extension(OID.keyUsage, true, namedBits([0])), // digitalSignature (bit 0)
      extension(OID.extKeyUsage, false, sequence(oid(OID.codeSigning))),
      extension(OID.subjectKeyIdentifier, false, octetString(leafKeyId)),
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
      extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, caKeyId))),
    ],
  });
  return {
    caCertPem: toPem(caDer),
    caKeyPem: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    leafCertPem: toPem(leafDer),
    leafKeyPem: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  };
}
