#!/usr/bin/env node
// A small static server for the portal demo: serves www/ at / and the built package (pkg/) at
// /pkg/, with no dependencies. With --registry it also reverse-proxies /v2/ to a registry, so the
// page and the registry share one origin, the way registry portals are usually deployed:
//
//   node www/serve.mjs --registry http://127.0.0.1:5000        # then open http://127.0.0.1:8080/
//
// Why a same-origin proxy: a page on another origin must pass a CORS preflight (OPTIONS, sent
// without credentials) before it may send `Authorization`. CNCF distribution answers that
// preflight with 401 when auth is on, so a cross-origin page cannot use an authenticated
// registry at all. Behind the proxy every request is same-origin: no preflight, no CORS headers
// needed, and credentials never leave the portal's origin.
//
// The proxy also rewrites what would send the browser elsewhere:
// - an absolute `Location` on the registry's origin becomes a path on the portal's origin;
// - a Bearer challenge's token `realm` on another origin becomes /_auth/<n> on the portal's
//   origin, and only those realms (the ones the registry itself announced) are proxied.
//
// Options: --port (default 8080; 0 = any free port), --host (default 127.0.0.1), --pkg (default
// ../pkg beside this file), --registry URL, --connect ORIGIN (repeatable: extra origins the page
// may fetch, e.g. a CORS-enabled registry used without the proxy), --public-origin URL (the origin
// browsers use, e.g. https://portal.example behind a TLS terminator; default http://<Host>).
// Responses carry a Content-Security-Policy: scripts from this origin only (the import map by
// its hash), 'wasm-unsafe-eval' for the WebAssembly module, connect-src 'self' + --connect.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

// Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded.
const HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'host',
]);

/** sha256 CSP source of every inline <script> in the html (the import map). */
function inlineScriptHashes(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/.test(m[0].slice(0, m[0].indexOf('>')))) continue;
    out.push(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  }
  return out;
}

/**
 * Creates (does not start) the portal server.
 * @param {object} o
 * @param {string} [o.www] directory served at / (default: this directory)
 * @param {string} [o.pkg] the built package, served at /pkg/ (default: ../pkg)
 * @param {string} [o.registry] registry base URL to proxy /v2/ to (e.g. http://127.0.0.1:5000)
 * @param {string[]} [o.connect] extra origins for the CSP's connect-src
 * @param {Record<string,string>} [o.mounts] extra static directories by URL prefix ('/x/': dir)
 * @param {string} [o.publicOrigin] the origin browsers use (default http://<Host header>), e.g.
 *   https://portal.example behind a TLS terminator
 * @param {(entry: object) => void} [o.onRequest] called for every request (method, url, headers)
 */
export function createPortalServer(o = {}) {
  const wwwDir = resolve(o.www ?? here);
  const pkgDir = resolve(o.pkg ?? join(here, '..', 'pkg'));
  const upstream = o.registry ? new URL(o.registry) : null;
  if (upstream && !/^https?:$/.test(upstream.protocol)) throw new Error('--registry must be an http(s) URL');
  const mounts = Object.entries(o.mounts ?? {}).map(([p, d]) => [p, resolve(d)]);
  const realms = []; // token realms the registry announced, proxied at /_auth/<index>

  const cspFor = (file) => {
    const hashes = file.endsWith('.html') ? inlineScriptHashes(readFileSync(file, 'utf8')) : [];
    return [
      "default-src 'self'",
      `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
      `connect-src 'self' ${(o.connect ?? []).join(' ')}`.trim(),
      "img-src 'self' data:",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  };

  function send(res, status, type, body) {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  function serveFile(res, root, rel, method) {
    const file = normalize(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'text/plain', 'not found');
    if (!existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain', 'not found');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(file.endsWith('.html') ? { 'content-security-policy': cspFor(file) } : {}),
    });
    if (method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  }

  /** The portal's own origin as the browser sees it (for rewritten absolute URLs). */
  const originOf = (req) => o.publicOrigin ?? `http://${req.headers.host}`;

  function rewriteChallenge(value, req) {
    return value.replace(/\brealm="([^"]*)"/i, (all, realm) => {
      let url;
      try {
        url = new URL(realm);
      } catch {
        return all;
      }
      if (url.origin === originOf(req)) return all;
      let i = realms.indexOf(url.href);
      if (i < 0) i = realms.push(url.href) - 1;
      return `realm="${originOf(req)}/_auth/${i}"`;
    });
  }

  function proxy(req, res, target, { rewrite }) {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    headers['x-forwarded-host'] = req.headers.host;
    headers['x-forwarded-proto'] = new URL(originOf(req)).protocol.slice(0, -1);
    // Same-origin requests may carry the browser's Origin/Referer; the registry needs neither.
    delete headers.origin;
    delete headers.referer;
    delete headers.cookie;
    const lib = target.protocol === 'https:' ? https : http;
    const up = lib.request(target, { method: req.method, headers }, (ur) => {
      const out = {};
      for (const [k, v] of Object.entries(ur.headers)) {
        if (HOP.has(k) || k === 'set-cookie') continue;
        out[k] = v;
      }
      if (rewrite && out.location) {
        const loc = new URL(out.location, target);
        if (loc.origin === upstream.origin) out.location = loc.pathname + loc.search;
      }
      if (rewrite && out['www-authenticate']) {
        const v = out['www-authenticate'];
        out['www-authenticate'] = Array.isArray(v) ? v.map((x) => rewriteChallenge(x, req)) : rewriteChallenge(v, req);
      }
      res.writeHead(ur.statusCode, out);
      ur.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) send(res, 502, 'text/plain', `registry unreachable: ${e.message}`);
      else res.destroy();
    });
    req.pipe(up);
  }

  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://portal.invalid');
    o.onRequest?.({ method: req.method, url: req.url, headers: { ...req.headers } });
    if (upstream && (url.pathname === '/v2' || url.pathname.startsWith('/v2/'))) {
      return proxy(req, res, new URL(url.pathname + url.search, upstream), { rewrite: true });
    }
    const auth = url.pathname.match(/^\/_auth\/(\d+)$/);
    if (upstream && auth && realms[Number(auth[1])]) {
      const target = new URL(realms[Number(auth[1])]);
      for (const [k, v] of url.searchParams) target.searchParams.append(k, v);
      return proxy(req, res, target, { rewrite: false });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'text/plain', 'bad path');
    }
    if (path === '/favicon.ico') return send(res, 204, 'text/plain', '');
    if (path.startsWith('/pkg/')) return serveFile(res, pkgDir, path.slice(5), req.method);
    for (const [prefix, dir] of mounts) {
      if (path.startsWith(prefix)) return serveFile(res, dir, path.slice(prefix.length), req.method);
    }
    const rel = path.replace(/^\/(www\/)?/, '');
    return serveFile(res, wwwDir, rel === '' || rel.endsWith('/') ? rel + 'index.html' : rel, req.method);
  });
}

/** Starts the server; resolves to `{ server, url }`. */
export async function startPortalServer({ port = 0, host = '127.0.0.1', ...o } = {}) {
  const server = createPortalServer(o);
  await new Promise((r, j) => {
    server.once('error', j);
    server.listen(port, host, r);
  });
  const h = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${h}:${server.address().port}/` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: a } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      pkg: { type: 'string' },
      registry: { type: 'string' },
      connect: { type: 'string', multiple: true, default: [] },
      'public-origin': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (a.help) {
    console.log('usage: node www/serve.mjs [--port 8080] [--host 127.0.0.1] [--pkg DIR] [--registry URL] [--connect ORIGIN]... [--public-origin URL]');
    process.exit(0);
  }
  const pkg = a.pkg ?? join(here, '..', 'pkg');
  if (!existsSync(join(pkg, 'browser.js'))) {
    console.error(`no built package at ${pkg} (run \`make pkg\` first)`);
    process.exit(1);
  }
  const { url } = await startPortalServer({
    port: Number(a.port),
    host: a.host,
    pkg,
    registry: a.registry,
    connect: a.connect,
    publicOrigin: a['public-origin']?.replace(/\/+$/, ''),
  });
  console.log(`portal: ${url}${a.registry ? `  (/v2/ → ${a.registry})` : ''}`);
}
