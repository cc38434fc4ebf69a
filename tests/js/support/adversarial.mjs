// Adversarial inputs for the structural budgets (docs/limits.md), shared by
// tests/js/budgets.test.mjs and bench/adversarial.mjs. Pure byte builders (no nv2 import): a
// minimal DER writer (X.690), a minimal CBOR writer (RFC 8949) and JWS/COSE envelope shapes
// (signature-envelope-jws.md, signature-envelope-cose.md) that are well formed up to the part
// under test, so the parser reaches the budget.
import * as crypto from 'node:crypto';

const cat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));

// ---- DER (X.690 §8.1: definite lengths)

function derLen(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
export const tlv = (tag, ...content) => {
  const body = cat(...content);
  return cat([tag], derLen(body.length), body);
};
const seq = (...c) => tlv(0x30, ...c);
const set = (...c) => tlv(0x31, ...c);
const int = (n) => tlv(0x02, [n]);
function oid(text) {
  const arcs = text.split('.').map(Number);
  const out = [arcs[0] * 40 + arcs[1]];
  for (const a of arcs.slice(2)) {
    const b = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, out);
}
const utc = (s) => tlv(0x17, Buffer.from(s));
const name = (cn) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const privateExt = (i) => seq(oid(`1.3.6.1.4.1.99999.${i}`), tlv(0x04, [0x05, 0x00]));

let spki;
function ecSpki() {
  spki ??= crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
  return spki;
}

/** A self-issued P-256 certificate with keyUsage and `n` private extensions (unsigned: the
 * signature bytes are zeros; parsing never checks them). */
export function certWithExtensions(n) {
  const keyUsage = seq(oid('2.5.29.15'), tlv(0x01, [0xff]), tlv(0x04, tlv(0x03, [0x07, 0x80])));
  const exts = [keyUsage];
  for (let i = 0; i < n; i++) exts.push(privateExt(i));
  const tbs = seq(
    tlv(0xa0, int(2)),
    int(1),
    ECDSA_SHA256,
    name('budget'),
    seq(utc('200101000000Z'), utc('400101000000Z')),
    name('budget'),
    ecSpki(),
    tlv(0xa3, seq(Buffer.concat(exts))),
  );
  return seq(tbs, ECDSA_SHA256, tlv(0x03, [0x00], seq(int(1), int(1))));
}

/** The number of private extensions that make a certificate of about `bytes`. */
export const extensionsFor = (bytes) => Math.floor(bytes / 18);

/** A DER CRL (RFC 5280 §5.1) with `entries` revoked serials (each with a reason code) and
 * `extensions` private CRL extensions; unsigned, issuer "budget". */
export function crl({ entries = 0, extensions = 0 }) {
  const reason = seq(oid('2.5.29.21'), tlv(0x04, tlv(0x0a, [1])));
  const list = [];
  for (let i = 0; i < entries; i++) {
    list.push(seq(tlv(0x02, [0x01, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff]), utc('240101000000Z'), seq(reason)));
  }
  const exts = [seq(oid('2.5.29.20'), tlv(0x04, int(1)))];
  for (let i = 0; i < extensions; i++) exts.push(privateExt(i));
  const tbs = seq(
    int(1),
    ECDSA_SHA256,
    name('budget'),
    utc('240101000000Z'),
    utc('340101000000Z'),
    ...(list.length ? [seq(Buffer.concat(list))] : []),
    tlv(0xa0, seq(Buffer.concat(exts))),
  );
  return seq(tbs, ECDSA_SHA256, tlv(0x03, [0x00], seq(int(1), int(1))));
}

/** An RFC 3161 token (CMS SignedData over an empty TSTInfo) whose SignerInfo has `n` signed
 * attributes, in reverse DER order (the worst case of an insertion sort). */
export function tokenWithAttributes(n) {
  const attrs = [];
  for (let i = n - 1; i >= 0; i--) attrs.push(seq(oid(`1.3.6.1.4.1.99999.${i}`), set([0x05, 0x00])));
  const signer = seq(
    int(1),
    seq(name('tsa'), int(1)),
    seq(oid('2.16.840.1.101.3.4.2.1')),
    tlv(0xa0, Buffer.concat(attrs)),
    ECDSA_SHA256,
    tlv(0x04, [0]),
  );
  const signedData = seq(
    int(3),
    set(),
    seq(oid('1.2.840.113549.1.9.16.1.4'), tlv(0xa0, tlv(0x04, []))),
    set(signer),
  );
  return seq(oid('1.2.840.113549.1.7.2'), tlv(0xa0, signedData));
}

// ---- CBOR (RFC 8949 §3: definite lengths)

function head(major, n) {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
const ctext = (s) => cat(head(3, Buffer.byteLength(s)), Buffer.from(s));
const cbytes = (b) => cat(head(2, b.length), b);

const SCHEME = 'io.cncf.notary.signingScheme';
const SIGNING_TIME = 'io.cncf.notary.signingTime';
const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

/** A COSE_Sign1_Tagged message: the Notary protected headers plus `extra` (an array of
 * [labelBytes, valueBytes]) and `critExtra` more `crit` entries (text labels), an unprotected
 * bucket with `x5chain` = [cert]. `raw` replaces the protected map's bytes. */
export function cose({ extra = [], critExtra = [], cert = certWithExtensions(0), raw } = {}) {
  const entries = [
    [head(0, 1), Buffer.from([0x26])],
    [head(0, 2), Buffer.concat([head(4, 1 + critExtra.length), ctext(SCHEME), ...critExtra.map(ctext)])],
    [head(0, 3), ctext(PAYLOAD_TYPE)],
    [ctext(SCHEME), ctext('notary.x509')],
    [ctext(SIGNING_TIME), Buffer.from([0xc1, 0x1a, 0x65, 0, 0, 0])],
    ...extra,
  ];
  const protectedMap = raw ?? Buffer.concat([head(5, entries.length), ...entries.flat()].map((b) => Buffer.from(b)));
  return cat(
    [0xd2, 0x84],
    cbytes(protectedMap),
    head(5, 1),
    head(0, 33),
    head(4, 1),
    cbytes(cert),
    cbytes(Buffer.from('{}')),
    cbytes(Buffer.alloc(64)),
  );
}

/** Protected-bucket entries with distinct text labels filling about `bytes`, each label long
 * enough that the count stays within `cbor.items` (the header budget answers). */
export function coseKeys(bytes) {
  const n = Math.max(1, Math.floor(bytes / 200));
  return Array.from({ length: n }, (_, i) => [ctext(`k${i}`.padEnd(198, '.')), head(0, 0)]);
}

/** `crit` labels filling about `bytes`, within `cbor.items`. */
export function critLabels(bytes) {
  const n = Math.max(1, Math.floor(bytes / 200));
  return Array.from({ length: n }, (_, i) => `c${i}`.padEnd(198, '.'));
}

/** A protected extended attribute nested `depth` arrays deep (`cbor.depth`). */
export const deepCbor = (depth) => [[ctext('deep'), cat(Buffer.alloc(depth, 0x81), head(0, 0))]];

/** Arrays each declaring the most items `cbor.items` allows, nested to fill `bytes`: every level
 * once reserved its declared count before reading it. */
export const declaredCounts = (bytes) => [[ctext('counts'), Buffer.alloc(Math.max(3, bytes - (bytes % 3)), 0)
  .map((_, i) => [0x99, 0xff, 0xf0][i % 3])]];

// ---- JWS (signature-envelope-jws.md)

const b64url = (b) => Buffer.from(b).toString('base64url');

/** A flattened JWS with the Notary protected headers plus `extra` members, `critExtra` more
 * `crit` entries (each then also a header), and `x5c` = [cert]. `protectedJson` replaces the
 * protected header text. */
export function jws({ extra = {}, critExtra = [], cert = certWithExtensions(0), protectedJson } = {}) {
  const header = {
    alg: 'ES256',
    crit: [SCHEME, ...critExtra],
    cty: PAYLOAD_TYPE,
    [SCHEME]: 'notary.x509',
    [SIGNING_TIME]: '2024-01-01T00:00:00Z',
    ...extra,
  };
  const text = protectedJson ?? JSON.stringify(header);
  return Buffer.from(
    JSON.stringify({
      payload: b64url('{}'),
      protected: b64url(text),
      header: { x5c: [Buffer.from(cert).toString('base64')] },
      signature: b64url(Buffer.alloc(64)),
    }),
  );
}

/** JWS `crit` entries (and headers) filling about `bytes` of protected header. */
export function jwsCrit(bytes) {
  const n = Math.max(1, Math.floor(bytes / 24));
  return Array.from({ length: n }, (_, i) => `c${i}`);
}

/** A protected header nested `depth` arrays deep (`json.depth`). */
export const deepJson = (depth) => `{"alg":"ES256","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

/** Adds an RFC 3161 token to a signed JWS envelope's unprotected header (unsigned, so the
 * signature still verifies). */
export function withTimestamp(envelope, token) {
  const j = JSON.parse(Buffer.from(envelope).toString('utf8'));
  j.header['io.cncf.notary.timestampSignature'] = Buffer.from(token).toString('base64');
  return Buffer.from(JSON.stringify(j));
}
