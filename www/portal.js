// The portal demo: plain ES modules, no build step. Everything nv2 does goes through its public
// API (`init`, `listSignatures`, `inspect`, `verify`, `sign`); errors are handled by `code`.
import * as nv2 from 'nv2';
import { CURVES, createCsr, publicKeyThumbprint } from './csr.js';
import { deleteKey, loadKey, saveKey } from './keystore.js';

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Small DOM helpers (text only: nothing from the registry is ever parsed as HTML)

/** `h('p', { class: 'x' }, 'text', child)`; attributes starting with `on` are listeners. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
const code = (text) => h('code', {}, text);
function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return code(iso);
  return h('time', { datetime: iso, title: d.toString() }, iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC'));
}
/** A definition list from `[term, value]` pairs (values: text or nodes). */
function dl(pairs, cls) {
  return h('dl', { class: cls }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// ---------------------------------------------------------------------------------------------
// Errors, by code

const HINTS = {
  ERR_REGISTRY_AUTH:
    'The registry refused the request. Check the username and password, and that the account may access this repository.',
  ERR_REGISTRY_HTTP:
    'The registry answered an error or could not be reached. A registry on another origin must allow this page with CORS; the same-origin proxy (serve.mjs --registry) avoids that.',
  ERR_INSECURE_TRANSPORT:
    'Plain HTTP is only used for loopback registries unless "Plain HTTP" is ticked under the credentials.',
  ERR_DIGEST_MISMATCH: 'The registry returned content that does not match its digest.',
  ERR_REFERRERS_INDEX: 'The referrers tag of this artifact holds something that is not an OCI index; nothing was written.',
  ERR_NO_SIGNATURE: 'The artifact has no Notary signature in this registry.',
  ERR_POLICY_INVALID: 'The trust policy is not valid.',
  ERR_NO_APPLICABLE_TRUST_POLICY:
    'No trust policy statement covers this artifact. Add "registry/repository" to a statement\'s registryScopes, or use "*".',
  ERR_TRUST_STORE: 'The trust store the policy names is missing, empty or holds unusable certificates. Check the store name and the PEM.',
  ERR_PARSE: 'Some input could not be parsed (PEM, JSON or the reference).',
  ERR_INVALID_ARGUMENT: 'An input is missing or malformed.',
  ERR_LIMIT: 'An input exceeds a size or count limit.',
  ERR_SIGNING: 'Signing failed. The key must match the leaf (first) certificate of the chain.',
  ERR_INVALID_ANNOTATION: 'A metadata key is not allowed (the io.cncf.notary prefix is reserved).',
  ERR_UNSUPPORTED_ALGORITHM: 'Notary signatures use RSA 2048/3072/4096 or ECDSA P-256/P-384/P-521 keys.',
  ERR_UNSUPPORTED_ENVELOPE: 'The signature envelope format is not supported.',
  ERR_VERIFICATION_INCONCLUSIVE:
    'No verdict could be reached (for example the registry could not be reached, or revocation status is unknown). Try again.',
  ERR_SIGNATURE_INTEGRITY: 'The signature or its envelope is invalid.',
  ERR_SIGNATURE_AUTHENTICITY: 'The signing certificate chain does not lead to a certificate in the trust store.',
  ERR_UNTRUSTED_IDENTITY: 'The signing certificate matches none of the policy\'s trusted identities.',
  ERR_SIGNATURE_EXPIRED: 'The signature has expired.',
  ERR_CERT_EXPIRED: 'A certificate of the chain is not valid at the verification or signing time.',
  ERR_CERT_INVALID: 'A certificate violates the Notary Project certificate profile.',
  ERR_CERT_REVOKED: 'A certificate of the chain is revoked.',
  ERR_TIMESTAMP: 'The RFC 3161 timestamp is missing or invalid.',
  ERR_DESCRIPTOR_MISMATCH: 'The signature was made for other content than this artifact.',
  ERR_USER_METADATA_MISMATCH: 'Required metadata is not in the signature.',
  ERR_VERIFICATION_PLUGIN: 'The signature needs a verification plugin, which the browser cannot run.',
};

/** The `{ code, message, hint }` to show for any thrown value. */
function explain(e) {
  const code = typeof e?.code === 'string' && e.code.startsWith('ERR_') ? e.code : null;
  return { code, message: e?.message ?? String(e), hint: code ? HINTS[code] : undefined };
}

function showError(context, e) {
  const { code: c, message, hint } = explain(e);
  const box = $('error');
  box.replaceChildren(
    h('p', { class: 'alert-title' }, `${context} failed`, c ? [' — ', code(c)] : ''),
    hint ? h('p', {}, hint) : '',
    h('p', { class: 'muted small' }, message),
  );
  box.dataset.code = c ?? '';
  box.hidden = false;
  setStatus('');
}
function clearError() {
  $('error').hidden = true;
  $('error').dataset.code = '';
}
function setStatus(text) {
  $('status').textContent = text;
}

/** Runs `fn` with `button` disabled and the status line set; shows errors. */
async function busy(button, statusText, context, fn) {
  clearError();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  setStatus(statusText);
  try {
    await fn();
  } catch (e) {
    showError(context, e);
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------------------------
// The artifact form → reference and registry options

function artifact() {
  const registry = $('registry').value.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const repository = $('repository').value.trim().replace(/^\/+|\/+$/g, '');
  const ref = $('reference').value.trim().replace(/^[:@]/, '');
  const missing = [!registry && 'registry', !repository && 'repository', !ref && 'tag or digest'].filter(Boolean);
  if (missing.length) {
    throw Object.assign(new Error(`Enter the ${missing.join(', ')}.`), { code: 'ERR_INVALID_ARGUMENT' });
  }
  const isDigest = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(ref);
  return { registry, repository, reference: `${registry}/${repository}${isDigest ? '@' : ':'}${ref}` };
}

/** Options for nv2's registry calls: the credentials callback answers only for `registry`. */
function registryOptions(registry) {
  const opts = {
    credentials: async (asked) => {
      const username = $('username').value;
      if (!username || asked.toLowerCase() !== registry.toLowerCase()) return null;
      return { username, password: $('password').value };
    },
  };
  if ($('plain-http').checked) opts.plainHttp = true;
  return opts;
}

// ---------------------------------------------------------------------------------------------
// List + inspect

const ROLE = (i, n) => (i === 0 ? 'signing certificate' : i === n - 1 ? 'root' : 'intermediate');

function chainList(chain) {
  return h(
    'div',
    { class: 'chain' },
    h('h4', {}, 'Certificate chain (signing certificate first)'),
    h(
      'ol',
      {},
      chain.map((c, i) =>
        h(
          'li',
          { class: 'cert' },
          dl(
            [
              ['Certificate', h('strong', {}, ROLE(i, chain.length))],
              ['Subject', c.subject],
              ['Issuer', c.issuer],
              ['Valid', [time(c.notBefore), ' – ', time(c.notAfter)]],
              ['SHA-256', h('code', { class: 'thumbprint' }, c.thumbprint)],
            ],
            'facts',
          ),
        ),
      ),
    ),
  );
}

function signatureCard(sig, i, n) {
  const d = sig.descriptor;
  const annotations = Object.entries(sig.annotations ?? d.annotations ?? {});
  return h(
    'article',
    { class: 'card signature', 'data-digest': d.digest },
    h('h3', {}, `Signature ${i + 1} of ${n}`),
    sig.error
      ? h('p', { class: 'alert-inline' }, 'Could not be read: ', code(sig.error.code), ' ', sig.error.message)
      : '',
    dl(
      [
        ['Manifest digest', code(d.digest)],
        ['Envelope', sig.mediaType ? code(sig.mediaType) : h('span', { class: 'muted' }, 'unknown')],
        sig.algorithm && ['Algorithm', code(sig.algorithm)],
        sig.signingScheme && ['Signing scheme', code(sig.signingScheme)],
        ['Signed at', time(sig.signingTime)],
        ['Expires', time(sig.expiry)],
        sig.signingAgent && ['Signing agent', sig.signingAgent],
        sig.timestamped !== undefined && ['RFC 3161 timestamp', sig.timestamped ? 'yes' : 'no'],
      ],
      'facts',
    ),
    sig.chain?.length ? chainList(sig.chain) : '',
    annotations.length
      ? h('details', {}, h('summary', {}, `Manifest annotations (${annotations.length})`), dl(annotations.map(([k, v]) => [code(k), code(v)]), 'annotations'))
      : '',
    h('p', { class: 'muted small' }, 'Claims read from the signature, not yet verified.'),
  );
}

async function listAndInspect() {
  $('signatures').hidden = true;
  const { registry, reference } = artifact();
  const opts = registryOptions(registry);
  const listing = await nv2.listSignatures(reference, opts);
  setStatus(`Found ${listing.signatures.length} signature(s); reading them…`);
  const inspection = await nv2.inspect(reference, opts);
  const n = inspection.signatures.length;
  $('target').replaceChildren(
    dl(
      [
        ['Artifact', code(listing.reference)],
        ['Media type', code(listing.target.mediaType)],
        ['Signatures', h('strong', { id: 'signature-count' }, String(n))],
        ['Found through', listing.viaTagSchema ? 'the referrers tag schema (the registry has no Referrers API)' : 'the Referrers API'],
      ],
      'facts',
    ),
    ...[...new Set([...listing.warnings, ...inspection.warnings])].map((w) => h('p', { class: 'note' }, w)),
  );
  $('signature-list').replaceChildren(
    n === 0
      ? h('p', { class: 'empty' }, 'This artifact has no Notary signature.')
      : h('div', {}, inspection.signatures.map((s, i) => signatureCard(s, i, n))),
  );
  $('signatures').hidden = false;
  setStatus(`${n} signature${n === 1 ? '' : 's'} of ${listing.reference}`);
}

// ---------------------------------------------------------------------------------------------
// Verify

const CHECKS = [
  ['integrity', 'Integrity'],
  ['authenticity', 'Authenticity'],
  ['authenticTimestamp', 'Authentic timestamp'],
  ['expiry', 'Expiry'],
  ['revocation', 'Revocation'],
];
const VERDICT_TEXT = {
  verified: ['✔', 'Verified'],
  failed: ['✘', 'Not verified'],
  inconclusive: ['?', 'Inconclusive'],
  error: ['!', 'Could not verify'],
};

function pemBlocks(text) {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function verifyInputs() {
  let trustPolicy;
  try {
    trustPolicy = JSON.parse($('policy').value);
  } catch (e) {
    throw Object.assign(new Error(`The trust policy is not JSON: ${e.message}`), { code: 'ERR_POLICY_INVALID' });
  }
  const certs = pemBlocks($('store').value);
  const name = $('store-name').value.trim();
  if (!/^(ca|signingAuthority|tsa):[A-Za-z0-9_.-]+$/.test(name)) {
    throw Object.assign(new Error('The trust store name must look like ca:name, signingAuthority:name or tsa:name.'), {
      code: 'ERR_TRUST_STORE',
    });
  }
  return { trustPolicy, trustStore: certs.length ? { [name]: certs } : {} };
}

function checkRow(outcome, type, label) {
  const r = outcome?.results?.find((x) => x.type === type);
  let text;
  let cls;
  if (!r) [text, cls] = ['not evaluated', 'skip'];
  else if (r.action === 'skip') [text, cls] = ['skipped by policy', 'skip'];
  else if (r.ok) [text, cls] = ['passed', 'pass'];
  else if (r.action === 'log') [text, cls] = ['failed (logged only)', 'warn'];
  else [text, cls] = ['failed', 'fail'];
  return h(
    'tr',
    { class: cls, 'data-check': type },
    h('th', { scope: 'row' }, label),
    h('td', {}, r?.action ?? '—'),
    h('td', { class: 'result' }, text),
    h('td', {}, r?.error ? [code(r.error.code), ' ', r.error.message] : ''),
  );
}

function signatureVerdict(entry, i) {
  const o = entry.outcome;
  const state = o?.verified ? 'verified' : 'failed';
  const err = o?.error ?? entry.error;
  return h(
    'article',
    { class: `card result ${state}`, 'data-verdict': state, 'data-code': err?.code ?? '' },
    h('h4', {}, `Signature ${i + 1}: `, o?.verified ? 'verified' : 'not verified', err ? [' — ', code(err.code)] : ''),
    dl(
      [
        ['Manifest digest', code(entry.descriptor.digest)],
        o?.signer && ['Signer', o.signer.subject],
        o?.signer && ['Issuer', o.signer.issuer],
        o?.algorithm && ['Algorithm', code(o.algorithm)],
        o && ['Signed at', time(o.signingTime)],
        o && ['Expires', time(o.expiry)],
        o?.targetArtifact?.annotations && Object.keys(o.targetArtifact.annotations).length > 0 && [
          'Signed metadata',
          dl(Object.entries(o.targetArtifact.annotations).map(([k, v]) => [code(k), code(v)]), 'annotations'),
        ],
      ],
      'facts',
    ),
    err && !o ? h('p', {}, err.message) : '',
    o
      ? h(
          'table',
          { class: 'checks' },
          h('caption', {}, `Checks (level ${o.verificationLevel})`),
          h('thead', {}, h('tr', {}, ['Check', 'Action', 'Result', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, CHECKS.map(([t, l]) => checkRow(o, t, l))),
        )
      : '',
    o?.warnings?.length ? h('ul', { class: 'notes' }, o.warnings.map((w) => h('li', {}, w))) : '',
  );
}

function renderVerdict(state, { code: c, title, detail, result } = {}) {
  const [icon, label] = VERDICT_TEXT[state];
  const box = h(
    'div',
    { class: `verdict ${state}`, id: 'verdict-box', 'data-verdict': state, 'data-code': c ?? '', tabindex: '-1' },
    h('p', { class: 'verdict-title' }, h('span', { 'aria-hidden': 'true', class: 'icon' }, icon), ' ', label, c ? [' — ', code(c)] : ''),
    title ? h('p', {}, title) : '',
    detail ? h('p', { class: 'muted small' }, detail) : '',
  );
  const parts = [box];
  if (result) {
    parts.push(
      dl(
        [
          ['Artifact', code(result.reference)],
          ['Policy', `${result.policyName} (level ${result.verificationLevel})`],
        ],
        'facts',
      ),
      ...result.warnings.map((w) => h('p', { class: 'note' }, w)),
      ...result.signatures.map((s, i) => signatureVerdict(s, i)),
    );
  }
  $('verdict').replaceChildren(...parts);
  box.focus();
}

async function runVerify() {
  $('verdict').replaceChildren();
  const { registry, reference } = artifact();
  const { trustPolicy, trustStore } = verifyInputs();
  let result;
  try {
    result = await nv2.verify(reference, { ...registryOptions(registry), trustPolicy, trustStore });
  } catch (e) {
    const { code: c, message, hint } = explain(e);
    const state = c === 'ERR_VERIFICATION_INCONCLUSIVE' ? 'inconclusive' : c === 'ERR_NO_SIGNATURE' ? 'failed' : 'error';
    renderVerdict(state, { code: c, title: hint, detail: message });
    setStatus(`Verification: ${VERDICT_TEXT[state][1]}${c ? ` (${c})` : ''}`);
    return;
  }
  let state;
  let c;
  let title;
  if (result.verified) {
    state = 'verified';
    title = `Signed by ${result.verifiedSignature?.signer?.subject ?? 'a trusted signer'}.`;
  } else {
    state = result.inconclusive ? 'inconclusive' : 'failed';
    const first = result.signatures.map((s) => s.outcome?.error ?? s.error).find(Boolean);
    c = first?.code ?? (result.signatures.length === 0 ? 'ERR_NO_SIGNATURE' : undefined);
    title = c ? HINTS[c] : undefined;
  }
  renderVerdict(state, { code: c, title, result });
  setStatus(`Verification: ${VERDICT_TEXT[state][1]}${c ? ` (${c})` : ''}`);
}

function policyTemplate(scope) {
  return JSON.stringify(
    {
      version: '1.0',
      trustPolicies: [
        {
          name: 'portal',
          registryScopes: [scope],
          signatureVerification: { level: 'strict' },
          trustStores: [$('store-name').value.trim() || 'ca:portal'],
          trustedIdentities: ['*'],
        },
      ],
    },
    null,
    2,
  );
}

// ---------------------------------------------------------------------------------------------
// Sign

let webKey; // { keyPair, curve, csr, thumbprint, created } — the private key is non-extractable

function showKey() {
  const has = Boolean(webKey);
  $('key-status').replaceChildren(
    has
      ? h('span', {}, `${webKey.curve} key (${CURVES[webKey.curve].alg}), created ${new Date(webKey.created).toLocaleString()}, public key SHA-256 `, code(webKey.thumbprint.slice(0, 16) + '…'), '. Kept in this browser only.')
      : 'No key yet. Generate one, send the request to your CA, then paste the certificate chain it returns.',
  );
  $('csr').value = webKey?.csr ?? '';
  $('csr-field').hidden = !has;
  $('forget-key').hidden = !has;
  $('generate-key').textContent = has ? 'Replace with a new key' : 'Generate key and certificate request';
}

async function generateKey() {
  const curve = $('curve').value;
  const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify']);
  const subject = { C: $('subject-c').value, ST: $('subject-st').value, O: $('subject-o').value, CN: $('subject-cn').value };
  const { pem } = await createCsr(keyPair, curve, subject);
  webKey = { keyPair, curve, csr: pem, thumbprint: await publicKeyThumbprint(keyPair.publicKey), created: Date.now() };
  await saveKey(webKey).catch(() => setStatus('The key could not be stored; it lasts until the page is closed.'));
  showKey();
  setStatus(`Generated a ${curve} key. Its certificate request is ready to copy.`);
}

function parseMetadata(text) {
  const out = {};
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const i = line.indexOf('=');
    if (i <= 0) throw Object.assign(new Error(`Metadata line ${n + 1} is not key=value.`), { code: 'ERR_INVALID_ANNOTATION' });
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

async function runSign() {
  const { registry, reference } = artifact();
  const certChain = $('cert-chain').value.trim();
  if (pemBlocks(certChain).length === 0) {
    throw Object.assign(new Error('Paste the certificate chain (PEM, leaf first).'), { code: 'ERR_INVALID_ARGUMENT' });
  }
  const opts = { ...registryOptions(registry), certChain, annotations: parseMetadata($('metadata').value) };
  const days = Number($('expiry').value);
  if (days) opts.expiry = new Date(Date.now() + days * 86400_000);
  const kind = document.querySelector('input[name="key-kind"]:checked').value;
  if (kind === 'pem') {
    opts.key = $('pem-key').value.trim();
    if (!opts.key) throw Object.assign(new Error('Paste the PEM private key.'), { code: 'ERR_INVALID_ARGUMENT' });
  } else {
    if (!webKey) throw Object.assign(new Error('Generate a key first.'), { code: 'ERR_INVALID_ARGUMENT' });
    const { keyPair, curve } = webKey;
    opts.signer = {
      // nv2 hands over the exact bytes to sign; WebCrypto returns ECDSA as r || s, as JWS wants.
      async sign(bytes, info) {
        if (info.algorithm !== CURVES[curve].alg) {
          throw new Error(`the certificate needs ${info.algorithm}, this key is ${curve}`);
        }
        return crypto.subtle.sign({ name: 'ECDSA', hash: CURVES[curve].hash }, keyPair.privateKey, bytes);
      },
    };
  }
  const pushed = await nv2.sign(reference, opts);
  $('sign-result').replaceChildren(
    h(
      'div',
      { class: 'verdict verified', id: 'sign-box', 'data-digest': pushed.manifestDescriptor.digest, tabindex: '-1' },
      h('p', { class: 'verdict-title' }, h('span', { 'aria-hidden': 'true', class: 'icon' }, '✔'), ' Signed and pushed'),
      dl(
        [
          ['Artifact', code(pushed.reference)],
          ['Signature manifest', code(pushed.manifestDescriptor.digest)],
          ['Referrers tag index', pushed.referrersIndexUpdated ? 'updated (registry without Referrers API)' : 'not needed'],
        ],
        'facts',
      ),
      ...pushed.warnings.map((w) => h('p', { class: 'note' }, w)),
    ),
  );
  $('sign-box').focus();
  await listAndInspect();
  setStatus(`Signed ${pushed.reference}.`);
}

// ---------------------------------------------------------------------------------------------
// Wiring

async function readFiles(input, { append }) {
  const texts = await Promise.all([...input.files].map((f) => f.text()));
  input.value = '';
  return append ? texts : texts.slice(0, 1);
}

function wire() {
  $('artifact-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('list-button'), 'Listing signatures…', 'Listing', listAndInspect);
  });
  $('verify-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('verify-button'), 'Verifying…', 'Verification', runVerify);
  });
  $('sign-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('sign-button'), 'Signing…', 'Signing', runSign);
  });
  $('generate-key').addEventListener('click', () => busy($('generate-key'), 'Generating a key…', 'Key generation', generateKey));
  $('forget-key').addEventListener('click', async () => {
    webKey = undefined;
    await deleteKey().catch(() => {});
    showKey();
    setStatus('The key was deleted from this browser.');
  });
  for (const r of document.querySelectorAll('input[name="key-kind"]')) {
    r.addEventListener('change', () => {
      const pem = document.querySelector('input[name="key-kind"]:checked').value === 'pem';
      $('pem-panel').hidden = !pem;
      $('webcrypto-panel').hidden = pem;
    });
  }
  $('policy-template').addEventListener('click', () => {
    const registry = $('registry').value.trim();
    const repository = $('repository').value.trim();
    $('policy').value = policyTemplate(registry && repository ? `${registry}/${repository}` : '*');
  });
  $('policy-file').addEventListener('change', async (ev) => {
    const [text] = await readFiles(ev.target, { append: false });
    if (text !== undefined) $('policy').value = text;
  });
  $('store-file').addEventListener('change', async (ev) => {
    const texts = await readFiles(ev.target, { append: true });
    $('store').value = [$('store').value.trim(), ...texts.map((t) => t.trim())].filter(Boolean).join('\n');
  });
  $('chain-file').addEventListener('change', async (ev) => {
    const [text] = await readFiles(ev.target, { append: false });
    if (text !== undefined) $('cert-chain').value = text.trim();
  });
}

async function main() {
  // Deep links: ?registry=&repository=&reference= (a portal's artifact page links here).
  const q = new URLSearchParams(location.search);
  $('registry').value = q.get('registry') ?? location.host;
  $('repository').value = q.get('repository') ?? '';
  $('reference').value = q.get('reference') ?? q.get('tag') ?? q.get('digest') ?? '';
  $('policy').value = policyTemplate('*');
  wire();
  webKey = await loadKey();
  showKey();
  try {
    await nv2.init();
  } catch (e) {
    $('engine').textContent = `The verifier could not be loaded: ${e.message}`;
    $('engine').className = 'alert';
    return;
  }
  $('engine').textContent = '';
  $('engine').hidden = true;
  $('version').textContent = nv2.version();
  document.body.dataset.ready = 'true';
}

main();
