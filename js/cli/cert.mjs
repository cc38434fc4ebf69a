// `nv2 cert`: the trust store (add, list, show, delete) and test keys (generate-test), laid out
// as notation's truststore/x509/<type>/<name>/ (see config.mjs).
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import * as nv2 from '../node.js';
import { parseArgs, UsageError } from './args.mjs';
import { checkStoreArgs, localkeysDir, readCertificates, storeDir, STORE_TYPES, truststoreRoot, writePrivate } from './config.mjs';
import { HELP, noPositionals, onePositional, output, OUTPUT, printJson } from './common.mjs';
import { readSigningKeys, signingKeysPath } from './keys.mjs';
import { generateTestCertificates, KEY_TYPES } from './x509gen.mjs';

export const groups = { cert: { aliases: { ls: 'list', rm: 'delete' } } };

const STORE_OPTS = {
  type: { type: 'string', short: 't', value: 'ca|signingAuthority|tsa', desc: 'trust store type' },
  store: { type: 'string', short: 's', value: 'name', desc: 'named trust store' },
};

function requireStoreArgs(values, command) {
  if (values.type === undefined) throw new UsageError('--type is required', command);
  if (values.store === undefined) throw new UsageError('--store is required', command);
  checkStoreArgs(values.type, values.store, command);
}

const x509Dir = () => join(truststoreRoot(), 'x509');
const oneLineDn = (dn) => dn.split('\n').join(', ');
const thumbprint = (c) => c.fingerprint256.replace(/:/g, '').toLowerCase();
const selfSigned = (c) => c.checkIssued(c) && c.verify(c.publicKey);

export const commands = {};

commands['cert add'] = {
  summary: 'Add certificates to a named trust store',
  usage: 'nv2 cert add --type <type> --store <name> <file>...',
  options: { ...STORE_OPTS, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    if (positionals.length === 0) throw new UsageError('missing certificate file(s)', command);
    const dir = storeDir(x509Dir(), values.type, values.store);
    for (const file of positionals) {
      if (!existsSync(file)) throw nv2.createError('ERR_INVALID_ARGUMENT', `certificate file ${file} does not exist`);
      const certs = readCertificates(file);
      for (const c of certs) {
        if (values.type === 'tsa' && !(c.ca && selfSigned(c))) {
          throw nv2.createError('ERR_TRUST_STORE', `${file}: a tsa store takes self-signed root CA certificates only (${oneLineDn(c.subject)})`);
        }
        if (values.type !== 'tsa' && !c.ca && !selfSigned(c)) {
          throw nv2.createError('ERR_TRUST_STORE', `${file}: ${oneLineDn(c.subject)} is neither a CA nor self-signed`);
        }
      }
      if (existsSync(join(dir, basename(file)))) {
        throw nv2.createError('ERR_INVALID_ARGUMENT', `certificate ${basename(file)} already exists in ${values.type}:${values.store}`);
      }
    }
    mkdirSync(dir, { recursive: true });
    for (const file of positionals) copyFileSync(file, join(dir, basename(file)));
    process.stdout.write(
      `Successfully added following certificates to named store ${values.store} of type ${values.type}:\n` +
        positionals.map((f) => `${basename(f)}\n`).join(''),
    );
    return 0;
  },
};

commands['cert list'] = {
  summary: 'List trust store certificates (alias: ls)',
  usage: 'nv2 cert list [--type <type>] [--store <name>]',
  options: { ...STORE_OPTS, ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    noPositionals(positionals, command);
    checkStoreArgs(values.type, values.store, command);
    const out = output(values, command);
    const rows = [];
    for (const type of values.type ? [values.type] : STORE_TYPES) {
      const tdir = join(x509Dir(), type);
      if (!existsSync(tdir)) continue;
      for (const store of readdirSync(tdir).sort()) {
        if (values.store && store !== values.store) continue;
        const sdir = join(tdir, store);
        if (!lstatSync(sdir).isDirectory()) continue;
        for (const file of readdirSync(sdir).sort()) {
          if (lstatSync(join(sdir, file)).isFile()) rows.push({ type, store, file, path: join(sdir, file) });
        }
      }
    }
    if (out === 'json') printJson(rows);
    else if (rows.length === 0) process.stdout.write('No certificates found\n');
    else {
      const w1 = Math.max(10, ...rows.map((r) => r.type.length)) + 2;
      const w2 = Math.max(10, ...rows.map((r) => r.store.length)) + 2;
      process.stdout.write('STORE TYPE'.padEnd(w1) + 'STORE NAME'.padEnd(w2) + 'CERTIFICATE\n');
      for (const r of rows) process.stdout.write(r.type.padEnd(w1) + r.store.padEnd(w2) + r.file + '\n');
    }
    return 0;
  },
};

commands['cert show'] = {
  summary: 'Show the certificates of a trust store file',
  usage: 'nv2 cert show --type <type> --store <name> <file>',
  options: { ...STORE_OPTS, ...OUTPUT, ...HELP },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    const file = onePositional(positionals, 'certificate file name', command);
    const out = output(values, command);
    const path = join(storeDir(x509Dir(), values.type, values.store), basename(file));
    if (!existsSync(path)) {
      throw nv2.createError('ERR_TRUST_STORE', `certificate ${basename(file)} not found in ${values.type}:${values.store}`);
    }
    const certs = readCertificates(path).map((c) => ({
      subject: oneLineDn(c.subject),
      issuer: oneLineDn(c.issuer),
      serialNumber: c.serialNumber.toLowerCase(),
      notBefore: new Date(c.validFrom).toISOString(),
      notAfter: new Date(c.validTo).toISOString(),
      isCA: c.ca,
      sha256Thumbprint: thumbprint(c),
    }));
    if (out === 'json') printJson(certs);
    else {
      for (const c of certs) {
        process.stdout.write(
          'Certificate details\n' +
            '-'.repeat(80) +
            `\nIssuer: ${c.issuer}\nSubject: ${c.subject}\nSerial number: ${c.serialNumber}\n` +
            `Valid from: ${c.notBefore}\nValid to: ${c.notAfter}\nIsCA: ${c.isCA}\n` +
            `SHA256 Thumbprint: ${c.sha256Thumbprint}\n\n`,
        );
      }
    }
    return 0;
  },
};

async function confirm(question, yes, command) {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('confirmation needed: pass -y/--yes when stdin is not a terminal', command);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise((r) => rl.question(`${question} [y/N] `, r));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

commands['cert delete'] = {
  summary: 'Delete a certificate file, or all certificates, of a named trust store',
  usage: 'nv2 cert delete --type <type> --store <name> (--all | <file>) [-y]',
  options: {
    ...STORE_OPTS,
    all: { type: 'boolean', desc: 'delete the whole named store' },
    yes: { type: 'boolean', short: 'y', desc: 'do not ask for confirmation' },
    ...HELP,
  },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    requireStoreArgs(values, command);
    if (values.all && positionals.length) throw new UsageError('give either --all or a file name, not both', command);
    if (!values.all && positionals.length !== 1) throw new UsageError('give --all or exactly one certificate file name', command);
    const dir = storeDir(x509Dir(), values.type, values.store);
    if (!existsSync(dir)) throw nv2.createError('ERR_TRUST_STORE', `trust store ${values.type}:${values.store} does not exist`);
    const target = values.all ? dir : join(dir, basename(positionals[0]));
    if (!values.all && !existsSync(target)) {
      throw nv2.createError('ERR_TRUST_STORE', `certificate ${basename(positionals[0])} not found in ${values.type}:${values.store}`);
    }
    const what = values.all ? `all certificates of ${values.type}:${values.store}` : `${basename(target)} from ${values.type}:${values.store}`;
    if (!(await confirm(`Delete ${what}?`, values.yes, command))) {
      process.stderr.write('Nothing deleted\n');
      return 1;
    }
    rmSync(target, { recursive: true, force: true });
    process.stdout.write(`Successfully deleted ${what}\n`);
    return 0;
  },
};

commands['cert generate-test'] = {
  summary: 'Generate a test CA and signing key/certificate; trust the CA in store ca:<name>',
  usage: 'nv2 cert generate-test [--key-type <type>] [--default] <name>',
  options: {
    'key-type': { type: 'string', value: KEY_TYPES.join('|'), desc: 'key type (default p256)' },
    default: { type: 'boolean', desc: 'make it the default signing key' },
    ...HELP,
  },
  run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const name = onePositional(positionals, 'key name', command);
    if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new UsageError(`"${name}" is not a valid name (letters, digits, _ . -)`, command);
    const keyType = values['key-type'] ?? 'p256';
    if (!KEY_TYPES.includes(keyType)) throw new UsageError(`--key-type must be one of ${KEY_TYPES.join(', ')}`, command);
    const keyPath = join(localkeysDir(), `${name}.key`);
    const certPath = join(localkeysDir(), `${name}.crt`);
    if (existsSync(keyPath)) throw nv2.createError('ERR_INVALID_ARGUMENT', `signing key ${name} already exists (${keyPath})`);
    const g = generateTestCertificates(name, { keyType });
    writePrivate(keyPath, g.leafKeyPem);
    writeFileSync(certPath, g.leafCertPem + g.caCertPem);
    const storeFile = join(storeDir(x509Dir(), 'ca', name), `${name}.crt`);
    mkdirSync(join(storeFile, '..'), { recursive: true });
    writeFileSync(storeFile, g.caCertPem);
    const keys = readSigningKeys();
    keys.keys = keys.keys.filter((k) => k.name !== name).concat([{ name, keyPath, certPath }]);
    if (values.default) keys.default = name;
    writeFileSync(signingKeysPath(), JSON.stringify(keys, null, 2) + '\n');
    const leaf = new X509Certificate(g.leafCertPem);
    process.stdout.write(
      `generated ${keyType} key "${name}"; certificate expires ${new Date(leaf.validTo).toISOString()}\n` +
        `wrote key: ${keyPath}\nwrote certificate chain: ${certPath}\n` +
        `Successfully added ${name}.crt to named store ${name} of type ca\n` +
        (values.default ? `${name}: marked as the default signing key\n` : ''),
    );
    return 0;
  },
};
