// PKCS#10 certificate signing requests for a WebCrypto ECDSA key, in plain JS (a minimal DER
// encoder; no dependencies). The private key may be non-extractable: only its public half is
// exported (SPKI), and the request is signed with crypto.subtle.sign.

/** Named curve → the Notary algorithm, its hash and the CSR signature algorithm OID. */
export const CURVES = {
  'P-256': { alg: 'ES256', hash: 'SHA-256', sigOid: '1.2.840.10045.4.3.2' },
  'P-384': { alg: 'ES384', hash: 'SHA-384', sigOid: '1.2.840.10045.4.3.3' },
  'P-521': { alg: 'ES512', hash: 'SHA-512', sigOid: '1.2.840.10045.4.3.4' },
};

const ATTR_OIDS = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

function tlv(tag, ...parts) {
  const body = concat(parts);
  const n = body.length;
  const len =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.of(tag, ...len), body]);
}

const seq = (...p) => tlv(0x30, ...p);
const set = (...p) => tlv(0x31, ...p);
const utf8 = (s) => tlv(0x0c, new TextEncoder().encode(s));
const printable = (s) => tlv(0x13, new TextEncoder().encode(s));

function oid(dotted) {
  const arcs = dotted.split('.').map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const b = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) b.unshift((v & 0x7f) | 0x80);
    bytes.push(...b);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** A DER INTEGER from unsigned big-endian bytes. */
function uint(bytes) {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.slice(i);
  return tlv(0x02, v[0] & 0x80 ? concat([Uint8Array.of(0), v]) : v);
}

/** WebCrypto's ECDSA signature (r || s) as the DER Ecdsa-Sig-Value X.509 uses. */
function ecdsaDer(raw) {
  const half = raw.length / 2;
  return seq(uint(raw.slice(0, half)), uint(raw.slice(half)));
}

/** An X.501 Name from `{ C, ST, L, O, OU, CN }` (empty values left out), in that order. */
export function encodeName(fields) {
  const rdns = [];
  for (const [k, o] of Object.entries(ATTR_OIDS)) {
    const v = fields[k]?.trim();
    if (!v) continue;
    rdns.push(set(seq(oid(o), k === 'C' ? printable(v) : utf8(v))));
  }
  if (rdns.length === 0) throw new Error('the subject needs at least one field');
  return seq(...rdns);
}

/** `-----BEGIN <label>-----` PEM of DER bytes, 64 columns. */
export function toPem(label, der) {
  let bin = '';
  for (const b of der) bin += String.fromCharCode(b);
  const b64 = btoa(bin).replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * A PKCS#10 request (RFC 2986) for `keyPair` (WebCrypto ECDSA on `curve`) with `subject`
 * (`{ C, ST, O, CN, … }`). Resolves to `{ pem, der }`.
 */
export async function createCsr(keyPair, curve, subject) {
  const c = CURVES[curve];
  if (!c) throw new Error(`unsupported curve ${curve}`);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  const info = seq(uint(Uint8Array.of(0)), encodeName(subject), spki, tlv(0xa0));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: c.hash }, keyPair.privateKey, info));
  const der = seq(info, seq(oid(c.sigOid)), tlv(0x03, Uint8Array.of(0), ecdsaDer(raw)));
  return { der, pem: toPem('CERTIFICATE REQUEST', der) };
}

/** Lower-case hex SHA-256 of the key's SPKI (identifies the key in the page). */
export async function publicKeyThumbprint(publicKey) {
  const spki = await crypto.subtle.exportKey('spki', publicKey);
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', spki))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
