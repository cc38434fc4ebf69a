#!/usr/bin/env node
// Browser end-to-end tests in Debian's headless Chromium through playwright-core (never downloads
// a browser). Suites:
//   api      tests/browser/page/: the package's browser entry, WebCrypto signers, a registry
//            without auth reached cross-origin (CORS);
//   auth     auth.mjs + page/auth.js: htpasswd Basic and token auth through www/serve.mjs's
//            same-origin proxy, credentials from the page's callback;
//   portal   portal.mjs: drives the www/ portal page (list, sign, verify, verdicts).
// Usage:
//   node tests/browser/run.mjs --pkg pkg --pki tests/.work/pki --python tests/.work/venv/bin/python \
//     [--screenshot out.png] [--portal-screenshot portal.png] [--only api,auth,portal]
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startRegistry, pushImage } from '../js/support/registry.mjs';
import { authSuite } from './auth.mjs';
import { portalSuite } from './portal.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    pkg: { type: 'string', default: 'pkg' },
    pki: { type: 'string', default: 'tests/.work/pki' },
    screenshot: { type: 'string' },
    'portal-screenshot': { type: 'string' },
    python: { type: 'string', default: process.env.NV2_PYTHON ?? 'python3' },
    only: { type: 'string', default: 'api,auth,portal' },
    chromium: { type: 'string', default: process.env.CHROMIUM ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60000' },
  },
});
const pkgDir = resolve(args.pkg);
const pageDir = join(here, 'page');
const index = JSON.parse(readFileSync(join(resolve(args.pki), 'index.json'), 'utf8'));
const suites = new Set(args.only.split(','));
// The token issuer of the token-auth registry runs with this Python (it needs `cryptography`).
process.env.NV2_PYTHON = existsSync(args.python) ? resolve(args.python) : args.python;

const spkiB64 = (pem) =>
  new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const pick = (e) => ({ key: e.key, cert: e.cert, chain: e.chain, root: e.root, spki: spkiB64(e.cert) });
// A real CNCF distribution registry (with CORS headers) for the registry cases: the page signs
// and verifies an image there through the browser's own fetch.
const registry = await startRegistry();
const image = await pushImage(registry.url, 'portal/net-monitor', 'v1');
const fixtures = {
  registry: { host: registry.host, repository: 'portal/net-monitor', tag: 'v1', digest: image.digest },
  p256: pick(index.algorithms.p256),
  p384: pick(index.algorithms.p384),
  rsa2048: pick(index.algorithms.rsa2048),
  untrusted: pick(index.untrusted),
};

// STAND-IN for a CA's OCSP responder and CRL server on a second origin (the page's fetch maps the
// OCSP test leaf's http://ocsp.nv2.test/ and http://crl.nv2.test/ here): it serves the real
// responses make_pki.py built; /cors/… sends CORS headers, /nocors/… does not (most CAs), so the
// browser refuses to hand its answer to the page.
const ocsp = index.ocsp;
const ocspGood = readFileSync(join(resolve(args.pki), ocsp.cases.good.file));
const ca = createServer((req, res) => {
  const cors = req.url.startsWith('/cors/');
  const headers = cors ? { 'access-control-allow-origin': '*' } : {};
  if (req.url.endsWith('.crl')) {
    res.writeHead(404, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/ocsp-response' });
  res.end(ocspGood);
});
await new Promise((r) => ca.listen(0, '127.0.0.1', r));
fixtures.ocsp = {
  key: ocsp.leafEntry.key,
  chain: ocsp.leafEntry.chain,
  root: ocsp.rootEntry.cert,
  // The responses are valid from generation time.
  now: new Date(Date.parse(index.generatedAt) + 60_000).toISOString(),
  ca: `http://127.0.0.1:${ca.address().port}`,
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.css': 'text/css',
};

function serveFile(res, root, rel) {
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return notFound(res);
  if (!existsSync(file) || !statSync(file).isFile()) return notFound(res);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}
function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/' || path === '/index.html') return serveFile(res, pageDir, 'index.html');
  if (path === '/fixtures.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return res.end(JSON.stringify(fixtures));
  }
  if (path === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  // TEST STAND-IN for a misbehaving registry (the real one cannot be slow), same origin as the
  // page: /v2/dl/hang/… accepts and never answers; /v2/dl/trickle/… sends its headers, then one
  // body byte every 1.5 s (deadline checks in page/main.js).
  if (path.startsWith('/v2/dl/hang/')) return;
  if (path.startsWith('/v2/dl/trickle/')) {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.flushHeaders();
    const t = setInterval(() => res.write(' '), 1500);
    return res.on('close', () => clearInterval(t));
  }
  if (path.startsWith('/pkg/')) return serveFile(res, pkgDir, path.slice(5));
  if (path.startsWith('/page/')) return serveFile(res, pageDir, path.slice(6));
  return notFound(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const profile = mkdtempSync(join(tmpdir(), 'nv2-chromium-'));
let exitCode = 1;
let ctx;
try {
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const report = (results) => {
    for (const r of results) {
      if (r.status === 'skip') {
        skipped++;
        console.log(`skip - ${r.name} # ${r.detail}`);
      } else if (r.status === 'pass') {
        passed++;
        console.log(`ok   - ${r.name}${r.detail ? ` (${r.detail})` : ''}`);
      } else {
        failed++;
        console.log(`FAIL - ${r.name}: ${r.detail}`);
      }
    }
  };
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const ua = await page.evaluate(() => navigator.userAgent.match(/Chrom\S+/)?.[0] ?? navigator.userAgent);

  if (suites.has('api')) {
    const pageErrors = [];
    page.on('console', (m) => {
      // The wrong-SRI case makes Chromium log two expected "integrity" errors; show everything else.
      if ((m.type() === 'error' || m.type() === 'warning') && !/integrity/i.test(m.text())) {
        console.log(`[console.${m.type()}] ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => pageErrors.push(e));
    await page.goto(url);
    await page.waitForFunction(() => window.__done === true, null, { timeout: Number(args.timeout) });
    const results = await page.evaluate(() => window.__results);
    if (args.screenshot) {
      await page.screenshot({ path: args.screenshot, fullPage: true });
      console.log(`screenshot: ${args.screenshot}`);
    }
    report(results);
    report(pageErrors.map((e) => ({ name: 'uncaught page error', status: 'fail', detail: e.stack ?? String(e) })));
  }
  if (suites.has('auth')) {
    for (const mode of ['basic', 'token']) report(await authSuite({ ctx, pkgDir, pki: index, mode }));
  }
  if (suites.has('portal')) {
    report(
      await portalSuite({
        ctx,
        pkgDir,
        pki: index,
        pkiDir: resolve(args.pki),
        python: process.env.NV2_PYTHON,
        screenshot: args['portal-screenshot'],
      }),
    );
    if (args['portal-screenshot']) console.log(`screenshot: ${args['portal-screenshot']}`);
  }
  console.log(`browser under test: ${ua}`);
  // The plain closing line CI reads: alone on its line.
  console.log(`browser: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
} catch (e) {
  console.error(`browser test harness error: ${e.stack ?? e}`);
} finally {
  await ctx?.close().catch(() => {});
  server.close();
  ca.close();
  registry.stop();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
