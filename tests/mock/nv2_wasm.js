// A reference model of the wasm API contract, in plain JS over node:crypto. NOT shipped: `make
// test-js-mock` swaps it in for dist/nv2_wasm.js in a copy of the package, to check that the
// node --test suites themselves are right before the Rust exports exist (and to document the
// contract executably). Node only. Deliberately simple; the real implementation is src/.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

const PKG_VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
export default async function init() {}
export function initSync() {}
export function version() {
  return PKG_VERSION;
}

const CTY = 'application/vnd.cncf.notary.payload.v1+json';
const JWS = 'application/jose+json';
const ALGS = {
  PS256: { hash: 'sha256', len: 32, kind: 'rsa', bits: 2048, spec: 'RSA-2048' },
  PS384: { hash: 'sha384', len: 48, kind: 'rsa', bits: 3072, spec: 'RSA-3072' },
  PS512: { hash: 'sha512', len: 64, kind: 'rsa', bits: 4096, spec: 'RSA-4096' },
  ES256: { hash: 'sha256', len: 32, kind: 'ec', curve: 'prime256v1', spec: 'EC-256' },
  ES384: { hash: 'sha384', len: 48, kind: 'ec', curve: 'secp384r1', spec: 'EC-384' },
  ES512: { hash: 'sha512', len: 64, kind: 'ec', curve: 'secp521r1', spec: 'EC-521' },
};
const LEVELS = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};
const NAMES = { ERR_POLICY_INVALID: 'PolicyError', ERR_NO_APPLICABLE_TRUST_POLICY: 'PolicyError', ERR_TRUST_STORE: 'TrustStoreError', ERR_SIGNING: 'SigningError', ERR_INVALID_ANNOTATION: 'SigningError' };

class Fail extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
function jsErr(code, message, details) {
  return Object.assign(new Error(message), { code, name: NAMES[code] ?? 'ParseError', details });
}

const pemBlocks = (s) => s.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const b64u = (b) => Buffer.from(b).toString('base64url');
function unb64u(s, what) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s)) throw new Fail('ERR_SIGNATURE_INTEGRITY', `${what}: not unpadded base64url`);
  return Buffer.from(s, 'base64url');
}
const toMs = (t) => (typeof t === 'number' ? t : Date.parse(t));
const rfc3339 = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const ext = (x) => execFileSync('openssl', ['x509', '-noout', '-ext', 'basicConstraints,keyUsage,extendedKeyUsage'], { input: x.toString() }).toString();

function algOfKey(pub) {
  const d = pub.asymmetricKeyDetails;
  for (const [name, a] of Object.entries(ALGS)) {
    if (pub.asymmetricKeyType === 'rsa' && a.kind === 'rsa' && d.modulusLength === a.bits) return name;
    if (pub.asymmetricKeyType === 'ec' && a.kind === 'ec' && d.namedCurve === a.curve) return name;
  }
  throw new Fail('ERR_UNSUPPORTED_ALGORITHM', `unsupported ${pub.asymmetricKeyType} key`);
}
const sigOpts = (alg, key) =>
  ALGS[alg].kind === 'ec'
    ? { key, dsaEncoding: 'ieee-p1363' }
    : { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: ALGS[alg].len };

function checkChain(chain) {
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i];
    const parent = chain[i + 1] ?? c;
    if (!c.checkIssued(parent) || !c.verify(parent.publicKey)) throw new Fail('ERR_CERT_INVALID', `certificate ${i} is not issued by the next`);
  }
  const e = ext(chain[0]);
  if (/CA:TRUE/.test(e)) throw new Fail('ERR_CERT_INVALID', 'leaf is a CA');
  if (!/X509v3 Key Usage: critical\n\s+Digital Signature/.test(e)) throw new Fail('ERR_CERT_INVALID', 'leaf key usage');
  if (/Certificate Sign|CRL Sign/.test(e)) throw new Fail('ERR_CERT_INVALID', 'leaf keyCertSign');
  if (/TLS Web Server|TLS Web Client|E-mail Protection|Time Stamping/.test(e)) throw new Fail('ERR_CERT_INVALID', 'leaf EKU');
}

function parseJws(bytes) {
  let env;
  try {
    env = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Fail('ERR_PARSE', 'envelope is not JSON');
  }
  const protectedRaw = unb64u(env.protected, 'protected');
  const payloadRaw = unb64u(env.payload, 'payload');
  const sig = unb64u(env.signature, 'signature');
  const h = JSON.parse(protectedRaw.toString('utf8'));
  if (!ALGS[h.alg]) throw new Fail('ERR_UNSUPPORTED_ALGORITHM', `alg ${h.alg}`);
  if (h.cty !== CTY) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'cty');
  const crit = h.crit;
  if (!Array.isArray(crit) || !crit.includes('io.cncf.notary.signingScheme')) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'crit');
  const known = new Set(['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry']);
  for (const c of crit) if (!known.has(c) || !(c in h)) throw new Fail('ERR_SIGNATURE_INTEGRITY', `unsupported critical header ${c}`);
  if ('io.cncf.notary.expiry' in h && !crit.includes('io.cncf.notary.expiry')) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'expiry not critical');
  if (h['io.cncf.notary.signingScheme'] !== 'notary.x509') throw new Fail('ERR_SIGNATURE_INTEGRITY', 'scheme');
  const signingTime = Date.parse(h['io.cncf.notary.signingTime']);
  if (Number.isNaN(signingTime)) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'signingTime');
  const expiry = h['io.cncf.notary.expiry'] ? Date.parse(h['io.cncf.notary.expiry']) : null;
  if (expiry !== null && !(expiry > signingTime)) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'expiry <= signingTime');
  const chain = (env.header?.x5c ?? []).map((c) => new crypto.X509Certificate(Buffer.from(c, 'base64')));
  if (!chain.length) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'x5c');
  checkChain(chain);
  const keyAlg = algOfKey(chain[0].publicKey);
  if (keyAlg !== h.alg) throw new Fail('ERR_SIGNATURE_INTEGRITY', `alg ${h.alg} does not match the key (${keyAlg})`);
  const input = Buffer.from(`${env.protected}.${env.payload}`, 'ascii');
  if (!crypto.verify(ALGS[h.alg].hash, input, sigOpts(h.alg, chain[0].publicKey), sig)) throw new Fail('ERR_SIGNATURE_INTEGRITY', 'signature is invalid');
  return { h, payload: JSON.parse(payloadRaw.toString('utf8')), chain, signingTime, expiry };
}

const dnMap = (s) => Object.fromEntries(s.split(/[,\n]/).map((p) => p.trim()).filter(Boolean).map((p) => p.split('=').map((x) => x.trim())));

function loadStore(store) {
  const out = {};
  for (const [name, certs] of Object.entries(store)) {
    out[name] = [];
    for (const c of certs) {
      try {
        if (typeof c === 'string') {
          const blocks = pemBlocks(c);
          if (!blocks.length) throw new Error('no PEM');
          for (const b of blocks) out[name].push(new crypto.X509Certificate(b));
        } else out[name].push(new crypto.X509Certificate(Buffer.from(c)));
      } catch (e) {
        throw jsErr('ERR_TRUST_STORE', `trust store ${name}: ${e.message}`);
      }
    }
  }
  return out;
}

function selectPolicy(doc, ref) {
  if (doc?.version !== '1.0' || !Array.isArray(doc.trustPolicies) || !doc.trustPolicies.length) throw jsErr('ERR_POLICY_INVALID', 'invalid trust policy document');
  for (const p of doc.trustPolicies) {
    if (!LEVELS[p.signatureVerification?.level]) throw jsErr('ERR_POLICY_INVALID', `statement ${p.name}: bad level`);
    for (const s of p.trustStores ?? []) if (!/^(ca|signingAuthority|tsa):[A-Za-z0-9_.-]+$/.test(s)) throw jsErr('ERR_POLICY_INVALID', `bad trust store ${s}`);
  }
  const repo = ref.split('@')[0];
  const p = doc.trustPolicies.find((x) => x.registryScopes.includes(repo)) ?? doc.trustPolicies.find((x) => x.registryScopes.includes('*'));
  if (!p) throw jsErr('ERR_NO_APPLICABLE_TRUST_POLICY', `no applicable trust policy for ${ref}`);
  return p;
}

export function verifyEnvelope(o) {
  const policy = selectPolicy(o.trustPolicy, o.artifactReference);
  const store = loadStore(o.trustStore);
  if (o.mediaType !== JWS) throw jsErr('ERR_UNSUPPORTED_ENVELOPE', `unsupported envelope ${o.mediaType}`);
  const level = policy.signatureVerification.level;
  const actions = { ...LEVELS[level], ...(policy.signatureVerification.override ?? {}) };
  const now = toMs(o.now);
  const out = { verified: false, verificationLevel: level, results: [], signer: null, signingScheme: null, signingTime: null, expiry: null, algorithm: null, targetArtifact: null, mediaType: o.mediaType, warnings: [] };
  if (level === 'skip') {
    out.results = Object.keys(actions).map((type) => ({ type, action: 'skip', ok: true }));
    out.verified = true;
    return out;
  }
  const step = (type, fn) => {
    try {
      fn();
      out.results.push({ type, action: actions[type], ok: true });
      return true;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      const error = { code: e.code, message: e.message };
      out.results.push({ type, action: actions[type], ok: false, error });
      if (actions[type] === 'enforce') {
        out.error = error;
        return false;
      }
      out.warnings.push(`${type}: ${e.message}`);
      return true;
    }
  };
  let j;
  if (!step('integrity', () => { j = parseJws(o.envelope); })) return out;
  out.algorithm = j.h.alg;
  out.signingScheme = j.h['io.cncf.notary.signingScheme'];
  out.signingTime = new Date(j.signingTime).toISOString();
  out.expiry = j.expiry === null ? null : new Date(j.expiry).toISOString();
  out.targetArtifact = j.payload.targetArtifact;
  const info = (c) => ({ subject: c.subject.split('\n').reverse().join(','), issuer: c.issuer.split('\n').reverse().join(','), thumbprint: crypto.createHash('sha256').update(c.raw).digest('hex'), notBefore: c.validFrom, notAfter: c.validTo, serial: c.serialNumber });
  const chainInfo = j.chain.map(info);
  out.signer = { subject: chainInfo[0].subject, issuer: chainInfo[0].issuer, thumbprints: chainInfo.map((c) => c.thumbprint), chain: chainInfo };
  const ok = step('authenticity', () => {
    const trusted = (policy.trustStores ?? []).filter((s) => s.startsWith('ca:')).flatMap((s) => store[s] ?? []);
    if (!j.chain.some((c) => trusted.some((t) => t.raw.equals(c.raw)))) throw new Fail('ERR_SIGNATURE_AUTHENTICITY', 'the certificate chain contains no trusted certificate');
    const ids = policy.trustedIdentities ?? [];
    if (ids.includes('*')) return;
    const leaf = dnMap(j.chain[0].subject);
    const match = ids.filter((i) => i.startsWith('x509.subject:')).some((i) => Object.entries(dnMap(i.slice(13))).every(([k, v]) => leaf[k] === v));
    if (!match) throw new Fail('ERR_UNTRUSTED_IDENTITY', 'signing certificate is not a trusted identity');
  }) &&
    step('expiry', () => {
      if (j.expiry !== null && now >= j.expiry) throw new Fail('ERR_SIGNATURE_EXPIRED', `signature expired on ${new Date(j.expiry).toUTCString()}`);
    }) &&
    step('authenticTimestamp', () => {
      for (const c of j.chain) if (now < Date.parse(c.validFrom) || now > Date.parse(c.validTo)) throw new Fail('ERR_CERT_EXPIRED', `certificate ${c.subject} not valid at ${new Date(now).toISOString()}`);
    }) &&
    step('revocation', () => {});
  if (!ok) return out;
  const t = j.payload.targetArtifact ?? {};
  if (t.mediaType !== o.target.mediaType || t.digest !== o.target.digest || t.size !== o.target.size) {
    out.error = { code: 'ERR_DESCRIPTOR_MISMATCH', message: 'content descriptor mismatch' };
    return out;
  }
  for (const [k, v] of Object.entries(o.userMetadata ?? {})) {
    if (t.annotations?.[k] !== v) {
      out.error = { code: 'ERR_USER_METADATA_MISMATCH', message: `metadata ${k}=${v} not in the signature` };
      return out;
    }
  }
  out.verified = true;
  return out;
}

function prepare(o) {
  for (const k of Object.keys(o.annotations ?? {})) if (k.startsWith('io.cncf.notary')) throw jsErr('ERR_INVALID_ANNOTATION', `reserved annotation ${k}`);
  const chain = pemBlocks(o.certChain).map((b) => new crypto.X509Certificate(b));
  if (!chain.length) throw jsErr('ERR_PARSE', 'certChain has no certificate');
  const alg = algOfKey(chain[0].publicKey);
  const signingTime = o.signingTime === undefined ? Date.now() : toMs(o.signingTime);
  const h = { alg, cty: CTY, crit: ['io.cncf.notary.signingScheme'], 'io.cncf.notary.signingScheme': 'notary.x509', 'io.cncf.notary.signingTime': rfc3339(signingTime) };
  if (o.expiry !== undefined) {
    h.crit.push('io.cncf.notary.expiry');
    h['io.cncf.notary.expiry'] = rfc3339(toMs(o.expiry));
  }
  const target = { mediaType: o.target.mediaType, digest: o.target.digest, size: o.target.size, ...(o.annotations && Object.keys(o.annotations).length ? { annotations: o.annotations } : {}) };
  const p = b64u(JSON.stringify(h));
  const pl = b64u(JSON.stringify({ targetArtifact: target }));
  return { alg, chain, p, pl, tbs: new Uint8Array(Buffer.from(`${p}.${pl}`, 'ascii')), o };
}

function finish(st, sig) {
  if (!crypto.verify(ALGS[st.alg].hash, st.tbs, sigOpts(st.alg, st.chain[0].publicKey), Buffer.from(sig))) {
    throw jsErr('ERR_SIGNING', 'the signature does not verify against the signing certificate');
  }
  const header = { x5c: st.chain.map((c) => c.raw.toString('base64')) };
  if (st.o.signingAgent) header['io.cncf.notary.signingAgent'] = st.o.signingAgent;
  const envelope = new Uint8Array(Buffer.from(JSON.stringify({ payload: st.pl, protected: st.p, header, signature: b64u(sig) })));
  const sha = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
  const signatureDescriptor = { mediaType: JWS, digest: sha(envelope), size: envelope.length };
  const manifestObj = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.notary.signature',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
    layers: [signatureDescriptor],
    subject: { mediaType: st.o.target.mediaType, digest: st.o.target.digest, size: st.o.target.size },
    annotations: {
      'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify(st.chain.map((c) => crypto.createHash('sha256').update(c.raw).digest('hex'))),
      'org.opencontainers.image.created': JSON.parse(Buffer.from(st.p, 'base64url'))['io.cncf.notary.signingTime'],
    },
  };
  const manifest = new Uint8Array(Buffer.from(JSON.stringify(manifestObj)));
  return {
    envelope,
    mediaType: JWS,
    manifest,
    manifestDescriptor: { mediaType: manifestObj.mediaType, digest: sha(manifest), size: manifest.length, artifactType: manifestObj.artifactType },
    signatureDescriptor,
  };
}

export class PendingSignature {
  constructor(st) {
    this.__wbg_ptr = 1;
    this._st = st;
  }
  get toBeSigned() {
    return new Uint8Array(this._st.tbs);
  }
  get algorithm() {
    return this._st.alg;
  }
  get keySpec() {
    return ALGS[this._st.alg].spec;
  }
  finish(sig) {
    return finish(this._st, sig);
  }
  free() {
    this.__wbg_ptr = 0;
  }
}

export function prepareSignature(o) {
  return new PendingSignature(prepare(o));
}

export function signDescriptor(o) {
  const st = prepare(o);
  let key;
  try {
    key = crypto.createPrivateKey(o.key);
  } catch (e) {
    throw jsErr('ERR_PARSE', `private key: ${e.message}`);
  }
  let sig;
  try {
    sig = crypto.sign(ALGS[st.alg].hash, st.tbs, sigOpts(st.alg, key));
  } catch (e) {
    throw jsErr('ERR_SIGNING', e.message);
  }
  return finish(st, sig);
}
