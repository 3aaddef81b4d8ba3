import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../support/clock.js';
import { isoMs } from '../support/clock.js';

/** A line to append: the writer adds `timestamp` and `ordinal`. */
export interface NewRolloutLine {
  type: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/**
 * Appends whole lines to one rollout file. Each `append` call is one `write` of complete `\n`-terminated
 * lines, so a killed process leaves the file readable up to its last complete line. `sync()` makes what was
 * written durable (called at least at turn end). Not safe for concurrent use: the thread's queue serialises it.
 */
export class RolloutWriter {
  private handle: FileHandle | null = null;
  private needsLeadingNewline = false;

  private constructor(
    readonly rolloutPath: string,
    private nextOrdinal: number,
    private readonly clock: Clock,
  ) {}

  /**
   * A writer for a file that does not exist yet: created (with its date directory) on the first append.
   * Uses `wx` so two writers can never both create the same file.
   */
  static forNewFile(rolloutPath: string, clock: Clock, firstOrdinal = 0): RolloutWriter {
    return new RolloutWriter(rolloutPath, firstOrdinal, clock);
  }

  /**
   * A writer that continues an existing file. `lineCount` is the next ordinal; `endsWithNewline` false
   * (a torn last line) makes the next append start on a fresh line so the torn fragment stays isolated.
   */
  static forExistingFile(rolloutPath: string, clock: Clock, lineCount: number, endsWithNewline: boolean): RolloutWriter {
    const writer = new RolloutWriter(rolloutPath, lineCount, clock);
    writer.needsLeadingNewline = !endsWithNewline;
    return writer;
  }

  get materialized(): boolean {
    return this.handle !== null;
  }

  get ordinal(): number {
    return this.nextOrdinal;
  }

  async append(lines: NewRolloutLine[]): Promise<void> {
    if (lines.length === 0) return;
    const handle = await this.ensureOpen();
    const timestamp = isoMs(this.clock.nowMs());
    let text = this.needsLeadingNewline ? '\n' : '';
    for (const line of lines) {
      const record: Record<string, unknown> = { timestamp, ordinal: this.nextOrdinal, type: line.type, payload: line.payload };
      if (line.metadata) record['metadata'] = line.metadata;
      text += JSON.stringify(record) + '\n';
      this.nextOrdinal += 1;
    }
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
    }
    this.needsLeadingNewline = false;
  }

  async sync(): Promise<void> {
    await this.handle?.sync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) {
      await handle.sync().catch(() => undefined);
      await handle.close();
    }
  }

  /** The file moved (archive); later appends go to the new place. */
  async relocate(newPath: string): Promise<void> {
    await this.close();
    (this as { rolloutPath: string }).rolloutPath = newPath;
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    if (this.nextOrdinal === 0 && !this.needsLeadingNewline) {
      await mkdir(path.dirname(this.rolloutPath), { recursive: true });
      try {
        this.handle = await open(this.rolloutPath, 'wx');
        return this.handle;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.handle = await open(this.rolloutPath, 'a');
    return this.handle;
  }
}
