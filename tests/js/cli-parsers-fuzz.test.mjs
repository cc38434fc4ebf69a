// Seeded random-input property test of the CLI's JavaScript-only parsers (docs/fuzzing.md): the
// duration parser (`--expiry`, js/cli/args.mjs) and the `key=value` list parser. References given
// on the command line are not parsed in JS: they go to the core's `Reference::parse`, which the
// Rust `oci` fuzz target covers. Property: every input either parses to a positive finite number
// (or a plain object) or throws the typed `UsageError` (code ERR_USAGE), never anything else, and
// quickly (the duration regex is sticky and linear).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkgDir = dirname(fileURLToPath(import.meta.resolve('nv2/package.json')));
const { parseDuration, keyValues, UsageError } = await import(
  pathToFileURL(join(pkgDir, 'cli', 'args.mjs')).href
);

// A small deterministic PRNG (mulberry32): the same inputs on every run; NV2_FUZZ_SEED varies it.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.NV2_FUZZ_SEED ?? 0x5eed);
const ITER = Number(process.env.NV2_FUZZ_ITER ?? 20000);
// Pieces that make near-valid inputs likely: digits, units, separators, signs, odd code points.
const PIECES = ['9'.repeat(320), '0', '1', '9', '24', '1.5', '.', 'ms', 's', 'm', 'h', 'd', 'w', 'µs', 'ns', '-', '+',
  ' ', 'e', '1e3', '=', 'k', 'ü', '\u0000', '\ud800', '99999999999999999999', ',', 'Infinity', 'NaN'];

function randomText(next) {
  const n = Math.floor(next() * 12);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += next() < 0.8 ? PIECES[Math.floor(next() * PIECES.length)]
      : String.fromCharCode(Math.floor(next() * 0x3000));
  }
  return s;
}

function typedOrValue(fn, check) {
  try {
    check(fn());
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof UsageError, `unexpected ${e?.name}: ${e?.message}`);
    assert.equal(e.code, 'ERR_USAGE');
  }
}

test('parseDuration: positive finite milliseconds or UsageError, for random input', () => {
  const next = rng(SEED);
  for (let i = 0; i < ITER; i++) {
    const text = randomText(next);
    typedOrValue(() => parseDuration(text, '--expiry', 'sign'), (ms) => {
      assert.equal(typeof ms, 'number', JSON.stringify(text));
      assert.ok(ms > 0 && Number.isFinite(ms), `${JSON.stringify(text)} → ${ms}`);
    });
  }
  // Finding (fixed): a number too large for a double made Infinity milliseconds.
  assert.throws(() => parseDuration(`${'9'.repeat(400)}h`, '--expiry', 'sign'), UsageError);
  // Long inputs stay linear: 100k units in well under a second.
  const t0 = Date.now();
  assert.equal(parseDuration('1s'.repeat(100_000), '--expiry', 'sign'), 100_000_000);
  typedOrValue(() => parseDuration('1'.repeat(100_000) + 'x', '--expiry', 'sign'), () => {});
  assert.ok(Date.now() - t0 < 2000);
});

test('keyValues: an object or UsageError, for random input', () => {
  const next = rng(SEED + 1);
  for (let i = 0; i < ITER / 4; i++) {
    const list = Array.from({ length: Math.floor(next() * 4) }, () => randomText(next));
    typedOrValue(() => keyValues(list, '--annotation', 'sign'), (o) => {
      assert.equal(typeof o, 'object');
    });
  }
});
