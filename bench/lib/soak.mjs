/**
 * Issue 18, "a daemon that runs all day": memory over a long session, behind `--soak` (or `--soak-only`).
 *
 * Per implementation and iteration, on a fresh home against the bench's mock:
 *  1. one thread, `SOAK_TURNS` turns one after the other; VmRSS and VmHWM sampled after turn 10 and every 100 turns;
 *  2. a new process on that home: `thread/read {includeTurns:true}` of the long thread, the first request;
 *  3. a new process on a fresh home: `IDLE_THREADS` threads started, one turn each, then idle for `IDLE_SETTLE_MS`:
 *     VmRSS and VmHWM.
 * Targets (issue 18): VmHWM after the last turn ≤ 1.3 × VmRSS after turn 10 (ours), and ≤ 0.5 of the reference's;
 * VmHWM with the idle threads ≤ 0.5 of the reference's; the read ≤ 0.2 of the reference.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize } from './report.mjs';
import { BENCH_CACHE, cpuTimeMs, startServer } from './servers.mjs';

const CLIENT_INFO = { name: 'bench_client', title: 'Bench client', version: '0.0.1' };
export const SOAK_TURNS = 1000;
export const SOAK_SAMPLE_EVERY = 100;
export const IDLE_THREADS = 200;
const IDLE_SETTLE_MS = 2000;
const GROWTH_TARGET = 1.3;
const READ_TIMEOUT_MS = 300_000;

/** VmRSS and VmHWM of a live process, in MiB. */
export function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** The turn counts after which memory is sampled: 10, then every SOAK_SAMPLE_EVERY. */
export function samplePoints(turns) {
  const points = [Math.min(10, turns)];
  for (let k = SOAK_SAMPLE_EVERY; k <= turns; k += SOAK_SAMPLE_EVERY) points.push(k);
  if (points.at(-1) !== turns) points.push(turns);
  return [...new Set(points)];
}

async function start(kit, impl, home, ctx) {
  const mcp = await startServer(kit, impl, home, ctx, READ_TIMEOUT_MS);
  await mcp.readStreamUntilResponseMessage(await mcp.sendRequest('initialize', { clientInfo: CLIENT_INFO }));
  await mcp.sendNotification('initialized');
  return mcp;
}

async function close(mcp, note) {
  await mcp.closeStdin();
  const status = await mcp.waitForExit({ timeoutMs: 30_000 }).catch(() => null);
  if (status === null) {
    note('did not exit within 30 s of stdin EOF (killed)');
    mcp.kill('SIGKILL');
    await mcp.close();
  } else if (status.code !== 0) note(`exited with code ${status.code} signal ${status.signal}`);
}

async function turn(mcp, threadId, text, note, what) {
  await mcp.sendTurnStartRequest({ threadId, input: [{ type: 'text', text }] });
  const completed = await mcp.readStreamUntilNotificationMessage('turn/completed', { timeoutMs: READ_TIMEOUT_MS });
  if (completed.params?.turn?.status !== 'completed') note(`${what} ended with status ${completed.params?.turn?.status}`);
  mcp.clearMessageBuffer();
}

async function freshHome(kit, ctx, name) {
  const home = path.join(ctx.runRoot, name);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
  return home;
}

/** A new process on `home`: `thread/read {includeTurns:true}` of `threadId` as its first request; wall, CPU, VmHWM. */
async function measureRead(kit, impl, ctx, home, threadId, rec, note, turns) {
  const mcp = await start(kit, impl, home, ctx);
  const c0 = cpuTimeMs(mcp.pid);
  const r0 = performance.now();
  const read = await mcp.readStreamUntilResponseMessage(await mcp.sendThreadReadRequest({ threadId, includeTurns: true }), { timeoutMs: READ_TIMEOUT_MS });
  const ms = performance.now() - r0;
  rec(`read${turns}`, ms);
  rec(`read${turns}Cpu`, cpuTimeMs(mcp.pid) - c0);
  rec(`read${turns}Hwm`, memoryMiB(mcp.pid).hwm);
  const got = read.result?.thread?.turns?.length;
  if (got !== turns) note(`thread/read returned ${got} turns, expected ${turns}`);
  mcp.clearMessageBuffer();
  await close(mcp, note);
  return ms;
}

/**
 * `--soak-read`: only the read of the long thread, `reads` times. The `turns`-turn home is built once per
 * implementation (by that implementation, as in the soak) in bench/.cache/soak-read/<impl>-<turns>/home and a
 * pristine copy kept next to it; every read runs on `home` restored from that copy (a read may write the state
 * databases, and the reference's rows name the home's absolute path, so it must stay where it was built; file
 * times are kept, as our index rows are only used when no older than the file), with config.toml pointed at this
 * run's mock. Delete the folder to rebuild.
 */
export async function soakReadSession(kit, impl, ctx, rec, note, { turns = SOAK_TURNS, reads = 5, log = () => {} } = {}) {
  const root = path.join(BENCH_CACHE, 'soak-read', `${impl.name}-${turns}`);
  const home = path.join(root, 'home');
  const pristine = path.join(root, 'pristine');
  if (!existsSync(path.join(root, 'thread-id'))) {
    const t0 = performance.now();
    rmSync(root, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
    const mcp = await start(kit, impl, home, ctx);
    const started = await mcp.readStreamUntilResponseMessage(await mcp.sendThreadStartRequest({}));
    const id = started.result.thread.id;
    for (let k = 1; k <= turns; k += 1) {
      await turn(mcp, id, `step ${k}: continue the migration of module_${k % 37}.ts`, note, `soak turn ${k}`);
      if (k % 200 === 0) log(`  soak-read (${impl.name}): built ${k} turns, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    await close(mcp, note);
    cpSync(home, pristine, { recursive: true, preserveTimestamps: true });
    writeFileSync(path.join(root, 'thread-id'), id);
  }
  const threadId = readFileSync(path.join(root, 'thread-id'), 'utf8').trim();
  for (let i = 0; i < reads; i += 1) {
    rmSync(home, { recursive: true, force: true });
    cpSync(pristine, home, { recursive: true, preserveTimestamps: true });
    await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
    const ms = await measureRead(kit, impl, ctx, home, threadId, rec, note, turns);
    log(`  soak-read (${impl.name}): read ${i + 1}/${reads} ${ms.toFixed(0)} ms, load ${loadText()}`);
  }
}

const loadText = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One soak iteration of one implementation; records `soakRss<k>`/`soakHwm<k>`, `read<turns>`, `idleRss`/`idleHwm`. */
export async function soakSession(kit, impl, ctx, rec, note, { turns = SOAK_TURNS, log = () => {} } = {}) {
  const home = await freshHome(kit, ctx, `soak-${impl.name}`);
  let mcp = await start(kit, impl, home, ctx);
  const started = await mcp.readStreamUntilResponseMessage(await mcp.sendThreadStartRequest({}));
  const threadId = started.result.thread.id;
  const points = new Set(samplePoints(turns));
  const t0 = performance.now();
  for (let k = 1; k <= turns; k += 1) {
    await turn(mcp, threadId, `step ${k}: continue the migration of module_${k % 37}.ts`, note, `soak turn ${k}`);
    if (points.has(k)) {
      const m = memoryMiB(mcp.pid);
      rec(`soakRss${k}`, m.rss);
      rec(`soakHwm${k}`, m.hwm);
      if (k % 200 === 0 || k === turns) log(`  soak (${impl.name}): ${k} turns, VmRSS ${m.rss.toFixed(1)} MiB, VmHWM ${m.hwm.toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  await close(mcp, note);

  await measureRead(kit, impl, ctx, home, threadId, rec, note, turns);
  rmSync(home, { recursive: true, force: true });

  const idleHome = await freshHome(kit, ctx, `idle-${impl.name}`);
  mcp = await start(kit, impl, idleHome, ctx);
  for (let i = 0; i < IDLE_THREADS; i += 1) {
    const t = await mcp.readStreamUntilResponseMessage(await mcp.sendThreadStartRequest({}));
    await turn(mcp, t.result.thread.id, `idle thread ${i}: hello`, note, `idle thread ${i}`);
  }
  await sleep(IDLE_SETTLE_MS);
  const idle = memoryMiB(mcp.pid);
  rec('idleRss', idle.rss);
  rec('idleHwm', idle.hwm);
  await close(mcp, note);
  rmSync(idleHome, { recursive: true, force: true });
}

/** Rows for the main table (ratios ours/reference of the medians, with the issue-18 targets). */
export function soakCatalogue(turns = SOAK_TURNS) {
  const T = turns.toLocaleString('en-US');
  return [
    { key: 'soakRss10', label: `soak: VmRSS after turn 10 of one thread`, unit: 'MiB' },
    { key: `soakHwm${turns}`, label: `soak: peak RSS (VmHWM) after ${T} turns on one thread`, unit: 'MiB', target: 0.5 },
    { key: `read${turns}`, label: `\`thread/read\` \`includeTurns\` of that ${T}-turn thread, first request after start`, unit: 'ms', target: 0.2 },
    { key: `read${turns}Cpu`, label: `server CPU time of that read (diagnostic; not inflated by waiting for a CPU)`, unit: 'ms' },
    { key: `read${turns}Hwm`, label: `peak RSS (VmHWM) after that read`, unit: 'MiB' },
    { key: 'idleHwm', label: `peak RSS (VmHWM) with ${IDLE_THREADS} threads loaded (one turn each) and idle ${IDLE_SETTLE_MS / 1000} s`, unit: 'MiB', target: 0.5 },
    { key: 'idleRss', label: `VmRSS with those ${IDLE_THREADS} threads idle`, unit: 'MiB' },
  ];
}

const med = (values) => summarize(values)?.median ?? null;
const mib = (v) => (v === null ? '—' : v.toFixed(1));

/** The small table of BENCHMARKS.md: memory every 100 turns (medians over iterations), and the growth verdict. */
export function soakTable(samples, turns = SOAK_TURNS) {
  const impls = Object.keys(samples);
  const header = ['| turns |', '|--:|'];
  for (const name of impls) {
    header[0] += ` ${name} VmRSS | ${name} VmHWM |`;
    header[1] += '--:|--:|';
  }
  const lines = [...header];
  for (const k of samplePoints(turns)) {
    let row = `| ${k.toLocaleString('en-US')} |`;
    for (const name of impls) row += ` ${mib(med(samples[name][`soakRss${k}`]))} | ${mib(med(samples[name][`soakHwm${k}`]))} |`;
    lines.push(row);
  }
  const growth = impls.map((name) => {
    const base = med(samples[name].soakRss10);
    const peak = med(samples[name][`soakHwm${turns}`]);
    if (base === null || peak === null) return `${name}: —`;
    const ratio = peak / base;
    return `${name}: ${ratio.toFixed(3)}×` + (name === 'ours' ? ` (target ≤ ${GROWTH_TARGET}: **${ratio <= GROWTH_TARGET ? 'PASS' : 'MISS'}**)` : '');
  });
  return [
    `Memory over ${turns.toLocaleString('en-US')} turns on one thread (MiB, medians; VmRSS and VmHWM read from \`/proc/<pid>/status\` right after the turn's \`turn/completed\`):`,
    '',
    ...lines,
    '',
    `Growth, VmHWM after ${turns.toLocaleString('en-US')} turns / VmRSS after 10 turns: ${growth.join('; ')}.`,
  ].join('\n');
}
