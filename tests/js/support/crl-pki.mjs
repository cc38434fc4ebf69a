// A small PKI whose leaf names a CRL distribution point on 127.0.0.1, and the HTTP server that
// serves its CRL: for `nv2 crl refresh` (tests/js/cli-crl.test.mjs) and the air-gapped step of
// `make demo` (js/demo/stories.mjs). Built with the `openssl` command line (P-256 keys, the Notary
// Project certificate profile: a CA with keyCertSign and cRLSign, a code-signing leaf).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (args, cwd) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Serves `GET <path>` with the current `body` (set later: the URL is needed before the
 * certificates exist). Resolves to `{ url(path), set(path, bytes), requests, stop() }`.
 */
export async function startCrlServer() {
  const bodies = new Map();
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    const body = bodies.get(req.url);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, bytes) => bodies.set(path, Buffer.from(bytes)),
    requests,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Writes a root CA and a leaf whose CRL distribution point is `crlUrl` into `dir`, and a CRL of
 * the root (valid for 7 days) listing `revoked` serials. Returns file paths and PEM texts:
 * `{ rootFile, root, keyFile, chainFile, crlFile (DER), crl (DER bytes), leafSerial, makeCrl(revokeLeaf) }`.
 */
export function makeCrlPki(dir, { crlUrl, name = 'nv2 test refresh' }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'ext.cnf'),
    `[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${crlUrl}
[ca]
default_ca = d
[d]
database = ${join(dir, 'index.txt')}
crlnumber = ${join(dir, 'crlnumber')}
default_md = sha256
default_crl_days = 7
`,
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const ec = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out'];
  openssl([...ec, 'root.key'], dir);
  openssl([...ec, 'leaf.key'], dir);
  openssl(['req', '-new', '-x509', '-key', 'root.key', '-subj', `/C=US/ST=WA/O=nv2/CN=${name} root`, '-days', '30',
    '-config', 'ext.cnf', '-extensions', 'root', '-out', 'root.pem'], dir);
  openssl(['req', '-new', '-key', 'leaf.key', '-subj', `/C=US/ST=WA/O=nv2/CN=${name} leaf`, '-out', 'leaf.csr'], dir);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '0x4e56320001',
    '-days', '30', '-extfile', 'ext.cnf', '-extensions', 'leaf', '-out', 'leaf.pem'], dir);
  writeFileSync(join(dir, 'chain.pem'), readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'));
  /** A fresh CRL of the root (DER bytes, also written to crl.der); `revokeLeaf` lists the leaf. */
  const makeCrl = (revokeLeaf = false) => {
    if (revokeLeaf) openssl(['ca', '-config', 'ext.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', '-revoke', 'leaf.pem', '-crl_reason', 'keyCompromise'], dir);
    openssl(['ca', '-gencrl', '-config', 'ext.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', '-out', 'crl.pem'], dir);
    openssl(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der'], dir);
    return new Uint8Array(readFileSync(join(dir, 'crl.der')));
  };
  return {
    dir,
    rootFile: join(dir, 'root.pem'),
    root: readFileSync(join(dir, 'root.pem'), 'utf8'),
    keyFile: join(dir, 'leaf.key'),
    chainFile: join(dir, 'chain.pem'),
    crlFile: join(dir, 'crl.der'),
    crl: makeCrl(),
    makeCrl,
  };
}
