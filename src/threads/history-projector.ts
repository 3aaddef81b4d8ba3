import type { LineSpan, RolloutSpans, ThreadStore } from '../rollout/thread-store.js';
import type { AppendedLine } from '../rollout/types.js';
import { asInteger as int, isRecord, type JsonObject } from '../support/json-values.js';
import type { Logger } from '../support/logger.js';
import { NO_CHANGES, projectRolloutRecord } from './history-line-rule.js';
import type { HistoryCheckpoint, ProjectionStep, ThreadHistoryProjection } from './ports.js';

/** The store's file reads the projector needs. */
export type RolloutSpanSource = Pick<ThreadStore, 'readSpans' | 'fileSize'>;

/**
 * Keeps the reference's paginated-history projection (`thread_history_1.sqlite`) in step with the rollouts
 * this server appends to. The reference 0.169.0 answers `thread/read {includeTurns}`, `thread/turns/list` and
 * `thread/items/list` for a thread it has not loaded from that projection alone, so a turn we write must be
 * projected exactly as the reference would project it:
 *
 * - every complete line of a `history_mode: "paginated"` rollout is projected once, in ordinal order, by a
 *   stateless rule (`projectRolloutRecord`): `task_started` opens a turn (`inProgress`), `task_complete`
 *   (`completed`, or `failed` with its `error`) and `turn_aborted` (`interrupted`) end it, `item_completed`
 *   stores the v2 item; every other line changes nothing but still moves the checkpoint;
 * - a turn row keeps the ordinal and byte offset of the line that created it and takes the ordinal and end
 *   offset of the line that ended it; an item row keeps the ordinal of its `item_completed` line;
 * - the checkpoint (`thread_history_projection_state`) is the byte offset and ordinal after the last projected
 *   line, so the reference continues from there when it next loads the thread.
 *
 * Turn ends and forks project the lines just appended (their offsets come from the writer); a resumed thread
 * whose projection is missing or behind is caught up from its file. A line we cannot convert exactly (an item
 * type this server does not know) stops the projection of that thread where it is: the reference projects
 * the rest itself when it loads the thread. Nothing here fails a request: errors are logged.
 */
export class HistoryProjector {
  constructor(
    private readonly port: ThreadHistoryProjection | null,
    private readonly log: Logger,
    private readonly files: RolloutSpanSource,
  ) {}

  /** Projects lines just appended to `thread`'s rollout, catching up from the file when the projection is not exactly where they start. */
  async afterAppend(thread: ProjectableThread, lines: AppendedLine[]): Promise<void> {
    const { port } = this;
    if (!port || !thread.projectHistory || !thread.rolloutPath || lines.length === 0) return;
    try {
      const steps = stepsOfAppended(lines);
      if (steps) {
        const first = lines[0] as AppendedLine;
        const last = lines[lines.length - 1] as AppendedLine;
        const from = { offset: first.startOffset, ordinal: first.ordinal };
        if (port.apply(thread.id, { from, to: { offset: last.endOffset, ordinal: last.ordinal + 1 }, steps, replace: false })) return;
      }
      await this.catchUpFromFile(port, thread.id, thread.rolloutPath);
    } catch (err) {
      this.log.warn({ err, threadId: thread.id }, 'could not update the thread history projection; the rollout stays the truth');
    }
  }

  /**
   * A thread was loaded: projects what its rollout holds beyond the projection's checkpoint (a thread another
   * process wrote without projecting, or one never projected). `nextOrdinal` is the ordinal the writer will
   * give its next line; with the checkpoint at the file's end and that ordinal, nothing is read.
   */
  async catchUp(thread: ProjectableThread, nextOrdinal: number): Promise<void> {
    const { port } = this;
    if (!port || !thread.projectHistory || !thread.rolloutPath) return;
    try {
      const checkpoint = port.checkpoint(thread.id);
      if (checkpoint && checkpoint.ordinal === nextOrdinal && checkpoint.offset === (await this.files.fileSize(thread.rolloutPath))) return;
      await this.catchUpFromFile(port, thread.id, thread.rolloutPath);
    } catch (err) {
      this.log.warn({ err, threadId: thread.id }, 'could not update the thread history projection; the rollout stays the truth');
    }
  }

  /** The reference's rule: continue from a checkpoint that still matches the file, else rebuild from the start. */
  private async catchUpFromFile(port: ThreadHistoryProjection, threadId: string, rolloutPath: string): Promise<void> {
    const file = await this.files.readSpans(rolloutPath);
    const meta = sessionMetaOf(file.lines[0]);
    // Only paginated rollouts are projected; the reference reads legacy ones from the file.
    if (!meta || meta['history_mode'] !== 'paginated') return;
    const base = isRecord(meta['history_base']) ? int(meta['history_base']['end_ordinal_exclusive']) : null;
    const initial: HistoryCheckpoint = { offset: 0, ordinal: base ?? 0 };
    const checkpoint = port.checkpoint(threadId);
    const resume = checkpoint !== null && checkpointMatches(file, checkpoint);
    const from = resume ? checkpoint : initial;
    const replace = checkpoint !== null && !resume;
    const projected = projectSpans(
      file.lines.filter((l) => l.startOffset >= from.offset),
      from,
      int(meta['subagent_history_start_ordinal']),
    );
    if ('unsupported' in projected) {
      this.log.info({ threadId, reason: projected.unsupported }, 'thread history projection stops here; the reference projects the rest itself');
      return;
    }
    if (!replace && projected.steps.length === 0 && projected.to.offset === from.offset) return;
    if (!port.apply(threadId, { from, to: projected.to, steps: projected.steps, replace })) {
      this.log.info({ threadId }, 'thread history projection moved while it was being caught up; left as it is');
    }
  }
}

/** What the projector needs of a loaded thread. */
export interface ProjectableThread {
  id: string;
  rolloutPath: string | null;
  /** False for rollouts that are not `history_mode: "paginated"` (older versions): the reference reads those from the file. */
  projectHistory: boolean;
}

/**
 * Steps for lines this process just wrote (all complete, all with ordinals); null when one cannot be projected
 * or when they are not back to back (a failed write left a fragment between them): the file decides then.
 */
function stepsOfAppended(lines: AppendedLine[]): ProjectionStep[] | null {
  const steps: ProjectionStep[] = [];
  for (const [i, line] of lines.entries()) {
    const previous = i > 0 ? (lines[i - 1] as AppendedLine) : null;
    if (previous && (line.startOffset !== previous.endOffset || line.ordinal !== previous.ordinal + 1)) return null;
    const changes = projectRolloutRecord(line.record['type'], line.record['payload']);
    if ('unsupported' in changes) return null;
    if (changes.turns.length === 0 && changes.items.length === 0) continue;
    const fallback = changes.items.some((i) => i.startedAtMs === null) ? Date.parse(String(line.record['timestamp'])) : null;
    if (fallback !== null && Number.isNaN(fallback)) return null;
    steps.push({ ordinal: line.ordinal, startOffset: line.startOffset, endOffset: line.endOffset, fallbackCreatedAtMs: fallback, ...changes });
  }
  return steps;
}

/**
 * Steps for complete lines read from a file, from checkpoint `from` on, by the reference's rules: blank lines
 * only move the byte offset; a line that does not parse (or has no ordinal) is held back until a later line's
 * ordinal shows it took one; ordinals never go backwards and a gap must be covered by held-back lines.
 */
export function projectSpans(
  lines: LineSpan[],
  from: HistoryCheckpoint,
  subagentHistoryStart: number | null,
): { steps: ProjectionStep[]; to: HistoryCheckpoint } | { unsupported: string } {
  const steps: ProjectionStep[] = [];
  let nextOrdinal = from.ordinal;
  let nextOffset = from.offset;
  let heldBack = 0;
  for (const line of lines) {
    const text = line.bytes.toString('utf8');
    if (text.trim() === '') {
      if (heldBack === 0) nextOffset = line.endOffset;
      continue;
    }
    const value = parseRecord(text);
    const ordinal = value ? int(value['ordinal']) : null;
    if (!value || ordinal === null || ordinal < 0) {
      heldBack += 1;
      continue;
    }
    if (ordinal < nextOrdinal) return { unsupported: `ordinal ${ordinal} where ${nextOrdinal} was expected` };
    if (ordinal - nextOrdinal > heldBack) return { unsupported: `ordinal ${ordinal} where ${nextOrdinal} was expected, with ${heldBack} unreadable lines before it` };
    const inherited = subagentHistoryStart !== null && ordinal < subagentHistoryStart;
    const changes = inherited ? NO_CHANGES : projectRolloutRecord(value['type'], value['payload']);
    if ('unsupported' in changes) return changes;
    let fallback: number | null = null;
    if (changes.items.some((i) => i.startedAtMs === null)) {
      fallback = Date.parse(String(value['timestamp']));
      if (Number.isNaN(fallback)) {
        heldBack += 1;
        continue;
      }
    }
    heldBack = 0;
    if (changes.turns.length > 0 || changes.items.length > 0) {
      steps.push({ ordinal, startOffset: line.startOffset, endOffset: line.endOffset, fallbackCreatedAtMs: fallback, ...changes });
    }
    nextOrdinal = ordinal + 1;
    nextOffset = line.endOffset;
  }
  return { steps, to: { offset: nextOffset, ordinal: nextOrdinal } };
}

/**
 * Whether a stored checkpoint still describes the file: at offset 0 it must be ordinal 0; elsewhere a line must
 * end exactly there and the last line before it that carries an ordinal must carry `ordinal - 1`.
 */
function checkpointMatches(file: RolloutSpans, checkpoint: HistoryCheckpoint): boolean {
  if (checkpoint.offset === 0) return checkpoint.ordinal === 0;
  if (checkpoint.offset > file.size) return false;
  const before = file.lines.filter((l) => l.endOffset <= checkpoint.offset);
  if (before.length === 0 || (before[before.length - 1] as LineSpan).endOffset !== checkpoint.offset) return false;
  for (let i = before.length - 1; i >= 0; i -= 1) {
    const ordinal = int(parseRecord((before[i] as LineSpan).bytes.toString('utf8'))?.['ordinal']);
    if (ordinal !== null) return ordinal === checkpoint.ordinal - 1;
  }
  return false;
}

function sessionMetaOf(line: LineSpan | undefined): JsonObject | null {
  const value = line ? parseRecord(line.bytes.toString('utf8')) : null;
  return value && value['type'] === 'session_meta' && isRecord(value['payload']) ? value['payload'] : null;
}

function parseRecord(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && typeof value['type'] === 'string' ? value : null;
  } catch {
    return null;
  }
}

