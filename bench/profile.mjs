#!/usr/bin/env node
/**
 * CPU-profiles our server through one benchmark scenario and prints where the time goes.
 *
 *   node bench/profile.mjs <scenario> [--runs N] [--dir DIR] [--top N] [--interval US] [--dist DIST_DIR]
 *
 * Scenarios: init-fresh, init-existing, thread-start, turns, backfill-2000, backfill-20000, backfill-100000, list-2000,
 * list-first-start-2000 (the first page asked of the process that ran the backfill), list-later-2000, list-db-20000,
 * read-200, read-soak (the 1,000-turn home `npm run bench -- --soak-read` cached).
 * The server runs as `node --cpu-prof --cpu-prof-dir=DIR --cpu-prof-interval US dist/cli.cjs app-server` (through
 * a small exec wrapper, since --cpu-prof is not allowed in NODE_OPTIONS); the profile covers the whole process
 * life, so the printed timings of the scenario's own step are the part to read. Profiles (.cpuprofile) stay in
 * DIR (default bench/.cache/profiles/<scenario>) for Chrome DevTools / speedscope.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyse, formatAnalysis, loadProfile } from './lib/cpuprofile.mjs';
import { copyTemplate, cursorAt, ensureTemplate } from './lib/homes.mjs';
import { BENCH_CACHE, DIST, loadKit, REPO, startProxyTrap, startServer } from './lib/servers.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '1' },
    dir: { type: 'string' },
    top: { type: 'string', default: '25' },
    interval: { type: 'string', default: '100' },
    dist: { type: 'string', default: DIST },
  },
});
const scenario = positionals[0];
const SCENARIOS = ['init-fresh', 'init-existing', 'thread-start', 'turns', 'backfill-2000', 'backfill-20000', 'backfill-100000', 'list-2000', 'list-first-start-2000', 'list-later-2000', 'list-db-20000', 'read-200', 'read-soak'];
if (!SCENARIOS.includes(scenario)) {
  console.error(`usage: node bench/profile.mjs <${SCENARIOS.join('|')}> [--runs N] [--dir DIR] [--top N] [--interval US]`);
  process.exit(2);
}
const profDir = path.resolve(opts.dir ?? path.join(BENCH_CACHE, 'profiles', scenario));
rmSync(profDir, { recursive: true, force: true });
mkdirSync(profDir, { recursive: true });
const wrapper = path.join(profDir, 'server.sh');
writeFileSync(
  wrapper,
  `#!/bin/sh\nexec "${process.execPath}" --cpu-prof --cpu-prof-dir="${profDir}" --cpu-prof-interval ${Number(opts.interval)} "${path.join(path.resolve(opts.dist), 'cli.cjs')}" "$@"\n`,
);
chmodSync(wrapper, 0o755);

const kit = await loadKit();
const mock = await kit.createMockResponsesServerRepeatingAssistant('Done');
const proxy = await startProxyTrap();
const runRoot = path.join(BENCH_CACHE, 'homes', `profile-${process.pid}`);
const ctx = { runRoot, workdir: path.join(runRoot, 'project'), scratchHome: path.join(runRoot, 'home'), mock, proxy };
mkdirSync(ctx.workdir, { recursive: true });
mkdirSync(ctx.scratchHome, { recursive: true });
const plain = { name: 'ours', bin: path.join(path.resolve(opts.dist), 'cli.cjs') };
const profiled = { name: 'ours', bin: wrapper };
/** Steps with their CLOCK_MONOTONIC window (µs), to cut the server's profile into the parts that matter. */
const windows = [];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const step = (what, ms) => {
  const end = nowUs();
  windows.push({ what, from: end - ms * 1000, to: end });
  console.log(`  ${what}: ${ms.toFixed(1)} ms`);
};

async function init(impl, home, timeoutMs = 300_000) {
  const t0 = performance.now();
  const mcp = await startServer(kit, impl, home, ctx, timeoutMs);
  await mcp.initialize();
  step('spawn → initialize', performance.now() - t0);
  return mcp;
}
async function timedRequest(what, mcp, send) {
  const t0 = performance.now();
  const r = await mcp.readStreamUntilResponseMessage(await send(), { timeoutMs: 300_000 });
  step(what, performance.now() - t0);
  return r;
}
async function smallHome(name) {
  const home = path.join(runRoot, name);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  await kit.createConfigToml(home, mock.uri, { features: { plugins: false } });
  return home;
}
async function largeHome(n, backfilled) {
  const template = ensureTemplate(path.join(BENCH_CACHE, 'homes'), n, console.error);
  const home = path.join(runRoot, `large-${n}`);
  copyTemplate(template, home);
  await kit.createConfigToml(home, mock.uri, { features: { plugins: false } });
  if (backfilled) await (await init(plain, home)).close();
  return { home, template };
}

for (let run = 0; run < Number(opts.runs); run += 1) {
  console.log(`run ${run + 1}:`);
  switch (scenario) {
    case 'init-fresh':
      await (await init(profiled, await smallHome('fresh'))).close();
      break;
    case 'init-existing': {
      const home = await smallHome('existing');
      await (await init(plain, home)).close();
      await (await init(profiled, home)).close();
      break;
    }
    case 'thread-start':
    case 'turns': {
      const home = await smallHome('turns');
      await (await init(plain, home)).close();
      const mcp = await init(profiled, home);
      const started = await timedRequest('thread/start', mcp, () => mcp.sendThreadStartRequest({}));
      if (scenario === 'turns') {
        for (const which of ['first turn', 'second turn']) {
          const t0 = performance.now();
          await mcp.sendTurnStartRequest({ threadId: started.result.thread.id, input: [{ type: 'text', text: 'hello' }] });
          await mcp.readStreamUntilNotificationMessage('turn/completed');
          step(which, performance.now() - t0);
        }
      }
      await mcp.close();
      break;
    }
    case 'backfill-2000':
    case 'backfill-20000':
    case 'backfill-100000': {
      const { home } = await largeHome(Number(scenario.split('-')[1]), false);
      await (await init(profiled, home)).close();
      break;
    }
    case 'list-first-start-2000': {
      const { home } = await largeHome(2000, false);
      const mcp = await init(profiled, home);
      await timedRequest('thread/list {} (first request after the backfill)', mcp, () => mcp.sendThreadListRequest({}));
      await timedRequest('thread/list {} (again)', mcp, () => mcp.sendThreadListRequest({}));
      await mcp.close();
      break;
    }
    case 'list-2000':
    case 'list-later-2000':
    case 'list-db-20000': {
      const n = scenario === 'list-db-20000' ? 20000 : 2000;
      const { home, template } = await largeHome(n, true);
      const mcp = await init(profiled, home);
      const params =
        scenario === 'list-2000' ? {} : scenario === 'list-later-2000' ? { cursor: cursorAt(template.manifest, Math.floor(n / 2)) } : { useStateDbOnly: true };
      await timedRequest(`thread/list ${JSON.stringify(params)}`, mcp, () => mcp.sendThreadListRequest(params));
      await timedRequest(`thread/list ${JSON.stringify(params)} (again)`, mcp, () => mcp.sendThreadListRequest(params));
      await mcp.close();
      break;
    }
    case 'read-200': {
      const home = await smallHome('long');
      const writer = await init(plain, home);
      const started = await writer.readStreamUntilResponseMessage(await writer.sendThreadStartRequest({}));
      const threadId = started.result.thread.id;
      for (let k = 0; k < 200; k += 1) {
        await writer.sendTurnStartRequest({ threadId, input: [{ type: 'text', text: `step ${k}` }] });
        await writer.readStreamUntilNotificationMessage('turn/completed');
        writer.clearMessageBuffer();
      }
      await writer.close();
      const mcp = await init(profiled, home);
      await timedRequest('thread/read includeTurns', mcp, () => mcp.sendThreadReadRequest({ threadId, includeTurns: true }));
      await mcp.close();
      break;
    }
    case 'read-soak': {
      const root = path.join(BENCH_CACHE, 'soak-read', 'ours-1000');
      const home = path.join(root, 'home');
      rmSync(home, { recursive: true, force: true });
      cpSync(path.join(root, 'pristine'), home, { recursive: true, preserveTimestamps: true });
      await kit.createConfigToml(home, mock.uri, { features: { plugins: false } });
      const threadId = readFileSync(path.join(root, 'thread-id'), 'utf8').trim();
      const mcp = await init(profiled, home);
      await timedRequest('thread/read includeTurns (1,000 turns)', mcp, () => mcp.sendThreadReadRequest({ threadId, includeTurns: true }));
      await mcp.close();
      break;
    }
  }
}
await mock.close();
await proxy.close();
rmSync(runRoot, { recursive: true, force: true });

const profiles = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
for (const file of profiles) {
  const profile = loadProfile(path.join(profDir, file));
  console.log(`\n=== ${path.join(profDir, file)}: whole process`);
  console.log(formatAnalysis(analyse(profile, { repoRoot: REPO }), Number(opts.top)));
  for (const w of windows) {
    if (w.to < profile.startTime || w.from > profile.endTime) continue;
    console.log(`\n=== ${file}: step "${w.what}" only`);
    console.log(formatAnalysis(analyse(profile, { repoRoot: REPO, window: [w.from, w.to] }), Number(opts.top)));
  }
}
