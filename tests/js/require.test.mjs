// The package is ESM ("type": "module"); CommonJS code loads it with require() through Node's
// require(esm) (unflagged in Node ^20.19.0 and >= 22.12.0, the package's "engines" range): the
// "node" export condition serves require() too, and no module of the package uses top-level
// await. A .cjs consumer in this project must get the same API as `import`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as nv2 from 'nv2';

test('require("nv2") from a CommonJS file gives the ESM API', () => {
  const script = fileURLToPath(new URL('./support/require-nv2.cjs', import.meta.url));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  assert.deepEqual(seen.exports, Object.keys(nv2).sort());
  assert.equal(seen.version, nv2.version());
  assert.equal(seen.parseError, true);
  assert.deepEqual(seen.statements, ['p']);
});

/** Whether Node `version` (x.y.z) satisfies `range`: `||` of `^x.y.z` / `>=x.y.z` comparators. */
function satisfies(version, range) {
  const v = version.split('.').map(Number);
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  return range.split('||').some((part) => {
    const m = /^\s*(\^|>=)(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    assert.ok(m, `engines comparator "${part.trim()}" is not ^x.y.z or >=x.y.z`);
    const low = m.slice(2).map(Number);
    return cmp(v, low) >= 0 && (m[1] === '>=' || v[0] === low[0]);
  });
}

test('package.json "engines" holds this Node, and no Node without require(esm)', () => {
  const manifest = JSON.parse(readFileSync(new URL(import.meta.resolve('nv2/package.json')), 'utf8'));
  assert.equal(manifest.type, 'module');
  const range = manifest.engines.node;
  assert.ok(satisfies(process.versions.node, range), `${process.version} is outside engines.node "${range}"`);
  // require(esm) is unflagged from 20.19.0 and 22.12.0 (Node's changelogs); 21.x never has it.
  for (const v of ['20.18.3', '21.7.3', '22.11.0']) assert.equal(satisfies(v, range), false, `${v} in "${range}"`);
  for (const v of ['20.19.0', '22.12.0', '24.0.0']) assert.equal(satisfies(v, range), true, `${v} not in "${range}"`);
});
