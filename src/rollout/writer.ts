import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../support/clock.js';
import { isoMs } from '../support/clock.js';
import { isContained } from './contained.js';
import type { AppendedLine, NewRolloutLine } from './types.js';

export type { AppendedLine, NewRolloutLine } from './types.js';

/**
 * Appends whole lines to one rollout file. Each `append` call is one `write` of complete `\n`-terminated
 * lines, so a killed process leaves the file readable up to its last complete line. `sync()` makes what was
 * written durable (called at least at turn end). Not safe for concurrent use: the thread's queue serialises it.
 */
export class RolloutWriter {
  private handle: FileHandle | null = null;
  private needsLeadingNewline = false;
  /** File size in bytes, read when the file is opened (an existing file starts from its size). */
  private size = 0;

  /** When set, the file is only ever opened if no directory between this root and it is a symlink. */
  private root: string | null = null;

  private constructor(
    readonly rolloutPath: string,
    private nextOrdinal: number,
    private readonly clock: Clock,
  ) {}

  /** Refuse to open the file through a symlink that leaves `root` (CODEX_HOME). */
  containedIn(root: string): this {
    this.root = root;
    return this;
  }

  /**
   * A writer for a file that does not exist yet: created (with its date directory) on the first append.
   * Uses `ax` (append, exclusive create) so two writers can never both create the same file, and every write
   * lands at the end of the file even after a failed write was cut off again.
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

  /** True once at least one line is in the file (a file created by a write that then failed holds none). */
  get materialized(): boolean {
    return this.nextOrdinal > 0;
  }

  get ordinal(): number {
    return this.nextOrdinal;
  }

  /** Bytes in the file as far as this writer knows (0 before the file is opened). */
  get byteSize(): number {
    return this.size;
  }

  /**
   * Appends `lines` in one write. When the write fails (ENOSPC, EFBIG, EIO) nothing of the batch is kept: a
   * partly written batch is cut off again, so the file still ends on a whole line and ordinals stay equal to
   * line numbers; the error is rethrown. Returns each line's ordinal and byte span (a torn tail gets a `\n`
   * first, so the first line then starts one byte after the old end).
   */
  async append(lines: NewRolloutLine[]): Promise<AppendedLine[]> {
    if (lines.length === 0) return [];
    const handle = await this.ensureOpen();
    const timestamp = isoMs(this.clock.nowMs());
    let ordinal = this.nextOrdinal;
    let text = this.needsLeadingNewline ? '\n' : '';
    let end = this.size + text.length;
    const appended: AppendedLine[] = [];
    for (const line of lines) {
      const record: Record<string, unknown> = { timestamp, ordinal, type: line.type, payload: line.payload };
      if (line.metadata) record['metadata'] = line.metadata;
      const json = JSON.stringify(record) + '\n';
      text += json;
      const start = end;
      end += Buffer.byteLength(json, 'utf8');
      appended.push({ ordinal, startOffset: start, endOffset: end, record });
      ordinal += 1;
    }
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    try {
      while (offset < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      await this.discardPartialWrite(handle, buffer.subarray(0, offset));
      this.size = await handle.stat().then((st) => st.size, () => this.size + offset);
      throw error;
    }
    this.nextOrdinal = ordinal;
    this.needsLeadingNewline = false;
    this.size += buffer.length;
    return appended;
  }

  private async discardPartialWrite(handle: FileHandle, landed: Buffer): Promise<void> {
    if (landed.length === 0) return;
    try {
      const { size } = await handle.stat();
      await handle.truncate(size - landed.length);
    } catch {
      // Could not cut it off: keep the fragment on a line of its own (like a torn line after a crash) and
      // count the lines that did land, so the next ordinal still equals the next line number.
      let newlines = 0;
      for (const byte of landed) if (byte === 0x0a) newlines += 1;
      const endsClean = landed[landed.length - 1] === 0x0a;
      this.nextOrdinal += newlines - (this.needsLeadingNewline ? 1 : 0) + (endsClean ? 0 : 1);
      this.needsLeadingNewline = !endsClean;
    }
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
    if (this.root) await this.assertContained();
    if (this.nextOrdinal === 0 && !this.needsLeadingNewline) {
      await mkdir(path.dirname(this.rolloutPath), { recursive: true });
      await this.assertContained();
      try {
        this.handle = await open(this.rolloutPath, 'ax');
        this.size = 0;
        return this.handle;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const handle = await open(this.rolloutPath, 'a');
    try {
      this.size = (await handle.stat()).size;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    return handle;
  }

  private async assertContained(): Promise<void> {
    if (this.root && !(await isContained(this.root, this.rolloutPath))) {
      throw new Error(`refusing to write ${this.rolloutPath}: a symlink on its path leads out of ${this.root}`);
    }
  }
}
