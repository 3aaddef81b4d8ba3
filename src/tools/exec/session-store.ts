/**
 * The command sessions of one thread: every started command lives here from spawn until the model has seen its
 * exit (the reference's process store). Ids are random numbers in 1000..99999 (the reference's "process id" that
 * the model passes back as `session_id`). At most 64 are kept: storing one more prunes the least recently used,
 * exited ones first, never one of the 8 most recently used (the reference's policy).
 */
import { StringDecoder } from 'node:string_decoder';
import type { ToolContext } from '../tool.js';
import { HeadTailBuffer } from './head-tail-buffer.js';
import type { CommandItemState } from './items.js';
import type { CommandProcess } from './process.js';

export const MAX_SESSIONS = 64;
const PROTECTED_RECENT = 8;
/** The reference stops streaming `outputDelta`s for one command after this many. */
export const MAX_OUTPUT_DELTAS = 10_000;

export interface Session {
  readonly processId: string;
  readonly cx: ToolContext;
  readonly item: CommandItemState;
  process: CommandProcess | null;
  tty: boolean;
  /** Everything the command printed (1 MiB head/tail): the item's `aggregatedOutput`. */
  readonly transcript: HeadTailBuffer;
  /** Output not yet returned to the model (1 MiB head/tail). */
  readonly pending: HeadTailBuffer;
  readonly decoder: StringDecoder;
  deltas: number;
  exitCode: number | null | undefined;
  /** Resolves once the exit was handled (item completed and recorded). */
  readonly done: Promise<void>;
  resolveDone(): void;
  /** Collectors waiting for the exit (a poll may overlap the first wait when tool calls run in parallel). */
  readonly waiters: Set<() => void>;
  lastUsed: number;
  startedNs: bigint;
  /** Runs once the process is gone (before the item completes): releases the sandbox's synthetic mount points. */
  onGone: (() => void) | null;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly reserved = new Set<string>();
  private useCounter = 0;

  constructor(private readonly random: () => number) {}

  /** A fresh id, reserved until released. */
  allocateId(): string {
    for (;;) {
      const id = String(1000 + Math.floor(this.random() * 99_000));
      if (!this.reserved.has(id)) {
        this.reserved.add(id);
        return id;
      }
    }
  }

  release(id: string): void {
    this.reserved.delete(id);
    this.sessions.delete(id);
  }

  create(processId: string, cx: ToolContext, item: CommandItemState, tty: boolean, startedNs: bigint): Session {
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const session: Session = {
      processId,
      cx,
      item,
      process: null,
      tty,
      transcript: new HeadTailBuffer(),
      pending: new HeadTailBuffer(),
      decoder: new StringDecoder('utf8'),
      deltas: 0,
      exitCode: undefined,
      done,
      resolveDone,
      waiters: new Set(),
      lastUsed: this.useCounter++,
      startedNs,
      onGone: null,
    };
    return session;
  }

  /** Keeps a still-running session for `write_stdin`, pruning one first when the store is full. */
  store(session: Session): void {
    if (this.sessions.size >= MAX_SESSIONS) this.pruneOne();
    this.sessions.set(session.processId, session);
  }

  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session) session.lastUsed = this.useCounter++;
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  private pruneOne(): void {
    const byRecency = [...this.sessions.values()].sort((a, b) => b.lastUsed - a.lastUsed);
    const protectedIds = new Set(byRecency.slice(0, PROTECTED_RECENT).map((s) => s.processId));
    const lru = [...byRecency].reverse().filter((s) => !protectedIds.has(s.processId));
    const victim = lru.find((s) => s.exitCode !== undefined) ?? lru[0];
    if (!victim) return;
    this.release(victim.processId);
    victim.process?.kill();
  }
}
