// Browser suite: drives the www/ portal page as a user would (fill the form, list, sign, verify,
// read the verdict), served by www/serve.mjs in front of a token-auth CNCF distribution
// registry. The CA role (issuing a certificate for the key the page generated) is played by
// issue_cert.py with the test PKI's P-256 root.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, pushImage } from '../js/support/registry.mjs';
import { startPortalServer } from '../../www/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export async function portalSuite({ ctx, pkgDir, pki, pkiDir, python, screenshot }) {
  const login = { username: 'portal-user', password: 's3cret-portal' };
  const repository = 'team/net-monitor';
  const reg = await startRegistry({ token: login });
  const results = [];
  let server;
  let page;
  let broken = null; // the first failed step: later steps depend on it
  const step = async (name, fn) => {
    if (broken) {
      results.push({ name: `portal: ${name}`, status: 'fail', detail: `not run: "${broken}" failed` });
      return;
    }
    try {
      results.push({ name: `portal: ${name}`, status: 'pass', detail: (await fn()) ?? '' });
    } catch (e) {
      broken = name;
      results.push({ name: `portal: ${name}`, status: 'fail', detail: e?.message ?? String(e) });
    }
  };
  const assert = (cond, msg) => {
    if (!cond) throw new Error(`assertion failed: ${msg}`);
  };
  try {
    const token = await reg.getToken(`repository:${repository}:pull,push`);
    const image = await pushImage(reg.url, repository, 'v1', { headers: { Authorization: `Bearer ${token}` } });
    const started = await startPortalServer({ pkg: pkgDir, registry: reg.url });
    server = started.server;
    const url = started.url;
    page = await ctx.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e));
    const text = (sel) => page.locator(sel).innerText();
    const verdict = async () => ({
      state: await page.getAttribute('#verdict-box', 'data-verdict'),
      code: await page.getAttribute('#verdict-box', 'data-code'),
    });
    const waitIdle = (button) => page.waitForFunction((b) => !document.getElementById(b).disabled, button);

    await step('the page loads nv2 under its Content-Security-Policy', async () => {
      const resp = await page.goto(url);
      const csp = resp.headers()['content-security-policy'] ?? '';
      assert(/wasm-unsafe-eval/.test(csp) && /connect-src 'self'/.test(csp), `CSP ${csp}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
      return `nv2 ${await text('#version')}`;
    });

    await step('every form control has a label', async () => {
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea')]
          .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
          .map((el) => el.id || el.name),
      );
      assert(unlabelled.length === 0, `unlabelled: ${unlabelled.join(', ')}`);
    });

    await step('wrong password → the error names ERR_REGISTRY_AUTH', async () => {
      assert((await page.inputValue('#registry')) === new URL(url).host, 'the registry defaults to the page host');
      await page.fill('#repository', repository);
      await page.fill('#reference', 'v1');
      await page.click('#login summary');
      await page.fill('#username', login.username);
      await page.fill('#password', 'not-the-password');
      await page.click('#list-button');
      await page.waitForSelector('#error:not([hidden])');
      const code = await page.getAttribute('#error', 'data-code');
      assert(code === 'ERR_REGISTRY_AUTH', `code ${code}: ${await text('#error')}`);
      assert((await page.getAttribute('#error', 'role')) === 'alert', 'the error is an alert');
      return (await text('#error')).split('\n')[0];
    });

    await step('right password → the artifact is listed, with no signature yet', async () => {
      await page.fill('#password', login.password);
      await page.click('#list-button');
      await waitIdle('list-button');
      assert(await page.locator('#error').isHidden(), `error: ${await text('#error')}`);
      assert((await text('#signature-count')) === '0', `count ${await text('#signature-count')}`);
      assert((await text('#target')).includes(image.digest), 'the resolved digest is shown');
    });

    let csr;
    await step('generate a non-extractable WebCrypto key and its certificate request', async () => {
      await page.fill('#subject-cn', 'portal signer');
      await page.fill('#subject-o', 'acme');
      await page.fill('#subject-st', 'WA');
      await page.fill('#subject-c', 'US');
      await page.click('#generate-key');
      await page.waitForSelector('#csr-field:not([hidden])');
      csr = await page.inputValue('#csr');
      assert(csr.startsWith('-----BEGIN CERTIFICATE REQUEST-----'), csr.slice(0, 40));
      const extractable = await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const open = indexedDB.open('nv2-portal');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction('keys').objectStore('keys').get('signing-key');
              get.onsuccess = () => resolve(get.result.keyPair.privateKey.extractable);
              get.onerror = () => reject(get.error);
            };
          }),
      );
      assert(extractable === false, 'the stored private key is non-extractable');
    });

    let chain;
    await step('the CA issues a certificate from the request (its signature checks out)', async () => {
      const root = pki.algorithms.p256.rootEntry;
      chain = execFileSync(
        python,
        [join(here, 'issue_cert.py'), '--ca-cert', join(pkiDir, root.certFile), '--ca-key', join(pkiDir, root.keyFile)],
        { input: csr },
      ).toString();
      assert((chain.match(/BEGIN CERTIFICATE-----/g) ?? []).length === 2, 'leaf + root');
    });

    await step('the key survives a reload (IndexedDB)', async () => {
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      assert((await page.inputValue('#csr')) === csr, 'the same request after the reload');
      await page.fill('#repository', repository);
      await page.fill('#reference', 'v1');
      await page.click('#login summary');
      await page.fill('#username', login.username);
      await page.fill('#password', login.password);
    });

    await step('sign with the WebCrypto key + issued certificate → pushed, listed with its chain', async () => {
      await page.fill('#cert-chain', chain);
      await page.fill('#metadata', 'build=42\nteam = payments');
      await page.selectOption('#expiry', '30');
      await page.click('#sign-button');
      await waitIdle('sign-button');
      assert(await page.locator('#error').isHidden(), `error: ${await text('#error').catch(() => '')}`);
      const digest = await page.getAttribute('#sign-box', 'data-digest');
      assert(/^sha256:[0-9a-f]{64}$/.test(digest ?? ''), `signature digest ${digest}`);
      assert((await text('#signature-count')) === '1', `count ${await text('#signature-count')}`);
      const card = page.locator('#signature-list article.signature').first();
      const body = await card.innerText();
      assert(body.includes('ES256'), 'algorithm ES256');
      assert(/CN=portal signer/.test(body) && /O=acme/.test(body), 'the leaf subject from the request');
      assert(/CN=nv2 test root p256/.test(body), 'the root subject');
      assert(body.includes(pki.algorithms.p256.rootEntry.thumbprint), 'the root thumbprint');
      assert(/Expires\s*\n?\s*\d{4}-/.test(body), 'an expiry is shown');
      return digest;
    });

    await step('sign again with a PEM key (P-384) → 2 signatures', async () => {
      await page.check('input[name="key-kind"][value="pem"]');
      await page.fill('#pem-key', pki.algorithms.p384.key);
      await page.fill('#cert-chain', pki.algorithms.p384.chain);
      await page.fill('#metadata', '');
      await page.selectOption('#expiry', '');
      await page.click('#sign-button');
      await waitIdle('sign-button');
      assert(await page.locator('#error').isHidden(), `error: ${await text('#error').catch(() => '')}`);
      assert((await text('#signature-count')) === '2', `count ${await text('#signature-count')}`);
      const algs = await page.locator('#signature-list article.signature').allInnerTexts();
      assert(algs.some((t) => t.includes('ES384')), 'one ES384 signature');
    });

    await step('verify with the P-256 root loaded from a file → Verified, every check shown', async () => {
      await page.click('#policy-template');
      const policy = JSON.parse(await page.inputValue('#policy'));
      assert(policy.trustPolicies[0].registryScopes[0] === `${new URL(url).host}/${repository}`, 'scoped template');
      await page.setInputFiles('#store-file', {
        name: 'root.pem',
        mimeType: 'application/x-pem-file',
        buffer: Buffer.from(pki.algorithms.p256.root),
      });
      await page.click('#verify-button');
      await waitIdle('verify-button');
      const v = await verdict();
      assert(v.state === 'verified', `verdict ${JSON.stringify(v)}: ${await text('#verdict')}`);
      const ok = page.locator('#verdict article.result.verified');
      assert((await ok.count()) >= 1, 'a verified signature');
      const integrity = await ok.first().locator('tr[data-check="integrity"] .result').innerText();
      const authenticity = await ok.first().locator('tr[data-check="authenticity"] .result').innerText();
      assert(integrity === 'passed' && authenticity === 'passed', `${integrity} / ${authenticity}`);
      const body = await ok.first().innerText();
      assert(body.includes('build') && body.includes('42'), 'the signed metadata is shown');
      return (await text('#verdict-box')).split('\n')[0];
    });

    await step('verify with an untrusted root → Not verified, ERR_SIGNATURE_AUTHENTICITY', async () => {
      await page.fill('#store', pki.untrusted.root);
      await page.click('#verify-button');
      await waitIdle('verify-button');
      const v = await verdict();
      assert(v.state === 'failed' && v.code === 'ERR_SIGNATURE_AUTHENTICITY', JSON.stringify(v));
      const row = page.locator('#verdict article.result').first().locator('tr[data-check="authenticity"]');
      assert((await row.getAttribute('class')) === 'fail', 'the authenticity row is marked failed');
    });

    await step('a trust store certificate that does not parse → Could not verify, ERR_TRUST_STORE', async () => {
      await page.fill('#store', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
      await page.click('#verify-button');
      await waitIdle('verify-button');
      const v = await verdict();
      assert(v.state === 'error' && v.code === 'ERR_TRUST_STORE', JSON.stringify(v));
    });

    await step('an invalid trust policy → Could not verify, ERR_POLICY_INVALID', async () => {
      await page.fill('#store', pki.algorithms.p256.root);
      await page.fill('#policy', '{"version": "1.0", "trustPolicies": []}');
      await page.click('#verify-button');
      await waitIdle('verify-button');
      const v = await verdict();
      assert(v.state === 'error' && v.code === 'ERR_POLICY_INVALID', JSON.stringify(v));
      if (screenshot) {
        await page.click('#policy-template');
        await page.click('#verify-button');
        await waitIdle('verify-button');
        await page.screenshot({ path: screenshot, fullPage: true });
      }
    });

    await step('no uncaught errors in the page', async () => {
      assert(pageErrors.length === 0, pageErrors.map((e) => e.message).join('; '));
    });
  } catch (e) {
    results.push({ name: 'portal: suite setup', status: 'fail', detail: e?.stack ?? String(e) });
  } finally {
    await page?.close().catch(() => {});
    server?.close();
    reg.stop();
  }
  return results;
}
