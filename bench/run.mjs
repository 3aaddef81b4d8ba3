#!/usr/bin/env node
/**
 * `npm run bench [-- options]`: our server and, when installed, the reference Codex app-server 0.169.0, side by
 * side in one run, alternating which goes first on every iteration, on identical generated homes, against one
 * mock Responses server on 127.0.0.1. Iteration 0 of every phase is a discarded warm-up.
 *
 * Options:
 *   --iterations N          measured iterations of the small and 2,000-rollout phases (default 10)
 *   --iterations-large N    measured iterations of the 20,000-rollout phase (default 5)
 *   --sizes 2000,20000      home sizes (default 2000,20000; 0 = none)
 *   --with-100000           also the 100,000-rollout phase (a ≈4 GB home, generated once into bench/.cache/homes and
 *                           hard-linked per start like the others; --iterations-100000 N measured iterations, default 1, no warm-up:
 *                           a reference start there takes minutes)
 *   --search-only           only the issue-18 search phase (thread/search latency, backfill with/without the index)
 *   --search-sizes 20000    home sizes of the search phase (default 20000; 0 = none)
 *   --soak                  also the issue-18 soak phase (1,000 turns on one thread, RSS every 100 turns; the read
 *                           of that thread; 200 idle threads): see bench/lib/soak.mjs
 *   --soak-only             only the soak phase; --soak-iterations N (default 1), --soak-turns N (default 1000)
 *   --soak-read             only the soak's read, --soak-iterations N times (alternating), on a home built once and
 *                           cached in bench/.cache/soak-read/
 *   --multi-start-only      only the issue-18 phase "8 processes at once on 500 rollouts" (part of the default run;
 *                           --multi-start-iterations N, default 5): see bench/lib/multi-start.mjs
 *   --no-reference          ours only, even when the reference is installed
 *   --install-reference     npm install @openai/codex@0.169.0 --prefix bench/.cache/reference, then run
 *   --write-benchmarks      also replace the results block of BENCHMARKS.md with this run
 *   --no-snapshot           run dist/ in place instead of a private copy taken at start
 *   --out FILE              Markdown output (default bench/results/latest.md; raw samples go next to it as .json)
 *
 * The reference is found through CODEX_REFERENCE_BIN or under bench/.cache/reference/. Its CODEX_HOME and ours
 * live under bench/.cache/homes/run-<pid>/ (outside /tmp, which the reference refuses), config.toml carries
 * `[features] plugins = false`, and both get HTTP(S)_PROXY pointed at a local trap so no request leaves the
 * machine (attempts are counted in the report).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTemplate, templateFingerprint, warmTemplate } from './lib/homes.mjs';
import { buildTable, machineInfo, metricCatalogue } from './lib/report.mjs';
import { benchModelEvents, floorSession, largeSession, longReadSession, PIPELINED_REQUESTS, prepareLongThreadHome, smallSession } from './lib/scenarios.mjs';
import { backfillSession, searchCatalogue, searchSession } from './lib/search.mjs';
import { soakCatalogue, soakReadSession, soakSession, soakTable } from './lib/soak.mjs';
import { MULTI_START_ROLLOUTS, multiStartCatalogue, multiStartSession } from './lib/multi-start.mjs';
import {
  BENCH_CACHE,
  findReferenceBin,
  installReference,
  buildDescription,
  DIST,
  loadKit,
  referenceVersion,
  removeSnapshot,
  snapshotDist,
  REPO,
  staleBuildWarning,
  startProxyTrap,
} from './lib/servers.mjs';

const { values: opts } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10' },
    'iterations-large': { type: 'string', default: '5' },
    sizes: { type: 'string', default: '2000,20000' },
    'no-reference': { type: 'boolean', default: false },
    'search-only': { type: 'boolean', default: false },
    'with-100000': { type: 'boolean', default: false },
    'iterations-100000': { type: 'string', default: '1' },
    'search-sizes': { type: 'string', default: '20000' },
    soak: { type: 'boolean', default: false },
    'soak-only': { type: 'boolean', default: false },
    'soak-read': { type: 'boolean', default: false },
    'soak-iterations': { type: 'string', default: '1' },
    'soak-turns': { type: 'string', default: '1000' },
    'multi-start-only': { type: 'boolean', default: false },
    'multi-start-iterations': { type: 'string', default: '5' },
    'install-reference': { type: 'boolean', default: false },
    'write-benchmarks': { type: 'boolean', default: false },
    'no-snapshot': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(REPO, 'bench', 'results', 'latest.md') },
  },
});
const ITER = Number(opts.iterations);
const ITER_LARGE = Number(opts['iterations-large']);
const SOAK_READ = opts['soak-read'];
const MULTI_ONLY = opts['multi-start-only'];
const MULTI = MULTI_ONLY || !(opts['search-only'] || opts['soak-only'] || SOAK_READ);
// SOAK_ONLY: only a phase of its own (the soak, its read or the multi-start one), none of the others.
const SOAK_ONLY = opts['soak-only'] || SOAK_READ || MULTI_ONLY;
const SOAK = opts['soak-only'] || SOAK_READ || opts.soak;
const SOAK_TURNS = Number(opts['soak-turns']);
const SEARCH_ONLY = opts['search-only'] || SOAK_ONLY;
const parseSizes = (text) =>
  text
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
const SIZES = SEARCH_ONLY ? [] : [...new Set([...parseSizes(opts.sizes), ...(opts['with-100000'] ? [100_000] : [])])];
const SEARCH_SIZES = SOAK_ONLY ? [] : parseSizes(opts['search-sizes']);
const LARGE_THRESHOLD = 10_000; // sizes at or above this use --iterations-large
const HUGE_THRESHOLD = 100_000; // sizes at or above this use --iterations-100000, without a warm-up
const log = (...args) => console.error(...args);

if (opts['install-reference']) {
  log(`installing @openai/codex@0.169.0 into ${path.relative(REPO, BENCH_CACHE)}/reference …`);
  installReference();
}

const stale = staleBuildWarning();
if (stale) log(`warning: ${stale}`);
const build = buildDescription();
const dist = opts['no-snapshot'] ? DIST : snapshotDist();
const kit = await loadKit(dist);

const refBin = opts['no-reference'] ? null : findReferenceBin();
const refVersion = refBin ? referenceVersion(refBin) : null;
const impls = [{ name: 'ours', bin: path.join(dist, 'cli.cjs') }];
if (refBin) impls.push({ name: 'reference', bin: refBin });
log(refBin ? `reference: ${refBin} (${refVersion})` : 'reference: absent (install with `npm run bench -- --install-reference` or set CODEX_REFERENCE_BIN)');

const homesRoot = path.join(BENCH_CACHE, 'homes');
mkdirSync(homesRoot, { recursive: true });
const templates = new Map([...new Set([...SIZES, ...SEARCH_SIZES, ...(MULTI ? [MULTI_START_ROLLOUTS] : [])])].map((n) => [n, ensureTemplate(homesRoot, n, log)]));
const fingerprints = new Map([...templates].map(([n, t]) => [n, templateFingerprint(t)]));

const runRoot = path.join(homesRoot, `run-${process.pid}`);
rmSync(runRoot, { recursive: true, force: true });
const mock = await kit.createMockResponsesServer((request, n) => kit.sseResponse(benchModelEvents(kit, request, n)));
const proxy = await startProxyTrap();
const contexts = new Map(
  impls.map((impl) => {
    const ctx = { runRoot, workdir: path.join(runRoot, 'project'), scratchHome: path.join(runRoot, `home-${impl.name}`), mock, proxy };
    mkdirSync(ctx.workdir, { recursive: true });
    mkdirSync(ctx.scratchHome, { recursive: true });
    return [impl.name, ctx];
  }),
);

/** samples[impl][metric] = number[] (measured iterations only); notes = problems seen. */
const samples = Object.fromEntries(impls.map((impl) => [impl.name, {}]));
const notes = [];
const recorder = (impl, measured) => (key, value) => {
  if (!measured) return;
  (samples[impl.name][key] ??= []).push(value);
};
const noteCounts = new Map();
const noter = (impl, what, iteration) => (text) => {
  const key = `${impl.name}, ${what}`;
  const count = (noteCounts.get(key) ?? 0) + 1;
  noteCounts.set(key, count);
  if (count > 5) {
    if (count === 6) notes.push(`${key}: further notes suppressed`);
    return;
  }
  const line = `${key}, iteration ${iteration}: ${text}`;
  notes.push(line);
  log(`  ! ${line}`);
};
/** Alternating A/B: even iterations start with ours, odd ones with the reference. */
const orderFor = (iteration) => (iteration % 2 === 0 ? impls : [...impls].reverse());

async function phase(name, iterations, body, { warmUp = true } = {}) {
  for (let i = warmUp ? 0 : 1; i <= iterations; i += 1) {
    const t0 = performance.now();
    for (const impl of orderFor(i)) await body(impl, i, i > 0);
    log(`${name}: iteration ${i}${i === 0 ? ' (warm-up, discarded)' : ''} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

const started = Date.now();
const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
try {
  const longHomes = new Map();
  for (const impl of SEARCH_ONLY ? [] : impls) {
    const t0 = performance.now();
    longHomes.set(impl.name, await prepareLongThreadHome(kit, impl, contexts.get(impl.name), recorder(impl, true), noter(impl, 'long thread set-up', 0)));
    log(`long thread set-up (${impl.name}): 200 turns in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (!SEARCH_ONLY) await phase('small home', ITER, async (impl, i, measured) => {
    const rec = recorder(impl, measured);
    const ctx = contexts.get(impl.name);
    await floorSession(kit, impl, ctx, rec, noter(impl, 'floor', i));
    await smallSession(kit, impl, ctx, rec, noter(impl, 'small home', i));
    await longReadSession(kit, impl, ctx, longHomes.get(impl.name), rec, noter(impl, 'long thread read', i));
  });
  for (const n of SIZES) {
    const huge = n >= HUGE_THRESHOLD;
    const iterations = huge ? Number(opts['iterations-100000']) : n >= LARGE_THRESHOLD ? ITER_LARGE : ITER;
    await phase(`${n.toLocaleString('en-US')} rollouts`, iterations, async (impl, i, measured) => {
      // Both servers start with the home in the page cache (see warmTemplate); smaller homes stay cached anyway.
      if (huge) log(`  warmed the page cache: ${(warmTemplate(templates.get(n)) / 1e9).toFixed(1)} GB read`);
      await largeSession(kit, impl, contexts.get(impl.name), templates.get(n), recorder(impl, measured), noter(impl, `${n} rollouts`, i), {
        validateDb: true,
        readTimeoutMs: huge ? 1_800_000 : undefined,
      });
    }, { warmUp: !huge });
  }
  // Issue 18: thread/search on both servers, then our backfill with and without the search index.
  for (const n of SEARCH_SIZES) {
    const iterations = n >= LARGE_THRESHOLD ? ITER_LARGE : ITER;
    await phase(`search on ${n.toLocaleString('en-US')} rollouts`, iterations, async (impl, i, measured) => {
      await searchSession(kit, impl, contexts.get(impl.name), templates.get(n), recorder(impl, measured), noter(impl, `search ${n}`, i));
    });
    const ours = impls[0];
    await phase(`backfill with/without the search index, ${n.toLocaleString('en-US')} rollouts`, iterations, async (impl, i, measured) => {
      if (impl !== ours) return;
      await backfillSession(dist, contexts.get(ours.name), templates.get(n), recorder(ours, measured), noter(ours, `backfill ${n}`, i), i);
    });
  }
  if (MULTI) await phase(`${MULTI_START_ROLLOUTS} rollouts, 8 processes at once`, Number(opts['multi-start-iterations']), async (impl, i, measured) => {
    await multiStartSession(kit, impl, contexts.get(impl.name), templates.get(MULTI_START_ROLLOUTS), recorder(impl, measured), noter(impl, 'multi-start', i));
  });
  // Issue 18: memory over a long session (every iteration measured; no warm-up, each one is minutes long).
  if (SOAK) {
    for (let i = 0; i < Number(opts['soak-iterations']); i += 1) {
      for (const impl of orderFor(i)) {
        const t0 = performance.now();
        const session = SOAK_READ ? (...a) => soakReadSession(...a, { turns: SOAK_TURNS, reads: 1, log }) : (...a) => soakSession(...a, { turns: SOAK_TURNS, log });
        await session(kit, impl, contexts.get(impl.name), recorder(impl, true), noter(impl, 'soak', i));
        log(`soak: iteration ${i + 1} (${impl.name}) ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  }
} finally {
  await mock.close();
  await proxy.close();
  rmSync(runRoot, { recursive: true, force: true });
  removeSnapshot(dist);
}

for (const [n, template] of templates) {
  const after = templateFingerprint(template);
  const before = fingerprints.get(n);
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    notes.push(`template ${n}: rollout files changed during the run (${JSON.stringify(before)} → ${JSON.stringify(after)}); delete ${template.dir}`);
  }
}
if (proxy.attempts() > 0) notes.push(`network attempts caught by the proxy trap: ${proxy.attempts()} (${proxy.seen().join('; ')})`);

const machine = machineInfo(refVersion);
const catalogue = [...(SOAK_ONLY ? [] : metricCatalogue(SIZES)), ...SEARCH_SIZES.flatMap((n) => searchCatalogue(n)), ...(SOAK ? soakCatalogue(SOAK_TURNS) : []), ...(MULTI ? multiStartCatalogue() : [])];
const { markdown: table, rows } = buildTable(catalogue, samples, Boolean(refBin));
for (const n of SEARCH_SIZES) {
  const med = (values) => (values?.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : null);
  const [indexed, plain] = [med(samples.ours[`backfillIndexed${n}`]), med(samples.ours[`backfillPlain${n}`])];
  if (indexed && plain) notes.push(`search index cost on the ${n.toLocaleString('en-US')}-rollout backfill: ${indexed.toFixed(0)} ms vs ${plain.toFixed(0)} ms without, +${((indexed / plain - 1) * 100).toFixed(0)} % (target < 30 %)`);
}
for (const n of SIZES.filter((size) => size >= HUGE_THRESHOLD)) {
  const med = (values) => (values?.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : null);
  const [first, rows] = [med(samples.ours[`first${n}`]), med(samples.ours[`rows${n}`])];
  if (first) notes.push(`first start on ${n.toLocaleString('en-US')} rollouts (ours): ${(first / 1000).toFixed(2)} s, ${rows ?? '?'} thread rows (target < 10 s, all ${n.toLocaleString('en-US')} rows)`);
}
const sizesText = SIZES.map((n) => {
  const m = templates.get(n).manifest;
  return `${n.toLocaleString('en-US')} rollouts (${(m.bytes / 1e6).toFixed(0)} MB, ${m.dayDirs} date dirs)`;
}).join(', ');
const largeIterations = SIZES.filter((n) => n >= LARGE_THRESHOLD);
const smallSizes = SIZES.filter((n) => n < LARGE_THRESHOLD);
const md = [
  `### Run of ${machine.date.slice(0, 10)}`,
  '',
  `Machine: ${machine.nproc} CPUs (nproc), ${machine.cpu}, ${machine.memGiB} GiB RAM, ${machine.kernel}; Node ${machine.node}; ` +
    `ours: ${build}; reference: ${refBin ? refVersion : '**absent** (ours only)'}; run at ${machine.date}, took ${((Date.now() - started) / 60_000).toFixed(1)} min; ` +
    `load average (1/5/15 min) ${loadAtStart} at the start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end.`,
  '',
  (SOAK ? `Soak: ${opts['soak-iterations']} iteration(s) of ${SOAK_TURNS.toLocaleString('en-US')} turns per implementation, all measured. ` : '') +
  `Iterations: ${ITER} measured (+1 discarded warm-up) for the small-home` +
    (smallSizes.length ? ` and ${smallSizes.map((n) => n.toLocaleString('en-US')).join('/')}-rollout phases` : ' phase') +
    (largeIterations.filter((n) => n < HUGE_THRESHOLD).length ? `, ${ITER_LARGE} (+1 warm-up) for ${largeIterations.filter((n) => n < HUGE_THRESHOLD).map((n) => n.toLocaleString('en-US')).join('/')} rollouts` : '') +
    (SIZES.some((n) => n >= HUGE_THRESHOLD) ? `, ${opts['iterations-100000']} (no warm-up) for 100,000 rollouts` : '') +
    `; A/B order alternates every iteration.` +
    (SIZES.length ? ` Homes: ${sizesText}. Throughput = ${PIPELINED_REQUESTS} \`thread/list\` requests written at once.` : ''),
  '',
  table,
  '',
  ...(SOAK && !SOAK_READ ? [soakTable(samples, SOAK_TURNS), ''] : []),
  notes.length ? ['Notes:', '', ...notes.map((n) => `- ${n}`)].join('\n') : 'Notes: none (every page, read and backfill matched the generated home; no network attempts).',
  '',
].join('\n');

mkdirSync(path.dirname(opts.out), { recursive: true });
writeFileSync(opts.out, md);
writeFileSync(opts.out.replace(/\.md$/, '.json'), JSON.stringify({ machine, iterations: { small: ITER, large: ITER_LARGE }, sizes: SIZES, samples, notes }, null, 1));
process.stdout.write(`${md}\n`);
const missed = rows.filter((r) => r.result === 'MISS').map((r) => r.metric.label);
log(`wrote ${path.relative(REPO, opts.out)}${missed.length ? `; missed targets: ${missed.length}` : ''}`);

if (opts['write-benchmarks']) {
  const file = path.join(REPO, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`BENCHMARKS.md has no ${start} … ${end} block`);
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${md}\n${text.slice(b)}`);
  log('updated BENCHMARKS.md');
}
