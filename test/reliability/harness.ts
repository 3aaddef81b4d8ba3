/**
 * Shared pieces of the reliability suite (issue #8): run profile (CI vs `npm run stress`), server spawning
 * with cleanup, a mock model with random delays, and the checks every category reuses — rollout validity,
 * directory snapshots, stderr crash traces, VmRSS.
 */
import { createHash } from 'node:crypto';
import { chownSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import {
  McpProcess,
  createConfigToml,
  createMockResponsesServer,
  defaultServerBin,
  evAssistantMessage,
  evCompleted,
  evCreated,
  sseResponse,
  type ConfigTomlOverrides,
  type JsonRpcMessage,
  type McpProcessOptions,
  type MockHandler,
  type MockResponsesServer,
  type TurnStartParamsInput,
} from '../../src/testing/index.js';
import { printDiagnosticsOnFailure } from '../support/diagnostics.js';
import { referenceSchemaChecker } from '../support/schema-checker.js';
import { tempHomeForTest } from '../support/temp-home.js';

/** `RELIABILITY_PROFILE=stress` (set by `npm run stress`) raises every count to its full value. */
export const STRESS = process.env['RELIABILITY_PROFILE'] === 'stress';

/** Counts per category; CI values keep the folder well under two minutes on two cores. */
export const COUNTS = {
  fuzzMessages: STRESS ? 100_000 : 10_000,
  /** Fuzz runs are split over this many server processes (each gets its share of the messages). */
  fuzzProcesses: STRESS ? 4 : 1,
  kills: STRESS ? 300 : 50,
  /** Homes killed in parallel in the crash test (kills are divided among them). */
  crashHomes: STRESS ? 4 : 2,
  concurrentProcesses: 8,
  turnsPerProcess: STRESS ? 6 : 2,
  threadsInFlight: STRESS ? 300 : 100,
} as const;

/** A hang guard for a test: twice the base (a busy 2-core CI machine), five times under the stress profile. */
export function budget(ms: number): number {
  return STRESS ? ms * 5 : ms * 2;
}

/**
 * Seed of every random choice in a run; printed so a failure can be replayed with `RELIABILITY_SEED`.
 * `npm test` and CI use a fixed seed per label, so a run is reproducible and a failure is never luck; only
 * `npm run stress` (RELIABILITY_PROFILE=stress) draws a fresh random seed each time.
 */
export function runSeed(label: string): number {
  const fromEnv = Number(process.env['RELIABILITY_SEED']);
  const seed = Number.isInteger(fromEnv) && process.env['RELIABILITY_SEED'] ? fromEnv : STRESS ? Math.floor(Math.random() * 2 ** 31) : fixedSeed(label);
  process.stderr.write(`[reliability] ${label}: seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  return seed;
}

/** A stable 31-bit seed for `label` (FNV-1a). */
export function fixedSeed(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

/** A small deterministic PRNG (mulberry32) for choices outside fast-check (delays, kill points). */
export function prng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('prng.pick from an empty list');
    return items[int(0, items.length - 1)] as T;
  };
  return { next, int, pick };
}

/** The server entry the kit runs (`dist/cli.cjs`, or `MCP_PROCESS_SERVER_BIN`), for tests that spawn it themselves. */
export function serverEntry(): string {
  return process.env['MCP_PROCESS_SERVER_BIN'] ?? defaultServerBin();
}

/** A temp CODEX_HOME removed when the test ends. */
export async function tempHome(prefix = 'cas-rel-'): Promise<string> {
  return tempHomeForTest(prefix);
}

/**
 * A mock model that answers every request with one assistant message in `deltas` pieces, waiting a random
 * 0..`maxDelayMs` between SSE events (so a kill or a fault lands mid-stream).
 */
export async function randomDelayModel(seed: number, opts: { maxDelayMs?: number; maxDeltas?: number } = {}): Promise<MockResponsesServer> {
  const rnd = prng(seed);
  const handler: MockHandler = (_request, n) =>
    sseResponse(
      [evCreated(`resp_${n}`), ...evAssistantMessage(`msg_${n}`, `answer number ${n} `.repeat(rnd.int(1, 4)), { deltas: rnd.int(1, opts.maxDeltas ?? 6) }), evCompleted(`resp_${n}`)],
      { delayBetweenEventsMs: rnd.int(0, opts.maxDelayMs ?? 15) },
    );
  const mock = await createMockResponsesServer(handler);
  onTestFinished(() => mock.close());
  return mock;
}

/** A home with config.toml pointing at `mock`. */
export async function homeWithModel(mock: MockResponsesServer, overrides: ConfigTomlOverrides = {}, prefix?: string): Promise<string> {
  const home = await tempHome(prefix);
  await createConfigToml(home, mock.uri, overrides);
  return home;
}

/** Spawns the built server on `home` (closed, or killed, when the test ends). */
export async function spawn(
  home: string,
  opts: Partial<McpProcessOptions> & { initialize?: boolean; schemaCheck?: boolean } = {},
): Promise<McpProcess> {
  const { initialize = true, schemaCheck = true, ...rest } = opts;
  const messageChecker = schemaCheck ? await referenceSchemaChecker() : undefined;
  const mcp = await McpProcess.start({ codexHome: home, readTimeoutMs: 20_000, messageChecker, ...rest });
  printDiagnosticsOnFailure(mcp);
  onTestFinished(async () => {
    await mcp.close();
    // Every message received validates against the reference JSON Schema (responses by their request's method).
    const problems = mcp.protocolProblems();
    if (problems.length > 0) throw new Error(`protocol problems:\n${[...new Set(problems)].slice(0, 20).join('\n')}`);
  });
  if (initialize) await mcp.initialize();
  return mcp;
}

export type Json = Record<string, any>;

/** Sends a request and returns its answer (result or error), whatever it is. */
export async function call(mcp: McpProcess, method: string, params: unknown, timeoutMs?: number): Promise<{ result?: Json; error?: { code: number; message: string } }> {
  const id = await mcp.sendRequest(method, params);
  const answer = (await mcp.readStreamUntil((m) => 'id' in m && m.id === id && !('method' in m), `answer to ${method} #${String(id)}`, { timeoutMs })) as Json;
  return { result: answer['result'], error: answer['error'] };
}

/** Sends a request that must succeed; returns its result. */
export async function ok(mcp: McpProcess, method: string, params: unknown, timeoutMs?: number): Promise<Json> {
  const answer = await call(mcp, method, params, timeoutMs);
  if (answer.error) throw new Error(`${method} failed: ${answer.error.code} ${answer.error.message}\n${mcp.diagnostics()}`);
  return answer.result as Json;
}

/** A one-text `turn/start` input, typed as the harness's turn/start params accept it. */
export function textInput(text: string): TurnStartParamsInput['input'] {
  return [{ type: 'text', text, text_elements: [] }];
}

/** Starts a turn and waits for its `turn/completed`; returns that turn. */
export async function runTurn(mcp: McpProcess, threadId: string, text: string, timeoutMs = 20_000): Promise<Json> {
  const started = await ok(mcp, 'turn/start', { threadId, input: textInput(text) }, timeoutMs);
  const turnId = started['turn']['id'];
  const done = (await mcp.readStreamUntil(
    (m) => 'method' in m && m.method === 'turn/completed' && (m as Json)['params']['turn']['id'] === turnId,
    `turn/completed of ${turnId}`,
    { timeoutMs },
  )) as Json;
  return done['params']['turn'];
}

/** Every stdout message so far, parsed. */
export function messages(mcp: McpProcess): Json[] {
  return mcp.allStdoutLines().map((l) => JSON.parse(l) as Json);
}

/**
 * A view of everything the server wrote to stdout that many concurrent waiters can share (the kit's inbox
 * serves one waiter at a time). Waiters are checked whenever new lines have arrived (polled every 10 ms).
 */
export class Tail {
  private readonly parsed: Json[] = [];
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private gone = false;

  constructor(private readonly mcp: McpProcess) {
    // Resolves once the process has exited and its stdout is fully read.
    mcp.waitForExit({ timeoutMs: 2_000_000_000 }).then(
      () => (this.gone = true),
      () => undefined,
    );
  }

  /** Every message so far, parsed, in arrival order. */
  all(): Json[] {
    const lines = this.mcp.allStdoutLines();
    for (let i = this.parsed.length; i < lines.length; i += 1) this.parsed.push(JSON.parse(lines[i]!) as Json);
    return this.parsed;
  }

  /** The first message at index >= `from` satisfying `pred`; rejects on timeout or when the process is gone. */
  waitFor(what: string, pred: (m: Json) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<Json> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let scanned = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const all = this.all();
        for (; scanned < all.length; scanned += 1) {
          if (pred(all[scanned]!)) {
            this.waiters.delete(check);
            resolve(all[scanned]!);
            return;
          }
        }
        if (Date.now() > deadline || this.gone) {
          this.waiters.delete(check);
          reject(new Error(`gave up waiting for ${what}\n${this.mcp.diagnostics()}`));
        }
      };
      this.waiters.add(check);
      this.schedule();
      check();
    });
  }

  /** The answer to request `id`. */
  answer(id: unknown, timeoutMs?: number): Promise<Json> {
    return this.waitFor(`answer to ${JSON.stringify(id)}`, (m) => m['id'] === id && !('method' in m), { timeoutMs });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const check of [...this.waiters]) check();
      if (this.waiters.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, 10);
  }
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** VmRSS of a live process in kB (null once it is gone). */
export function vmRssKb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Signs of a crash in the server's stderr: raw (non-log) stack frames, uncaught exceptions or unhandled
 * rejections, fatal log lines, and error-level log lines unless `allowErrorLogs` (a deliberate error log may
 * carry its stack inside the JSON). Returns the offending lines (empty when clean).
 */
export function crashSigns(stderr: string, opts: { allowErrorLogs?: boolean } = {}): string[] {
  const bad: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    let level: unknown = undefined;
    if (line.startsWith('{')) {
      try {
        level = (JSON.parse(line) as Json)['level'];
      } catch {
        // not a log line
      }
    }
    if (typeof level === 'number') {
      if (level >= 60 || (level >= 50 && !opts.allowErrorLogs)) bad.push(line);
    } else if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/.test(line) || /uncaught|unhandled|Error:|FATAL|Segmentation fault|Aborted|^\s*\^\s*$/i.test(line)) {
      bad.push(line);
    }
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------------
// Rollout files

/** Every `rollout-*.jsonl` under `dir`, recursively (symlinks are not followed). */
export function rolloutFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && /^rollout-.*\.jsonl$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export interface RolloutCheck {
  file: string;
  /** Complete, parsed lines. */
  lines: Json[];
  /** Byte offset of an unterminated last line, or null. */
  tornTailAt: number | null;
  /** Byte offsets of every complete line that does not parse. */
  badLineOffsets: number[];
  problems: string[];
}

/**
 * Checks one rollout the way a reader after a crash needs it: every complete line is a JSON object with a
 * string `type`; line 0 is `session_meta`; `ordinal`, where present, equals the line number (no line lost,
 * duplicated or interleaved). Only the last line may be unterminated. A complete line that does not parse is
 * a problem unless its byte offset is in `allowedBadOffsets` (a torn tail from an earlier crash that a
 * resumed writer isolated on its own line).
 */
export function checkRollout(file: string, allowedBadOffsets: ReadonlySet<number> = new Set()): RolloutCheck {
  const bytes = readFileSync(file);
  const result: RolloutCheck = { file, lines: [], tornTailAt: null, badLineOffsets: [], problems: [] };
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) {
      result.tornTailAt = start;
      break;
    }
    const text = bytes.subarray(start, nl).toString('utf8');
    let value: unknown = undefined;
    try {
      value = JSON.parse(text);
    } catch {
      // handled below
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Json)['type'] !== 'string') {
      result.badLineOffsets.push(start);
      if (!allowedBadOffsets.has(start)) result.problems.push(`line ${lineNo} (offset ${start}) does not parse: ${JSON.stringify(text.slice(0, 120))}`);
    } else {
      const line = value as Json;
      result.lines.push(line);
      if (lineNo === 0 && line['type'] !== 'session_meta') result.problems.push(`line 0 is ${String(line['type'])}, not session_meta`);
      if (typeof line['ordinal'] === 'number' && line['ordinal'] !== lineNo) result.problems.push(`line ${lineNo} has ordinal ${line['ordinal']}`);
    }
    lineNo += 1;
    start = nl + 1;
  }
  if (bytes.length === 0) result.problems.push('empty file');
  return result;
}

/** Turn ids that a rollout records as completed (`task_complete` without `error`; a failed turn carries one). */
export function completedTurnIds(lines: Json[]): string[] {
  return lines
    .filter((l) => l['type'] === 'event_msg' && l['payload']?.['type'] === 'task_complete' && !l['payload']['error'])
    .map((l) => String(l['payload']['turn_id']));
}

// ---------------------------------------------------------------------------------------------------
// Directory snapshots (path safety)

export interface Entry {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  mode: number;
  sha256: string | null;
  target: string | null;
}

/** Every entry under `root` (not following symlinks): kind, size, mtime, mode, content hash. */
export function snapshotTree(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isSymbolicLink()) out.set(rel, { kind: 'symlink', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, sha256: null, target: readlinkSync(p) });
      else if (st.isDirectory()) {
        out.set(rel, { kind: 'dir', size: 0, mtimeMs: st.mtimeMs, mode: st.mode, sha256: null, target: null });
        walk(p);
      } else if (st.isFile()) {
        out.set(rel, { kind: 'file', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, sha256: createHash('sha256').update(readFileSync(p)).digest('hex'), target: null });
      } else out.set(rel, { kind: 'other', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, sha256: null, target: null });
    }
  };
  walk(root);
  return out;
}

/** Differences between two snapshots, as readable lines (empty when identical). */
export function diffSnapshots(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const diffs: string[] = [];
  for (const [p, e] of after) {
    const b = before.get(p);
    if (!b) diffs.push(`created: ${p} (${e.kind})`);
    else if (JSON.stringify(b) !== JSON.stringify(e)) diffs.push(`changed: ${p}: ${JSON.stringify(b)} -> ${JSON.stringify(e)}`);
  }
  for (const p of before.keys()) if (!after.has(p)) diffs.push(`removed: ${p}`);
  return diffs;
}

export type { JsonRpcMessage };

// ---------------------------------------------------------------------------------------------------
// Running the server without root (permission faults): see test/support/unprivileged.ts

export { unavailable, unprivileged, type Unprivileged } from '../support/unprivileged.js';

/** Gives the whole home to the unprivileged user. */
export function chownHome(home: string, who: { uid: number; gid: number }): void {
  const walk = (p: string): void => {
    chownSync(p, who.uid, who.gid);
    if (lstatSync(p).isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(home);
}
