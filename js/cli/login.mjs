// `nv2 login` / `nv2 logout`: registry logins, checked against the registry before they are
// stored in $NV2_CONFIG/credentials.json (creds.mjs).
import * as nv2 from '../node.js';
import { parseArgs, UsageError } from './args.mjs';
import { flagLogin, HELP, onePositional, REGISTRY, warn } from './common.mjs';
import { removeLogin, storeLogin } from './creds.mjs';

const isLoopback = (host) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);

/** Checks a login against the registry: GET /v2/, then Basic, or a token request for Bearer. */
async function checkLogin(host, login, plainHttp) {
  const url = `${plainHttp || isLoopback(host) ? 'http' : 'https'}://${host}/v2/`;
  const basic = 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64');
  const get = async (u, headers = {}) => {
    try {
      return await fetch(u, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw nv2.createError('ERR_REGISTRY_HTTP', `cannot reach ${u}: ${e.cause?.code ?? e.message}`);
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
  usage: 'nv2 login -u <user> (-p <pass> | --password-stdin) [--plain-http] <registry>',
  options: { ...REGISTRY, ...HELP },
  async run(argv, command) {
    const { values, positionals } = parseArgs(argv, this.options, command);
    const host = onePositional(positionals, 'registry (host[:port])', command);
    if (host.includes('/')) throw new UsageError(`registry must be host[:port], got "${host}"`, command);
    const login = await flagLogin(values, command, { required: true });
    await checkLogin(host, login, values['plain-http']);
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
