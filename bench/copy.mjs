#!/usr/bin/env node
// Benchmark (not a test): `nv2 copy` against `skopeo copy`, registry to registry, measured in the
// same run on the same machine. An image of 3 layers of incompressible (random) data, ~200 MB in
// all, signed with nv2, is pushed once to registry A (Debian's `docker-registry`, CNCF
// distribution); each repetition then copies it to registry B with each tool, timing the wall
// clock and reading the peak resident set size from `/usr/bin/time -f %M`.
//
// Every copy lands in a registry B started empty for it: skopeo remembers where it has pushed
// blobs (its blob-info cache, /var/lib/containers/cache for root) and would otherwise mount them
// from its earlier copies in B instead of copying, so "a fresh repository" alone would not be a
// fresh copy for it. One untimed warm-up copy per tool comes first (page cache, binaries); the
// order of the two tools alternates between repetitions. Both run quietly (`-q`); skopeo with
// --preserve-digests, nv2 with its defaults (it also copies the image's one signature).
//
// Usage: node bench/copy.mjs [--reps 5] [--mb 200] [--nv2 <nv2 command>] [--nv2-flags='--concurrency 1']
//        (make bench-copy)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  nv2Command,
  removeAtExit,
  requireTool,
  run,
  skopeoPolicyArgs,
  startRegistry,
  stopAll,
  writeOciImage,
} from '../js/demo/support.mjs';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    mb: { type: 'string', default: '200' },
    nv2: { type: 'string' },
    'nv2-flags': { type: 'string', default: '' }, // extra `nv2 copy` flags, e.g. "--concurrency 1"
  },
});
const REPS = Number(args.reps);
const TOTAL = Number(args.mb) * 1e6;
const NV2 = nv2Command(args.nv2);
const TIME = '/usr/bin/time';
requireTool('skopeo', ['--version'], 'skopeo');
requireTool(TIME, ['-f', '%M', 'true'], 'time');

const WORK = removeAtExit(mkdtempSync(join(tmpdir(), 'nv2-bench-copy-')));
const env = { ...process.env, HOME: join(WORK, 'home'), NV2_CONFIG: join(WORK, 'nv2'), NV2_DEBUG: '' };
const SKOPEO_POLICY = skopeoPolicyArgs(WORK);
const mb = (n) => (n / 1e6).toFixed(1);

async function must(label, p) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r;
}

// --- the image: 3 layers, one random file each, 50/30/20 % of the total ---------------------
const sizes = [0.5, 0.3, 0.2].map((f) => Math.round(TOTAL * f));
console.log(`building a ${mb(TOTAL)} MB image of ${sizes.length} random layers (${sizes.map(mb).join(' + ')} MB)`);
const ociDir = join(WORK, 'oci');
const image = writeOciImage(
  ociDir,
  'v1',
  sizes.map((n, i) => [{ path: `opt/data/layer${i + 1}.bin`, data: randomBytes(n) }]),
  { gzipLevel: 1 },
);
console.log(`  manifest ${image.manifest.digest}, ${mb(image.bytes)} MB of blobs`);

const regA = await startRegistry(join(WORK, 'registry-a'), 'A');
const SRC = `${regA.host}/bench/net-monitor:v1`;
await must('push to A', run('skopeo', [...SKOPEO_POLICY, 'copy', '-q', '--preserve-digests', `oci:${ociDir}:v1`, `docker://${SRC}`, '--dest-tls-verify=false'], { env }));
rmSync(ociDir, { recursive: true, force: true });
await must('nv2 cert generate-test', run(process.execPath, [NV2, 'cert', 'generate-test', '--default', 'bench'], { env }));
await must('nv2 sign', run(process.execPath, [NV2, 'sign', SRC], { env }));
console.log(`  pushed to registry A as ${SRC} and signed with nv2`);

const versions = {
  nv2: (await run(process.execPath, [NV2, 'version'])).stdout.split('\n')[0],
  skopeo: (await run('skopeo', ['--version'])).stdout.trim(),
};

/** The digest registry `reg` serves for `repo:tag`. */
async function digestAt(reg, repo, tag) {
  const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
  });
  return r.headers.get('docker-content-digest');
}

const tools = {
  nv2: (dst) => [process.execPath, NV2, 'copy', '-q', ...args['nv2-flags'].split(' ').filter(Boolean), SRC, dst],
  skopeo: (dst) => [
    'skopeo',
    ...SKOPEO_POLICY,
    'copy',
    '-q',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${SRC}`,
    `docker://${dst}`,
  ],
};

/** One copy by `tool` into an empty registry B: { seconds, rssKB }. */
async function measure(tool, n) {
  const regB = await startRegistry(join(WORK, `registry-b-${tool}-${n}`), `B-${tool}-${n}`);
  try {
    const repo = `${tool}-${n}/net-monitor`;
    const timeFile = join(WORK, 'time.out');
    const [cmd, ...rest] = tools[tool](`${regB.host}/${repo}:v1`);
    const r = await must(`${tool} copy`, run(TIME, ['-f', '%M', '-o', timeFile, cmd, ...rest], { env }));
    const rssKB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    const got = await digestAt(regB, repo, 'v1');
    if (got !== image.manifest.digest) throw new Error(`${tool} copy: destination digest ${got}, expected ${image.manifest.digest}`);
    return { seconds: r.ms / 1000, rssKB };
  } finally {
    await regB.stop();
    rmSync(regB.dir, { recursive: true, force: true });
  }
}

const loadStart = loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`\nwarm-up (not counted), then ${REPS} repetitions; each copy into an empty registry B`);
for (const tool of Object.keys(tools)) {
  const m = await measure(tool, 'warmup');
  console.log(`  warm-up ${tool.padEnd(6)} ${m.seconds.toFixed(2)} s, ${(m.rssKB / 1024).toFixed(0)} MB peak RSS`);
}
const results = { nv2: [], skopeo: [] };
for (let i = 0; i < REPS; i++) {
  const order = i % 2 ? ['skopeo', 'nv2'] : ['nv2', 'skopeo'];
  for (const tool of order) {
    const m = await measure(tool, i);
    results[tool].push(m);
    console.log(`  rep ${i + 1} ${tool.padEnd(6)} ${m.seconds.toFixed(2)} s, ${(m.rssKB / 1024).toFixed(0)} MB peak RSS`);
  }
}
await regA.stop();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = Object.fromEntries(
  Object.entries(results).map(([tool, ms]) => {
    const secs = ms.map((m) => m.seconds);
    const rss = ms.map((m) => m.rssKB / 1024);
    return [tool, { median: median(secs), min: Math.min(...secs), max: Math.max(...secs), rss: median(rss), rssMax: Math.max(...rss) }];
  }),
);

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`\ncopy of a ${mb(image.bytes)} MB image (3 layers, random data) between two local registries, ${REPS} repetitions`);
console.log(`${availableParallelism()} CPUs; load average at the start ${loadStart}, at the end ${load()} (other load makes the figures noisy)`);
console.log(`${versions.nv2}${args['nv2-flags'] ? ` (nv2 copy ${args['nv2-flags']})` : ''}; ${versions.skopeo}; node ${process.version}\n`);
const head = ['tool', 'median s', 'min s', 'max s', 'MB/s (median)', 'peak RSS MB (median)', 'peak RSS MB (max)'];
const rows = Object.entries(summary).map(([tool, s]) => [
  tool,
  s.median.toFixed(2),
  s.min.toFixed(2),
  s.max.toFixed(2),
  (image.bytes / 1e6 / s.median).toFixed(0),
  s.rss.toFixed(0),
  s.rssMax.toFixed(0),
]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(
  `\nwall time nv2/skopeo: ${(summary.nv2.median / summary.skopeo.median).toFixed(2)}x (median); ` +
    `peak RSS nv2/skopeo: ${(summary.nv2.rss / summary.skopeo.rss).toFixed(2)}x`,
);
stopAll();
