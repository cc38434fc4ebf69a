// `certChain` in every signing entry point (signDescriptor with a key or a signer,
// prepareSignature, signBlob, registry sign) takes the same forms as a trust store's entries: one
// PEM string (one or more certificates), an array of PEM strings, or an array of DER bytes, leaf
// first. Each form must sign, carry the whole chain in the envelope (JWS x5c, RFC 7515 §4.1.6)
// and verify; malformed chains are refused.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import * as nv2 from 'nv2';
import { makeTarget, needs, parseJws, pemBlocks, pemToDers, pki, policy, rawSign, show, verifyWith } from './helpers.mjs';
import { pushImage, startRegistry } from './support/registry.mjs';

const skip = needs('signDescriptor', 'prepareSignature', 'verifyEnvelope', 'verifyBlob', 'registrySign');
// A 3-level chain (leaf, intermediate, root): the order and the intermediate matter.
const c = pki.chain3;
const FORMS = {
  'one PEM string': c.chain,
  'an array of PEM strings': pemBlocks(c.chain),
  'an array of DER Uint8Arrays': pemToDers(c.chain).map((d) => new Uint8Array(d)),
};
const N = pemBlocks(c.chain).length;

const x5cOf = (envelope) => parseJws(envelope).env.header.x5c;
const derB64 = pemToDers(c.chain).map((d) => d.toString('base64'));
const signer = {
  sign: (bytes) => new Uint8Array(rawSign('ES256', crypto.createPrivateKey(c.key), bytes)),
};

let reg;
before(async () => {
  reg = await startRegistry();
});
after(() => reg?.stop());

test('the test chain has an intermediate', () => {
  assert.ok(N >= 3, `chain3 has ${N} certificates`);
});

for (const [form, certChain] of Object.entries(FORMS)) {
  test(`certChain as ${form}: signDescriptor (key and signer), prepareSignature`, { skip }, async () => {
    for (const how of ['key', 'signer', 'prepare']) {
      const target = makeTarget(`chain-${how}`);
      let envelope;
      if (how === 'prepare') {
        const pending = nv2.prepareSignature({ target, certChain });
        envelope = pending.finish(await signer.sign(pending.toBeSigned)).envelope;
      } else {
        const opts = how === 'key' ? { key: c.key } : { signer };
        envelope = (await nv2.signDescriptor({ target, certChain, ...opts })).envelope;
      }
      assert.deepEqual(x5cOf(envelope), derB64, `${how}: x5c is the chain, leaf first`);
      const out = verifyWith(nv2, envelope, target, { root: c.root });
      assert.equal(out.verified, true, `${how}: ${show(out)}`);
    }
  });

  test(`certChain as ${form}: signBlob then verifyBlob`, { skip }, async () => {
    const blob = new TextEncoder().encode(`blob signed with ${form}\n`);
    const { envelope } = await nv2.signBlob({ blob, key: c.key, certChain });
    assert.deepEqual(x5cOf(envelope), derB64);
    const out = await nv2.verifyBlob({
      blob,
      signature: envelope,
      trustPolicy: {
        version: '1.0',
        trustPolicies: [
          {
            name: 'blobs',
            globalPolicy: true,
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:test'],
            trustedIdentities: ['*'],
          },
        ],
      },
      trustStore: { 'ca:test': [c.root] },
    });
    assert.equal(out.verified, true, show(out));
  });

  test(`certChain as ${form}: registry sign then verify`, { skip }, async () => {
    const repo = `chain/${form.replace(/[^a-z]+/g, '-')}`;
    const image = await pushImage(reg.url, repo, 'v1');
    const ref = `${reg.host}/${repo}@${image.digest}`;
    const signed = await nv2.sign(ref, { key: c.key, certChain });
    assert.equal(signed.digest, image.digest);
    const out = await nv2.verify(ref, { trustPolicy: policy(), trustStore: { 'ca:test': [c.root] } });
    assert.equal(out.verified, true, show(out.verifiedSignature ?? out.signatures[0]?.outcome));
    assert.equal(out.verifiedSignature.signer.chain.length, N);
  });
}

test('certChain: malformed chains are refused with ERR_INVALID_ARGUMENT or ERR_PARSE', { skip }, async () => {
  const target = makeTarget('chain-bad');
  const image = await pushImage(reg.url, 'chain/bad', 'v1');
  const ref = `${reg.host}/chain/bad@${image.digest}`;
  // [certChain, code of the signer paths, codes of the key paths]. The JS wrapper refuses what is
  // no chain at all; certificates that do not parse are the core's: ERR_PARSE where the chain is
  // parsed on its own (signer paths), while the key paths parse it with the key and have so far
  // reported ERR_SIGNING ("invalid signing key: certificate chain PEM: ...").
  const bad = {
    'an empty array': [[], 'ERR_INVALID_ARGUMENT', ['ERR_INVALID_ARGUMENT']],
    'a number': [42, 'ERR_INVALID_ARGUMENT', ['ERR_INVALID_ARGUMENT']],
    'an array holding a number': [[c.chain, 42], 'ERR_INVALID_ARGUMENT', ['ERR_INVALID_ARGUMENT']],
    'DER bytes that are no certificate': [[new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])], 'ERR_PARSE', ['ERR_PARSE', 'ERR_SIGNING']],
  };
  for (const [what, [certChain, code, keyCodes]] of Object.entries(bad)) {
    const is = (e) => e instanceof nv2.NotationError && e.code === code;
    const isKey = (e) => e instanceof nv2.NotationError && keyCodes.includes(e.code);
    await assert.rejects(nv2.signDescriptor({ target, key: c.key, certChain }), isKey, `signDescriptor key: ${what}`);
    await assert.rejects(nv2.signDescriptor({ target, signer, certChain }), is, `signDescriptor signer: ${what}`);
    assert.throws(() => nv2.prepareSignature({ target, certChain }), is, `prepareSignature: ${what}`);
    // signBlob parses the chain first, on its own, to pick the blob's hash
    // (signature-specification.md §Blob Signatures).
    await assert.rejects(nv2.signBlob({ blob: new Uint8Array(1), key: c.key, certChain }), is, `signBlob: ${what}`);
    await assert.rejects(nv2.sign(ref, { key: c.key, certChain }), isKey, `registry sign key: ${what}`);
    await assert.rejects(nv2.sign(ref, { signer, certChain }), is, `registry sign signer: ${what}`);
  }
  // Nothing was pushed for any of them.
  assert.equal((await nv2.listSignatures(ref)).signatures.length, 0);
});
