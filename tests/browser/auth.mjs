// Browser suite: a real CNCF distribution registry with htpasswd Basic auth or token (Bearer)
// auth, reached from a page through www/serve.mjs's same-origin proxy. The page part is
// page/auth.js; this file starts the registry and the servers and checks the server side.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, pushImage } from '../js/support/registry.mjs';
import { startPortalServer } from '../../www/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the suite in a new page of `ctx`; resolves to the results. */
export async function authSuite({ ctx, pkgDir, pki, mode }) {
  const login = { username: 'portal-user', password: 'correct horse battery' };
  const repository = 'portal/auth';
  const reg = await startRegistry(mode === 'basic' ? { auth: login } : { token: login });
  const servers = [];
  const results = [];
  let page;
  try {
    const authorization =
      mode === 'basic'
        ? `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`
        : `Bearer ${await reg.getToken(`repository:${repository}:pull,push`)}`;
    const image = await pushImage(reg.url, repository, 'v1', { headers: { Authorization: authorization } });

    // A second proxy on another port is another origin: it stands for a registry the page
    // reaches cross-origin, and records what the browser sent it.
    const crossLog = [];
    const cross = await startPortalServer({ pkg: pkgDir, registry: reg.url, onRequest: (e) => crossLog.push(e) });
    servers.push(cross.server);
    const log = [];
    const portal = await startPortalServer({
      pkg: pkgDir,
      registry: reg.url,
      mounts: { '/test/': join(here, 'page') },
      // The page's CSP must let it try the other origin, so that CORS is what stops it.
      connect: [new URL(cross.url).origin],
      onRequest: (e) => log.push(e),
    });
    servers.push(portal.server);

    page = await ctx.newPage();
    const seen = [];
    page.on('request', (r) => seen.push(r.url()));
    await page.goto(`${portal.url}test/auth.html`);
    const fx = {
      mode,
      repository,
      tag: 'v1',
      digest: image.digest,
      username: login.username,
      password: login.password,
      p256: pki.algorithms.p256,
      untrustedRoot: pki.untrusted.root,
      crossOrigin: new URL(cross.url).host,
    };
    results.push(...(await page.evaluate(async (f) => (await import('/test/auth.js')).run(f), fx)));

    // Server side.
    const check = (name, fn) => {
      try {
        results.push({ name: `${mode}: ${name}`, status: 'pass', detail: fn() ?? '' });
      } catch (e) {
        results.push({ name: `${mode}: ${name}`, status: 'fail', detail: e.message });
      }
    };
    const portalOrigin = new URL(portal.url).origin;
    const crossOrigin = new URL(cross.url).origin;
    check('the browser contacted only the page origin and the cross-origin test server', () => {
      const others = [...new Set(seen.map((u) => new URL(u).origin))].filter((o) => o !== portalOrigin && o !== crossOrigin);
      if (others.length) throw new Error(`requests went to ${others.join(', ')}`);
      return `${seen.length} requests`;
    });
    check('credentials reached the registry through the same-origin proxy', () => {
      const authed = log.filter((e) => e.headers.authorization);
      if (authed.length === 0) throw new Error('no request to the portal origin carried Authorization');
      const paths = [...new Set(authed.map((e) => e.url.split('?')[0].replace(/\/(sha256:)?[0-9a-f]{64}|\/uploads\/.*/g, '/…')))];
      return `${authed.length} authorized requests (${paths.slice(0, 3).join(', ')}…)`;
    });
    check('the cross-origin server never received credentials', () => {
      if (crossLog.length === 0) throw new Error('the cross-origin server received no request at all');
      const leaked = crossLog.filter((e) => e.headers.authorization);
      if (leaked.length) throw new Error(`Authorization sent cross-origin: ${leaked.map((e) => `${e.method} ${e.url}`).join(', ')}`);
      return `${crossLog.length} requests (${[...new Set(crossLog.map((e) => e.method))].join('/')}), none with Authorization`;
    });
    if (mode === 'token') {
      check('the token issuer was reached through the proxy: tokens for the user, refusals for the wrong password', () => {
        const byAuth = (a) => reg.tokenRequests.filter((r) => r.auth === a).length;
        if (byAuth('ok') === 0) throw new Error(`no token issued to the user: ${JSON.stringify(reg.tokenRequests)}`);
        if (byAuth('denied') === 0) throw new Error('the wrong password never reached the issuer');
        const push = reg.tokenRequests.some((r) => r.auth === 'ok' && JSON.stringify(r.scopes).includes('push'));
        if (!push) throw new Error('no push-scoped token was issued');
        return `issued ${byAuth('ok')}, denied ${byAuth('denied')}, anonymous ${byAuth('anonymous')}`;
      });
    }
  } finally {
    await page?.close().catch(() => {});
    for (const s of servers) s.close();
    reg.stop();
  }
  return results.map((r) => ({ ...r, name: `auth/${r.name}` }));
}
