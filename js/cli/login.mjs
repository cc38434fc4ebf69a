// `nv2 login` / `nv2 logout`: registry logins, checked against the registry before they are
// stored in $NV2_CONFIG/credentials.json (creds.mjs).
import * as nv2 from '../node.js';
import { _deadlines } from '../core.js';
import { watchdog } from '../deadlines.js';
import { parseArgs, UsageError } from './args.mjs';
import { flagLogin, HELP, onePositional, REGISTRY, timeoutOption, warn } from './common.mjs';
import { removeLogin, storeLogin } from './creds.mjs';

const isLoopback = (host) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);

/**
 * Checks a login against the registry: GET /v2/, then Basic, or a token request for Bearer.
 * Each request has the deadlines of every registry request (first byte, idle, the operation's;
 * `--timeout`, docs/cli.md §Deadlines); a passed one is ERR_REGISTRY_HTTP with the registry
 * errors' transport details.
 */
async function checkLogin(host, login, plainHttp, timeout) {
  const url = `${plainHttp || isLoopback(host) ? 'http' : 'https'}://${host}/v2/`;
  const basic = 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64');
  const deadlines = _deadlines(timeout);
  const started = Date.now();
  const get = async (u, headers = {}) => {
    const operationMs = Math.max(1, deadlines.operationMs - (Date.now() - started));
    const wd = watchdog({ ...deadlines, operationMs }, u);
    try {
      wd.arm('firstByte');
      const r = await fetch(u, { headers, signal: wd.signal });
      // Only the status and headers matter; the body is dropped.
      await r.body?.cancel().catch(() => {});
      return r;
    } catch (e) {
      const d = wd.reason;
      if (d) {
        const waited = d.during === 'operation' ? deadlines.operationMs : d.waitedMs;
        throw nv2.createError('ERR_REGISTRY_HTTP', `cannot reach ${d.url}: deadline passed: waited ${waited} ms for ${d.during === 'firstByte' ? 'the first byte' : 'the operation to finish'}`, {
          details: { url: d.url, transport: 'deadline', during: d.during, waitedMs: waited },
        });
      }
      throw nv2.createError('ERR_REGISTRY_HTTP', `cannot reach ${u}: ${e.cause?.code ?? e.message}`, {
        details: { url: String(u).split('?')[0], transport: 'network' },
      });
    } finally {
      wd.done();
    }
  };
  const first = await get(url);
  if (first.ok) return;
  if (first.status !== 401) throw nv2.createError('ERR_REGISTRY_HTTP', `${url} answered ${first.status}`);
  const challenge = first.headers.get('www-authenticate') ?? '';
  let r;
  if (/^bearer /i.test(challenge)) {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw nv2.createError('ERR_REGISTRY_AUTH', `${host}: Bearer challenge without realm`);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    r = await get(tokenUrl, { Authorization: basic });
  } else {
    r = await get(url, { Authorization: basic });
  }
  if (r.status === 401 || r.status === 403) throw nv2.createError('ERR_REGISTRY_AUTH', `${host} refused the login for ${login.username} (${r.status})`);
  if (!r.ok) throw nv2.createError('ERR_REGISTRY_HTTP', `${host} answered ${r.status} to the login`);
}

export const commands = {};

commands.login = {
  summary: 'Log in to a registry (stored in $NV2_CONFIG/credentials.json, mode 0600)',
  usage: 'nv2 login -u <user> (-p <pass> | --password-stdin) [--plain-http] [--timeout <duration>] <registry>',
  options: { ...REGISTRY, ...HELP },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const host = onePositional(positionals, 'registry (host[:port])', command);
    if (host.includes('/')) throw new UsageError(`registry must be host[:port], got "${host}"`, command);
    const login = await flagLogin(values, command, { required: true });
    await checkLogin(host, login, values['plain-http'], timeoutOption(values, command).timeout);
    storeLogin(host, login.username, login.password);
    process.stdout.write('Login Succeeded\n');
    return 0;
  },
};

commands.logout = {
  summary: 'Forget the stored login of a registry',
  usage: 'nv2 logout <registry>',
  options: { ...HELP },
  run(argv, command) {
    const { positionals } = parseArgs(argv, this.options, command);
    const host = onePositional(positionals, 'registry (host[:port])', command);
    if (!removeLogin(host)) warn(`not logged in to ${host}`);
    process.stdout.write('Logout Succeeded\n');
    return 0;
  },
};
