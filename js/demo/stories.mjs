#!/usr/bin/env node
// `make demo`: the three Notary Project user stories, played with the nv2 command line against two
// local CNCF distribution registries (Debian's `docker-registry`), one for wabbit-networks and one
// for acme-rockets, and a real OCI image `net-monitor:v1` built here and pushed with skopeo.
//
//   Story 1  wabbit-networks signs net-monitor:v1; another node that trusts only the
//            wabbit-networks CA verifies it.
//   Story 2  acme-rockets copies the image with its signature into its own registry (`nv2 copy`)
//            and verifies it there.
//   Story 3  acme-rockets verifies the image at the source, copies it, adds its own signature and
//            deploys under a policy that requires acme-rockets' signature.
//   Contrast `skopeo copy` of the same image carries no signature: the reason `nv2 copy` exists.
//   Story 4  air-gapped: acme-rockets signs a release with a certificate that names a CRL
//            distribution point (a small CRL server on 127.0.0.1), attaches the CRL to the image
//            (`nv2 crl refresh`), copies it into an isolated registry, and the isolated cluster
//            verifies it there with `--offline` once the CRL server is gone.
//
// Each machine of the stories is an nv2 configuration directory ($NV2_CONFIG) of its own. The
// script prints every command with its output, checks each step, ends with a summary table and
// exits 1 if any story failed. Registries and temporary files are removed at exit, on failure and
// on Ctrl-C; with --keep (or KEEP=1) the registries keep serving until Ctrl-C.
//
// Usage: node js/demo/stories.mjs [--keep] [--nv2 <nv2 command>]
//        (default command: the package installed by `make pack`, else pkg/cli/nv2.mjs)
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exitCodeOnSignal,
  nv2Command,
  removeAtExit,
  requireTool,
  run,
  skopeoPolicyArgs,
  startRegistry,
  stopAll,
  writeOciImage,
} from './support.mjs';
// The CRL-issuing PKI and its HTTP server, shared with tests/js/cli-crl.test.mjs.
import { makeCrlPki, startCrlServer } from '../../tests/js/support/crl-pki.mjs';

const { values: opts } = parseArgs({
  options: {
    keep: { type: 'boolean', default: ['1', 'true', 'yes'].includes(process.env.KEEP ?? '') },
    nv2: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log('Usage: node js/demo/stories.mjs [--keep] [--nv2 <nv2 command>]   (KEEP=1 = --keep)');
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Output

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const cyan = paint('36');
const OK = green('✓');
const FAIL = red('✗');

const WORK = removeAtExit(mkdtempSync(join(tmpdir(), 'nv2-demo-')));
const HOME = join(WORK, 'home'); // nv2 and skopeo never read the user's own files
mkdirSync(HOME, { recursive: true });
const NV2 = nv2Command(opts.nv2);

/** Makes paths under the work directory short in the output. */
const short = (s) => s.split(WORK).join('$WORK');
const indent = (text, pad = '      ') =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => pad + l)
    .join('\n');

const seenStderr = new Set();
/** Prints a command's output; repeated stderr lines (the same warning again) are printed once. */
function printOutput(r, { maxLines = 14 } = {}) {
  const out = short(r.stdout).replace(/\s+$/, '');
  if (out) {
    const lines = out.split('\n');
    const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`] : lines;
    console.log(indent(shown.join('\n')));
  }
  let repeated = 0;
  for (const line of short(r.stderr).split('\n').filter((l) => l.trim())) {
    if (seenStderr.has(line)) {
      repeated++;
      continue;
    }
    if (line.startsWith('Warning: ')) seenStderr.add(line);
    // Warnings and errors are marked "!", progress lines (nv2 copy) "·".
    console.log(/^\s*(Warning|Error|signature)\b/.test(line) ? indent(line, '    ! ') : dim(indent(line, '    · ')));
  }
  if (repeated) console.log(dim(`    ! (${repeated} warning line${repeated > 1 ? 's' : ''} as above)`));
}

// ---------------------------------------------------------------------------------------------
// Stories and steps

class StepFailed extends Error {}
const stories = [];
let current;

function heading(title) {
  console.log('\n' + bold(cyan(`── ${title} `.padEnd(96, '─'))));
}

/** Runs `body` as one story: a failing step ends the story and marks it failed. */
async function story(name, title, body) {
  current = { name, title, steps: 0, last: '', failed: null };
  stories.push(current);
  heading(`${name}: ${title}`);
  try {
    await body();
  } catch (e) {
    current.failed = `step ${current.steps} (${current.last}): ${e instanceof StepFailed ? e.message : e.message ?? e}`;
    if (!(e instanceof StepFailed)) console.log(`  ${FAIL} ${red('unexpected error:')} ${e.stack ?? e}`);
  }
  const s = current;
  console.log(s.failed ? `\n  ${FAIL} ${red(`${name} failed`)}: ${s.failed}` : `\n  ${OK} ${green(`${name} passed`)} (${s.steps} steps)`);
}

/** Records a check: prints ✓ or ✗ and throws (ending the story) when it does not hold. */
function check(ok, what, detail = '') {
  if (ok) {
    console.log(`    ${OK} ${what}`);
    return;
  }
  console.log(`    ${FAIL} ${red(what)}${detail ? `: ${detail}` : ''}`);
  throw new StepFailed(detail ? short(detail) : what);
}

/** A machine of the stories: an nv2 configuration directory ($NV2_CONFIG) of its own. */
function machine(label, dirName) {
  const config = join(WORK, 'machines', dirName);
  mkdirSync(config, { recursive: true });
  return {
    label,
    config,
    env: {
      ...process.env,
      NV2_CONFIG: config,
      HOME,
      DOCKER_CONFIG: join(HOME, '.docker'),
      NV2_USERNAME: undefined,
      NV2_PASSWORD: undefined,
      NV2_DEBUG: '',
    },
  };
}

/**
 * Runs `nv2 args` on `m`, prints the command and its output, checks the exit code (`expect`:
 * 0 = success, 1 = must fail) and returns `{ code, stdout, stderr, json }` (json: parsed stdout
 * when `-o json` was asked for).
 */
async function nv2(m, args, { expect = 0, quiet = false, maxLines } = {}) {
  current.steps++;
  current.last = `nv2 ${args[0] === 'cert' || args[0] === 'policy' ? args.slice(0, 2).join(' ') : args[0]}`;
  console.log(`\n  ${dim(`[${m.label}]`)} ${bold('$ nv2 ' + short(args.join(' ')))}`);
  const r = await run(process.execPath, [NV2, ...args], { env: m.env });
  if (!quiet || r.code !== expect) printOutput(r, { maxLines });
  const json = args.includes('json') && r.code === 0 ? JSON.parse(r.stdout) : undefined;
  const error = r.stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? '';
  const secs = `${(r.ms / 1000).toFixed(2)} s`;
  if (expect === 0) check(r.code === 0, r.code === 0 ? `exit 0 (${secs})` : 'expected exit 0', `exit ${r.code}${error ? `, ${error}` : ''}`);
  else check(r.code === expect, r.code === expect ? `fails as expected (exit ${r.code}, ${secs})` : `expected exit ${expect}`, `exit ${r.code}`);
  return { ...r, json };
}

const SKOPEO_POLICY = skopeoPolicyArgs(WORK);
async function skopeo(args) {
  current.steps++;
  current.last = `skopeo ${args[0]}`;
  console.log(`\n  ${dim('[skopeo]')} ${bold('$ skopeo ' + short(args.join(' ')))}`);
  const r = await run('skopeo', [...SKOPEO_POLICY, ...args], { env: { ...process.env, HOME } });
  printOutput(r);
  check(r.code === 0, r.code === 0 ? `exit 0 (${(r.ms / 1000).toFixed(2)} s)` : 'expected exit 0', `exit ${r.code}`);
  return r;
}

/** Notation's form of a certificate subject for `trustedIdentities` ("C=US, ST=WA, …"). */
const subjectOf = (pemFile) => new X509Certificate(readFileSync(pemFile)).subject.split('\n').join(', ');

/** Writes a trust policy file: one statement per entry of `statements`. */
function policyFile(name, statements) {
  const file = join(WORK, `${name}.trustpolicy.json`);
  const doc = {
    version: '1.0',
    trustPolicies: statements.map((s) => ({
      name: s.name,
      registryScopes: s.scopes,
      signatureVerification: { level: 'strict' },
      trustStores: s.stores,
      trustedIdentities: s.identities,
    })),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`\n  trust policy ${short(file)} (strict):`);
  for (const s of statements) console.log(`      ${s.name}: ${s.scopes.join(', ')} → ${s.stores.join(', ')}; ${s.identities.join('; ')}`);
  return file;
}

/** Sets up a verifying machine holding only `certs` ([{ store, file }]) and the policy file. */
async function trustOnly(m, certs, policy) {
  for (const c of certs) await nv2(m, ['cert', 'add', '--type', 'ca', '--store', c.store, c.file]);
  await nv2(m, ['policy', 'import', policy]);
}

/** `nv2 inspect -o json`: prints and returns [{ digest, signer }] of the artifact's signatures. */
async function signaturesOf(m, ref) {
  const r = await nv2(m, ['inspect', '-o', 'json', ref], { quiet: true });
  const sigs = r.json.signatures.map((s) => ({ digest: s.descriptor.digest, signer: s.chain[0]?.subject }));
  for (const s of sigs) console.log(`      ${s.digest.slice(0, 19)}…  signed by ${s.signer}`);
  if (!sigs.length) console.log('      (no signatures)');
  return { digest: r.json.digest, sigs };
}

// ---------------------------------------------------------------------------------------------
// The registries, the image and the keys

requireTool('skopeo', ['--version'], 'skopeo');
requireTool('openssl', ['version'], 'openssl');
const versions = {
  nv2: (await run(process.execPath, [NV2, 'version'])).stdout.split('\n')[0],
  skopeo: (await run('skopeo', ['--version'])).stdout.trim(),
  registry: (await run('docker-registry', ['--version'])).stdout.trim(),
};
console.log(bold('nv2 demo: the three Notary Project user stories on two local registries, and an air-gapped one'));
console.log(`  nv2       ${versions.nv2} (${relative(process.cwd(), NV2) || NV2})`);
console.log(`  tools     ${versions.skopeo}; ${versions.registry}`);
console.log(`  work dir  ${WORK} ($WORK below; ${opts.keep ? 'kept while serving' : 'removed at exit'})`);

const wabbitReg = await startRegistry(join(WORK, 'registries', 'wabbit-networks'), 'wabbit-networks');
const acmeReg = await startRegistry(join(WORK, 'registries', 'acme-rockets'), 'acme-rockets');
console.log(`  registry  wabbit-networks  ${wabbitReg.url}  (pid ${wabbitReg.pid})`);
console.log(`  registry  acme-rockets     ${acmeReg.url}  (pid ${acmeReg.pid})`);
const W = wabbitReg.host;
const A = acmeReg.host;

// The machines (one $NV2_CONFIG each).
const wabbitBuild = machine('wabbit-networks build', 'wabbit-networks-build');
const acmeBuild = machine('acme-rockets build', 'acme-rockets-build');
const consumer = machine('consumer node', 'consumer-node');
const acmeImport = machine('acme-rockets import', 'acme-rockets-import');
const acmeCluster = machine('acme-rockets cluster', 'acme-rockets-cluster');
const acmeProd = machine('acme-rockets production', 'acme-rockets-production');
const isolatedCluster = machine('isolated cluster', 'isolated-cluster');

const keys = {};
let image;
let wabbitSignature; // digest of wabbit-networks' signature manifest (story 1)
const src = `${W}/net-monitor:v1`;

await story('Setup', 'keys, image and registries', async () => {
  for (const [m, name] of [
    [wabbitBuild, 'wabbit-networks'],
    [acmeBuild, 'acme-rockets'],
  ]) {
    await nv2(m, ['cert', 'generate-test', name]);
    const k = {
      ca: join(m.config, 'truststore', 'x509', 'ca', name, `${name}.crt`),
      chain: join(m.config, 'localkeys', `${name}.crt`),
    };
    const leaf = new X509Certificate(readFileSync(k.chain)); // the first certificate of the chain
    const ca = new X509Certificate(readFileSync(k.ca));
    k.subject = subjectOf(k.chain);
    k.caSubject = subjectOf(k.ca);
    check(
      ca.ca && !leaf.ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey),
      `${name}: CA "${k.caSubject}" issued the signing certificate "${k.subject}"`,
    );
    keys[name] = k;
  }

  console.log(`\n  building the OCI image net-monitor:v1 in $WORK/net-monitor (OCI image layout)`);
  const files = {
    bin: [
      {
        path: 'usr/local/bin/net-monitor',
        mode: 0o755,
        data: '#!/bin/sh\n# net-monitor: prints the interfaces every $INTERVAL seconds\nwhile true; do cat /proc/net/dev; sleep "${INTERVAL:-5}"; done\n',
      },
    ],
    etc: [
      { path: 'etc/net-monitor/net-monitor.conf', data: 'interval=5\ninterfaces=eth0,eth1\n' },
      { path: 'etc/net-monitor/VERSION', data: 'v1\n' },
    ],
    doc: [{ path: 'usr/share/doc/net-monitor/README', data: 'net-monitor v1 by wabbit-networks\n' }],
  };
  image = writeOciImage(join(WORK, 'net-monitor'), 'v1', Object.values(files), {
    annotations: { 'org.opencontainers.image.title': 'net-monitor', 'org.opencontainers.image.vendor': 'wabbit-networks' },
  });
  for (const [i, l] of image.layers.entries()) {
    const names = Object.values(files)[i].map((f) => f.path);
    console.log(`      layer  ${l.digest.slice(0, 19)}…  ${String(l.size).padStart(4)} B  tar.gz of ${names.join(', ')}`);
    const listed = await run('tar', ['-tzf', join(WORK, 'net-monitor', 'blobs', 'sha256', l.digest.slice(7))]);
    check(listed.code === 0 && listed.stdout.trim() === names.join('\n'), `tar -tzf lists ${names.length} file(s)`, listed.stderr.trim());
  }
  console.log(`      config ${image.config.digest.slice(0, 19)}…  ${String(image.config.size).padStart(4)} B`);
  console.log(`      image  ${image.manifest.digest}  (OCI image manifest, ${image.manifest.size} B)`);
  check(image.layers.length === 3, 'three tar.gz layers, an OCI config and an OCI manifest written');
});

await story('Story 1', 'wabbit-networks signs net-monitor:v1; another node verifies it', async () => {
  const push = await skopeo([
    'copy',
    '--preserve-digests',
    `oci:${join(WORK, 'net-monitor')}:v1`,
    `docker://${src}`,
    '--dest-tls-verify=false',
  ]);
  check(/Writing manifest/.test(push.stdout), 'pushed to the wabbit-networks registry');

  const unsigned = await nv2(consumer, ['list', src]);
  check(/no associated signature/.test(unsigned.stdout), 'not signed yet');

  const signed = await nv2(wabbitBuild, ['sign', '--key', 'wabbit-networks', src]);
  check(signed.stdout.includes(image.manifest.digest), 'signed by digest (the tag resolved to the pushed image)');
  wabbitSignature = /signature manifest (sha256:[0-9a-f]{64})/.exec(signed.stdout)?.[1];

  await nv2(wabbitBuild, ['list', src]);

  console.log(`\n  ${bold('another node')}: a fresh $NV2_CONFIG that holds only the wabbit-networks CA and a trust policy`);
  const policy = policyFile('consumer-node', [
    {
      name: 'wabbit-networks images',
      scopes: [`${W}/net-monitor`],
      stores: ['ca:wabbit-networks'],
      identities: [`x509.subject: ${keys['wabbit-networks'].subject}`],
    },
  ]);
  await trustOnly(consumer, [{ store: 'wabbit-networks', file: keys['wabbit-networks'].ca }], policy);
  const v = await nv2(consumer, ['verify', src]);
  check(/Signed by: CN=wabbit-networks,/.test(v.stdout), 'verified: signed by wabbit-networks');
});

// The acme-rockets cluster (story 2 and the skopeo contrast) trusts the wabbit-networks CA for the
// repositories images are copied to; set up by whichever of the two runs first.
let clusterReady = false;
async function acmeClusterTrust() {
  if (clusterReady) return;
  console.log(`\n  ${bold('acme-rockets cluster')}: trusts only the wabbit-networks CA, for the repositories copies land in`);
  const policy = policyFile('acme-rockets-cluster', [
    {
      name: 'wabbit-networks images copied to acme-rockets',
      scopes: [`${A}/net-monitor`, `${A}/skopeo/net-monitor`],
      stores: ['ca:wabbit-networks'],
      identities: [`x509.subject: ${keys['wabbit-networks'].subject}`],
    },
  ]);
  await trustOnly(acmeCluster, [{ store: 'wabbit-networks', file: keys['wabbit-networks'].ca }], policy);
  clusterReady = true;
}

await story('Story 2', 'acme-rockets copies net-monitor:v1 with its signature and verifies it', async () => {
  const dst = `${A}/net-monitor:v1`;
  const copy = await nv2(acmeImport, ['copy', src, dst]);
  check(copy.stdout.includes(`Digest: ${image.manifest.digest}`), 'the copy has the same digest as the source');
  check(/referrers: 1 copied/.test(copy.stdout), 'the signature came along (1 referrer copied)');

  const at = await signaturesOf(acmeImport, dst);
  check(
    at.sigs.length === 1 && at.sigs[0].signer.includes('CN=wabbit-networks,'),
    'acme-rockets holds the wabbit-networks signature',
  );
  check(at.sigs[0].digest === wabbitSignature, 'the same signature manifest, byte for byte (same digest as at the source)');

  await acmeClusterTrust();
  const v = await nv2(acmeCluster, ['verify', dst]);
  check(/Signed by: CN=wabbit-networks,/.test(v.stdout), 'verified at acme-rockets: signed by wabbit-networks');
});

await story('Contrast', 'skopeo copy of the same image carries no signature', async () => {
  const dst = `${A}/skopeo/net-monitor:v1`;
  await skopeo(['copy', '--preserve-digests', `docker://${src}`, `docker://${dst}`, '--src-tls-verify=false', '--dest-tls-verify=false']);
  const at = await nv2(acmeCluster, ['list', '-o', 'json', dst], { quiet: true });
  console.log(`      digest ${at.json.digest}; ${at.json.signatures.length} signatures`);
  check(at.json.digest === image.manifest.digest, 'same image digest as the source');
  check(at.json.signatures.length === 0, 'but no signature: nv2 list shows none');
  await acmeClusterTrust();
  const v = await nv2(acmeCluster, ['verify', dst], { expect: 1 });
  check(/ERR_NO_SIGNATURE/.test(v.stderr), 'nv2 verify fails: no signature is associated with the copy');
});

await story('Story 3', 'acme-rockets verifies, imports, signs and deploys under its own policy', async () => {
  const dst = `${A}/approved/net-monitor:v1`;
  console.log(`\n  ${bold('acme-rockets import')}: verifies the wabbit-networks signature at the source first`);
  const importPolicy = policyFile('acme-rockets-import', [
    {
      name: 'wabbit-networks source',
      scopes: [`${W}/net-monitor`],
      stores: ['ca:wabbit-networks'],
      identities: [`x509.subject: ${keys['wabbit-networks'].subject}`],
    },
  ]);
  await trustOnly(acmeImport, [{ store: 'wabbit-networks', file: keys['wabbit-networks'].ca }], importPolicy);
  await nv2(acmeImport, ['verify', src]);

  const copy = await nv2(acmeImport, ['copy', src, dst]);
  check(copy.stdout.includes(`Digest: ${image.manifest.digest}`), 'the copy has the same digest as the source');

  const signed = await nv2(acmeBuild, ['sign', '--key', 'acme-rockets', dst]);
  check(signed.stdout.includes(image.manifest.digest), 'acme-rockets signed the same digest');

  await nv2(acmeProd, ['list', dst]);
  const at = await signaturesOf(acmeProd, dst);
  const signers = at.sigs.map((s) => s.signer).sort();
  check(
    signers.length === 2 && signers[0].startsWith('CN=acme-rockets,') && signers[1].startsWith('CN=wabbit-networks,'),
    'both signatures: wabbit-networks and acme-rockets',
  );

  console.log(`\n  ${bold('acme-rockets production')}: trusts only the acme-rockets CA and requires acme-rockets' identity`);
  const prodPolicy = policyFile('acme-rockets-production', [
    {
      name: 'approved by acme-rockets',
      scopes: [`${A}/approved/net-monitor`, `${A}/net-monitor`],
      stores: ['ca:acme-rockets'],
      identities: [`x509.subject: ${keys['acme-rockets'].subject}`],
    },
  ]);
  await trustOnly(acmeProd, [{ store: 'acme-rockets', file: keys['acme-rockets'].ca }], prodPolicy);
  const v = await nv2(acmeProd, ['verify', dst]);
  check(/Signed by: CN=acme-rockets,/.test(v.stdout), 'verified: signed by acme-rockets');

  console.log(`\n  the same policy rejects the story 2 copy, which carries only wabbit-networks' signature:`);
  await nv2(acmeProd, ['verify', `${A}/net-monitor:v1`], { expect: 1 });
});

let isolatedReg;
await story('Story 4', 'air-gapped: revocation data travels with the image into an isolated registry', async () => {
  const crlServer = await startCrlServer();
  let serving = true;
  try {
    const crlUrl = crlServer.url('/acme-rockets-release.crl');
    console.log(`\n  ${bold('acme-rockets release PKI')}: a CA whose signing certificate names the CRL distribution point ${crlUrl}`);
    const release = makeCrlPki(join(WORK, 'acme-rockets-release-pki'), { crlUrl, name: 'acme-rockets release' });
    crlServer.set('/acme-rockets-release.crl', release.crl);
    console.log(`      CRL server  ${crlUrl}  (serves the CA's CRL, ${release.crl.length} B)`);
    isolatedReg = await startRegistry(join(WORK, 'registries', 'isolated'), 'isolated');
    console.log(`      registry    isolated  ${isolatedReg.url}  (pid ${isolatedReg.pid}; reaches no CRL server)`);

    const rel = `${A}/release/net-monitor:v1`;
    await nv2(acmeImport, ['copy', src, rel]);
    const signed = await nv2(acmeBuild, ['sign', '--key', release.keyFile, '--cert', release.chainFile, rel]);
    check(signed.stdout.includes(image.manifest.digest), 'signed with the release certificate');
    const pinned = `${A}/release/net-monitor@${image.manifest.digest}`;

    const refreshed = await nv2(acmeBuild, ['crl', 'refresh', pinned]);
    check(crlServer.requests.length === 1, 'the CRL was downloaded from its distribution point');
    check(/^Attached 1 CRL\(s\)/m.test(refreshed.stdout), 'and attached to the image as a referrer');

    await crlServer.stop();
    serving = false;
    console.log(`\n  the CRL server is stopped: from here on no revocation source is reachable`);

    const dst = `${isolatedReg.host}/net-monitor:v1`;
    const copy = await nv2(acmeImport, ['copy', rel, dst]);
    check(/referrers: 3 copied/.test(copy.stdout), "both signatures (wabbit-networks', the release) and the revocation data came along (3 referrers copied)");

    console.log(`\n  ${bold('isolated cluster')}: a fresh $NV2_CONFIG holding only the release CA and a trust policy`);
    const policy = policyFile('isolated-cluster', [
      {
        name: 'acme-rockets releases',
        scopes: [`${isolatedReg.host}/net-monitor`],
        stores: ['ca:acme-rockets-release'],
        identities: [`x509.subject: ${subjectOf(release.chainFile)}`],
      },
    ]);
    await trustOnly(isolatedCluster, [{ store: 'acme-rockets-release', file: release.rootFile }], policy);
    const v = await nv2(isolatedCluster, ['verify', '--offline', dst]);
    check(/revocation: passed/.test(v.stdout), 'verified offline: the revocation check passed with the attached CRL');
  } finally {
    if (serving) await crlServer.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// Summary

heading('Summary');
const rows = stories.map((s) => [s.name, s.title, String(s.steps), s.failed ? 'FAIL' : 'pass']);
const head = ['story', 'what', 'steps', 'result'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => '  ' + cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(bold(line(head)));
console.log('  ' + widths.map((w) => '─'.repeat(w)).join('  '));
for (const r of rows) {
  const text = line(r);
  console.log(r[3] === 'pass' ? text.replace(/pass\s*$/, green('pass')) : text.replace(/FAIL\s*$/, red('FAIL')));
}
const failed = stories.filter((s) => s.failed);
for (const s of failed) console.log(`  ${FAIL} ${s.name}: ${s.failed}`);
console.log(failed.length ? red(`\n${failed.length} of ${stories.length} failed`) : green(`\nall ${stories.length} passed`));
const exitCode = failed.length ? 1 : 0;

if (opts.keep) {
  exitCodeOnSignal(exitCode);
  console.log(`\nKeeping the registries serving (Ctrl-C stops them and removes ${WORK}):`);
  console.log(`  wabbit-networks  ${wabbitReg.url}   e.g. NV2_CONFIG=${consumer.config} ${NV2} verify ${src}`);
  console.log(`  acme-rockets     ${acmeReg.url}   e.g. NV2_CONFIG=${acmeProd.config} ${NV2} verify ${A}/approved/net-monitor:v1`);
  setInterval(() => {}, 1 << 30);
} else {
  await wabbitReg.stop();
  await acmeReg.stop();
  await isolatedReg?.stop();
  stopAll();
  process.exit(exitCode);
}
