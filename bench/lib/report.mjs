/** Metric catalogue, statistics and the Markdown report. */
import { execSync } from 'node:child_process';
import os from 'node:os';
import { laterPageOffset } from './scenarios.mjs';

const fmtN = (n) => n.toLocaleString('en-US');

/**
 * Rows of the table, in order. `target` = the highest acceptable ours/reference ratio of the medians; `maxMs` (other
 * catalogues) = the highest acceptable median of ours, in ms.
 */
export function metricCatalogue(sizes) {
  const rows = [
    { key: 'floor', label: 'process start floor, spawn → exit: `node -e 0` (ours) / `codex --version` (ref)', unit: 'ms' },
    { key: 'floorServer', label: 'Node server floor: spawn → `initialize` answer of `bench/lib/floor-server.mjs` (ours column only)', unit: 'ms' },
    { key: 'initFresh', label: 'spawn → `initialize` response, fresh home', unit: 'ms', target: 0.7 },
    { key: 'initExisting', label: 'spawn → `initialize` response, existing home', unit: 'ms', target: 1.2 },
    { key: 'threadStart', label: '`thread/start` → response', unit: 'ms', target: 0.2 },
    { key: 'turn1', label: '`turn/start` → `turn/completed`, first turn', unit: 'ms', target: 0.2 },
    { key: 'turn2', label: '`turn/start` → `turn/completed`, second turn', unit: 'ms', target: 0.2 },
    { key: 'turnTool', label: '`turn/start` → `turn/completed`, third turn: one `exec_command` (`true`) then the answer', unit: 'ms' },
    { key: 'rssIdle', label: 'peak RSS (VmHWM), idle after `initialize`', unit: 'MiB' },
    { key: 'rssTurns', label: 'peak RSS (VmHWM) after two turns', unit: 'MiB', target: 0.5 },
    { key: 'shutdown', label: 'stdin EOF → exit (after two turns)', unit: 'ms' },
    { key: 'initFreshCpu', label: 'server CPU time until the `initialize` response, fresh home (diagnostic)', unit: 'ms' },
    { key: 'initExistingCpu', label: 'server CPU time until the `initialize` response, existing home (diagnostic)', unit: 'ms' },
    { key: 'turn1Cpu', label: 'server CPU time of the first turn (diagnostic)', unit: 'ms' },
    { key: 'turn2Cpu', label: 'server CPU time of the second turn (diagnostic)', unit: 'ms' },
    { key: 'read200', label: '`thread/read` `includeTurns` of a 200-turn thread (written by the same server), first request after start', unit: 'ms' },
    { key: 'turnLate', label: '`turn/start` → `turn/completed`, turns 191–200 of one thread (set-up run; n = turns)', unit: 'ms' },
  ];
  for (const n of sizes) {
    const N = fmtN(n);
    rows.push(
      { key: `first${n}`, label: `first start on ${N} rollouts (backfill) → \`initialize\``, unit: 'ms', target: { 2000: 0.25, 20000: 0.1 }[n] },
      { key: `rows${n}`, label: `thread rows in \`state_5.sqlite\` after that first start (${N})`, unit: 'rows', higherIsBetter: true },
      { key: `first${n}Cpu`, label: `server CPU time of that first start (${N}; diagnostic)`, unit: 'ms' },
      { key: `listFirstStart${n}`, label: `\`thread/list\` first page (25 of ${N}), first request of that first start (right after \`initialized\`)`, unit: 'ms', target: n === 2000 ? 0.3 : undefined },
      { key: `second${n}`, label: `second start on ${N} rollouts → \`initialize\``, unit: 'ms' },
      { key: `listFirst${n}`, label: `\`thread/list\` first page (25 of ${N}), first request of the second start`, unit: 'ms', target: n === 2000 || n >= 100_000 ? 0.3 : undefined },
      { key: `listLater${n}`, label: `\`thread/list\` later page (cursor at ${fmtN(laterPageOffset(n))} of ${N})`, unit: 'ms' },
      { key: `listDb${n}`, label: `\`thread/list\` first page, \`useStateDbOnly\` (${N})`, unit: 'ms', target: n >= 100_000 ? 0.3 : undefined },
      { key: `tput${n}`, label: `pipelined \`thread/list\` throughput (${N}; higher is better)`, unit: 'req/s', higherIsBetter: true },
      { key: `rssLarge${n}`, label: `peak RSS (VmHWM) after the ${N}-rollout session`, unit: 'MiB' },
    );
  }
  return rows;
}

export function summarize(values) {
  if (!values || values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted.at(-1) };
}

function fmt(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (unit === 'req/s') return value >= 100 ? value.toFixed(0) : value.toFixed(1);
  if (unit === 'MiB') return value.toFixed(1);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

/** Build the Markdown table; returns `{ markdown, rows }` with per-row stats and verdicts. */
export function buildTable(catalogue, samples, refPresent) {
  const header = [
    '| metric | unit | n | ours median | ours min | ours max | ref median | ref min | ref max | ours/ref | target | result |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|',
  ];
  const rows = [];
  for (const metric of catalogue) {
    const ours = summarize(samples.ours[metric.key]);
    const ref = summarize(samples.reference?.[metric.key]);
    if (!ours && !ref) continue;
    const ratio = ours && ref ? ours.median / ref.median : null;
    let result = '';
    if (metric.target !== undefined) result = ratio === null ? 'n/a' : ratio <= metric.target ? 'PASS' : 'MISS';
    // `maxMs`: an absolute bound on our median (the ratio is still shown).
    if (metric.maxMs !== undefined) result = !ours ? 'n/a' : ours.median <= metric.maxMs ? 'PASS' : 'MISS';
    rows.push({ metric, ours, ref, ratio, result });
    const cells = [
      metric.label,
      metric.unit,
      String(Math.max(ours?.n ?? 0, ref?.n ?? 0)),
      fmt(ours?.median, metric.unit),
      fmt(ours?.min, metric.unit),
      fmt(ours?.max, metric.unit),
      refPresent ? fmt(ref?.median, metric.unit) : 'absent',
      refPresent ? fmt(ref?.min, metric.unit) : '',
      refPresent ? fmt(ref?.max, metric.unit) : '',
      ratio === null ? '—' : ratio < 1 ? ratio.toFixed(3) : ratio.toFixed(2),
      metric.maxMs !== undefined ? `≤ ${metric.maxMs} ms` : metric.target === undefined ? '' : `≤ ${metric.target}`,
      result ? `**${result}**` : '',
    ];
    header.push(`| ${cells.join(' | ')} |`);
  }
  return { markdown: header.join('\n'), rows };
}

export function machineInfo(refVersion) {
  const cpus = os.cpus();
  let nproc = String(cpus.length);
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // os.cpus() above
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpu: cpus[0]?.model ?? 'unknown',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    reference: refVersion,
  };
}
