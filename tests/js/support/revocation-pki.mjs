// A PKI with online revocation on loopback, built at test time with the `openssl` CLI
// (`openssl req`, `openssl ca`, `openssl ocsp`), for tests/js/revocation.test.mjs:
//
//   root ──┬─ inter ──┬─ leaf            good
//          │          ├─ leafRevoked     revoked by inter (in inter's CRL and OCSP index)
//          │          ├─ leafOther       only its OCSP response is used (the "other serial")
//          │          ├─ ocsp            OCSP responder, EKU id-kp-OCSPSigning (RFC 6960 §4.2.2.2)
//          │          └─ ocspNoEku       a responder certificate without that EKU
//          ├─ inter2 (revoked by root) ── leaf2
//          └─ interD ── leafD            revoked only in interD's delta CRL (RFC 5280 §5.2.4)
//   impostor: a self-signed CA with inter's subject name and another key (signs a forged CRL)
//
// Every non-root certificate names its issuer's CRL distribution point
// http://127.0.0.1:<crlPort>/<issuer>.crl (RFC 5280 §4.2.1.13); inter, inter2, leaf, leafRevoked,
// leaf2 name an OCSP responder in their Authority Information Access (RFC 5280 §4.2.2.1): the
// intermediates http://127.0.0.1:<rootOcspPort>/ (answered by the root itself, a CA-signed
// response, RFC 6960 §4.2.2.2), the leaves http://127.0.0.1:<ocspPort>/ (answered by the `ocsp`
// delegated responder). leafD and interD name only CRLs, so the delta CRL path is the one tried.
//
// The OCSP ports are small Node front servers that count requests and forward them to
// `openssl ocsp` backends on other loopback ports (or are stopped, or answer a fixed response);
// the CRL port is a Node server that counts requests per path and serves what a case asks for.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './registry.mjs';

const openssl = (args, opts = {}) =>
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });

/** `openssl` time format (RFC 5280 §4.1.2.5 GeneralizedTime, YYYYMMDDHHMMSSZ). */
export const gtime = (ms) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');

function caConfig(dir, name, ports) {
  const crl = (issuer) => `URI:http://127.0.0.1:${ports.crl}/${issuer}.crl`;
  const aia = (port) => `OCSP;URI:http://127.0.0.1:${port}/`;
  return `[ca]
default_ca = CA
[CA]
database = ${join(dir, 'index.txt')}
new_certs_dir = ${dir}
serial = ${join(dir, 'serial')}
crlnumber = ${join(dir, 'crlnumber')}
default_md = sha256
default_days = 30
default_crl_days = 1
policy = pol
unique_subject = no
copy_extensions = none
[pol]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_ca]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = ${crl(name)}
authorityInfoAccess = ${aia(ports.rootOcsp)}
[v3_ca_crl_only]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = ${crl(name)}
# Notary leaf profile (signature-specification.md §Certificate Requirements): KU digitalSignature
# (critical), EKU codeSigning, BC CA:false.
[v3_leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = ${crl(name)}
authorityInfoAccess = ${aia(ports.ocsp)}
[v3_leaf_crl_only]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = ${crl(name)}
# RFC 6960 §4.2.2.2: a delegated responder carries id-kp-OCSPSigning; id-pkix-ocsp-nocheck
# (§4.2.2.2.1) says its own status is not checked.
[v3_ocsp]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_ocsp_noeku]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[crl_ext]
authorityKeyIdentifier = keyid
`;
}

/** A CA directory (openssl ca database) under `root`. */
function makeCa(root, name, ports) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), caConfig(dir, name, ports));
  return {
    name,
    dir,
    cnf: join(dir, 'ca.cnf'),
    key: join(dir, 'key.pem'),
    cert: join(dir, 'cert.pem'),
    index: join(dir, 'index.txt'),
  };
}

function newKey(path, kind = 'ec') {
  const args =
    kind === 'rsa'
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path]
      : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path];
  openssl(args);
}

/** Issues `subject` with `ext` from `ca` (`openssl req` + `openssl ca`); returns { key, cert, serial }. */
function issue(ca, dir, name, subject, ext, { kind } = {}) {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  newKey(key, kind);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr, '-config', ca.cnf]);
  openssl(['ca', '-batch', '-config', ca.cnf, '-keyfile', ca.key, '-cert', ca.cert, '-extensions', ext,
    '-startdate', gtime(Date.now() - 3600_000), '-notext', '-in', csr, '-out', cert]);
  const serial = openssl(['x509', '-in', cert, '-noout', '-serial']).toString().trim().split('=')[1];
  return { key, cert, serial, subject, pem: readFileSync(cert, 'utf8') };
}

/**
 * Builds the PKI under `dir` for the ports `{ ocsp, rootOcsp, crl }`. Returns the certificates
 * (`{ key, cert, pem, serial, subject }`), the CAs and `crl(caName, opts)` to make CRLs.
 */
export function buildPki(dir, ports) {
  const root = makeCa(dir, 'root', ports);
  newKey(root.key);
  openssl(['req', '-x509', '-new', '-key', root.key, '-subj', '/O=nv2 test/CN=nv2 revocation root',
    '-days', '60', '-config', root.cnf, '-extensions', 'v3_root', '-out', root.cert]);
  writeFileSync(join(root.dir, 'serial'), '1000\n');
  const certs = { root: { key: root.key, cert: root.cert, pem: readFileSync(root.cert, 'utf8'), subject: 'CN=nv2 revocation root,O=nv2 test' } };
  const cas = { root };
  const certsDir = join(dir, 'certs');
  mkdirSync(certsDir, { recursive: true });
  for (const [name, subject, ext] of [
    ['inter', '/O=nv2 test/CN=nv2 intermediate', 'v3_ca'],
    ['inter2', '/O=nv2 test/CN=nv2 revoked intermediate', 'v3_ca'],
    ['interD', '/O=nv2 test/CN=nv2 delta intermediate', 'v3_ca_crl_only'],
  ]) {
    certs[name] = issue(root, certsDir, name, subject, ext);
    const ca = makeCa(dir, name, ports);
    writeFileSync(join(ca.dir, 'serial'), `${name === 'inter' ? 2000 : name === 'inter2' ? 3000 : 4000}\n`);
    writeFileSync(ca.key, readFileSync(certs[name].key));
    writeFileSync(ca.cert, certs[name].pem);
    cas[name] = ca;
  }
  const leaf = (ca, name, cn, ext = 'v3_leaf') => (certs[name] = issue(cas[ca], certsDir, name, `/O=nv2 test/CN=${cn}`, ext));
  leaf('inter', 'leaf', 'nv2 good leaf');
  leaf('inter', 'leafRevoked', 'nv2 revoked leaf');
  leaf('inter', 'leafOther', 'nv2 other leaf');
  leaf('inter2', 'leaf2', 'nv2 leaf under a revoked intermediate');
  leaf('interD', 'leafD', 'nv2 leaf revoked in a delta CRL', 'v3_leaf_crl_only');
  certs.ocsp = issue(cas.inter, certsDir, 'ocsp', '/O=nv2 test/CN=nv2 OCSP responder', 'v3_ocsp', { kind: 'rsa' });
  certs.ocspNoEku = issue(cas.inter, certsDir, 'ocspNoEku', '/O=nv2 test/CN=nv2 responder without OCSPSigning', 'v3_ocsp_noeku', { kind: 'rsa' });

  // Revocations in the CA databases (openssl ca -revoke): they show in the CRLs and OCSP answers.
  openssl(['ca', '-batch', '-config', cas.inter.cnf, '-keyfile', cas.inter.key, '-cert', cas.inter.cert,
    '-revoke', certs.leafRevoked.cert, '-crl_reason', 'keyCompromise']);
  openssl(['ca', '-batch', '-config', root.cnf, '-keyfile', root.key, '-cert', root.cert,
    '-revoke', certs.inter2.cert, '-crl_reason', 'cACompromise']);

  // The impostor: inter's subject name, its own key (RFC 5280 §6.3.3 (f): a CRL must verify
  // with the key of the certificate's issuer, not just carry its name).
  const impostor = makeCa(dir, 'impostor', ports);
  newKey(impostor.key);
  // `openssl ca` puts the subject in its policy's order (CN, then O): the same order here, so
  // the two names are byte for byte equal.
  openssl(['req', '-x509', '-new', '-key', impostor.key, '-subj', '/CN=nv2 intermediate/O=nv2 test',
    '-days', '60', '-config', impostor.cnf, '-extensions', 'v3_root', '-out', impostor.cert]);
  cas.impostor = impostor;

  /**
   * A DER CRL of `caName` (`openssl ca -gencrl`): `{ lastUpdate, nextUpdate }` as ms override the
   * validity (default: now .. now + 1 day); `signWith` another CA's key and certificate.
   */
  function crl(caName, { lastUpdate, nextUpdate, signWith } = {}) {
    const ca = cas[caName];
    const signer = cas[signWith ?? caName];
    const pem = join(ca.dir, `gen-${Date.now()}-${Math.random().toString(16).slice(2)}.crl.pem`);
    const args = ['ca', '-batch', '-config', ca.cnf, '-keyfile', signer.key, '-cert', signer.cert,
      '-gencrl', '-crlexts', 'crl_ext', '-out', pem];
    if (lastUpdate !== undefined) args.push('-crl_lastupdate', gtime(lastUpdate));
    if (nextUpdate !== undefined) args.push('-crl_nextupdate', gtime(nextUpdate));
    openssl(args);
    return openssl(['crl', '-in', pem, '-outform', 'DER']);
  }

  const chain = (name, ...issuers) => [certs[name], ...issuers.map((i) => certs[i])].map((c) => c.pem).join('');
  return { dir, ports, certs, cas, crl, chain };
}

/**
 * The delta CRL pair of `ca` (RFC 5280 §5.2.4, §5.2.6), made with Python `cryptography` ($NV2_PYTHON)
 * because `openssl crl -gendelta` signs with SHA-1 and copies the base's extensions: a base CRL
 * (number 1, empty) naming `deltaUrl` in its Freshest CRL extension, and a delta CRL (number 2,
 * Delta CRL Indicator 1) listing `serialHex`. Returns `{ base, delta }` (DER).
 */
export function deltaCrls(ca, serialHex, deltaUrl) {
  const python = process.env.NV2_PYTHON;
  if (!python) throw new Error('NV2_PYTHON is not set (the project venv has cryptography)');
  const script = `
import sys, datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
cert = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
key = serialization.load_pem_private_key(open(sys.argv[2], 'rb').read(), None)
serial, url, out = int(sys.argv[3], 16), sys.argv[4], sys.argv[5]
now = datetime.datetime.now(datetime.timezone.utc)
aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
def b(number):
    return (x509.CertificateRevocationListBuilder().issuer_name(cert.subject)
        .last_update(now - datetime.timedelta(minutes=5)).next_update(now + datetime.timedelta(days=1))
        .add_extension(aki, False).add_extension(x509.CRLNumber(number), False))
base = b(1).add_extension(x509.FreshestCRL([x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]), False)
entry = (x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - datetime.timedelta(minutes=1))
    .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False).build())
delta = b(2).add_extension(x509.DeltaCRLIndicator(1), True).add_revoked_certificate(entry)
open(out + '.base', 'wb').write(base.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
open(out + '.delta', 'wb').write(delta.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
`;
  const out = join(ca.dir, 'delta-pair');
  execFileSync(python, ['-c', script, ca.cert, ca.key, serialHex, deltaUrl, out], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { base: readFileSync(`${out}.base`), delta: readFileSync(`${out}.delta`) };
}

const children = new Set();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Spawns `openssl ocsp` on `port`; resolves to the child once it listens. */
async function spawnOcsp(ca, signer, port) {
  const child = spawn('openssl', ['ocsp', '-index', ca.index, '-port', String(port), '-rsigner', signer.cert,
    '-rkey', signer.key, '-CA', ca.cert, '-nmin', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  // Ready once it says so on stderr. (No TCP probe: openssl 3.0's responder spins on a client
  // that connects and closes without a request, and then answers nobody.)
  let stderr = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${stderr}`)), 10_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/waiting for OCSP client connections/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited (${code}): ${stderr}`));
    });
  }).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return child;
}

/**
 * `openssl ocsp` as a responder for `ca` (its index.txt, read at start), signing with `signer`
 * (`{ cert, key }`), on a free loopback port. Resolves to `{ port, ready(), stop() }`: `ready()`
 * resolves once it listens, starting it again if it ended (openssl 3.0's responder exits after
 * answering a malformed request).
 */
export async function startOpensslOcsp(ca, signer) {
  const port = await freePort();
  let child = await spawnOcsp(ca, signer, port);
  let starting;
  let stopped = false;
  return {
    port,
    ready() {
      if (stopped) return Promise.reject(new Error('stopped'));
      if (child.exitCode === null && child.signalCode === null) return Promise.resolve();
      starting ??= spawnOcsp(ca, signer, port).then((c) => {
        child = c;
        starting = undefined;
      });
      return starting;
    },
    stop() {
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}

/**
 * A counting HTTP server on `port` (127.0.0.1): `handler(req, res, body)` answers; `counts` maps
 * "METHOD path-kind" to the number of requests; `start()` / `stop()` open and close the port
 * (a stopped server refuses connections).
 */
export function countingServer(port, handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      srv.requests.push({ method: req.method, url: req.url });
      srv.counts[req.url] = (srv.counts[req.url] ?? 0) + 1;
      Promise.resolve(srv.handler(req, res, Buffer.concat(chunks))).catch(() => res.destroy());
    });
  });
  const srv = {
    port,
    handler,
    counts: {},
    requests: [],
    up: false,
    get total() {
      return srv.requests.length;
    },
    reset() {
      srv.counts = {};
      srv.requests = [];
    },
    async start() {
      if (srv.up) return;
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
      });
      srv.up = true;
    },
    async stop() {
      if (!srv.up) return;
      srv.up = false;
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return srv;
}

/** Forwards `req` (with `body`) to the `backend` (startOpensslOcsp) and pipes the answer back. */
export async function forward(backend, req, res, body) {
  await backend.ready();
  const { port } = backend;
  return new Promise((resolve) => {
    const out = createConnection({ host: '127.0.0.1', port });
    out.once('error', () => {
      res.destroy();
      resolve();
    });
    const headers = [`${req.method} ${req.url} HTTP/1.0`, `Host: 127.0.0.1:${port}`];
    if (req.headers['content-type']) headers.push(`Content-Type: ${req.headers['content-type']}`);
    headers.push(`Content-Length: ${body.length}`);
    out.write(headers.join('\r\n') + '\r\n\r\n');
    out.write(body);
    const chunks = [];
    out.on('data', (c) => chunks.push(c));
    out.on('end', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const type = head.find((h) => /^content-type:/i.test(h))?.split(':')[1].trim();
      const payload = raw.subarray(split + 4);
      res.writeHead(status, { ...(type ? { 'Content-Type': type } : {}), 'Content-Length': payload.length });
      res.end(payload);
      resolve();
    });
  });
}
