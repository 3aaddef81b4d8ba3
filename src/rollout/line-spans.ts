import { open } from 'node:fs/promises';

/** One complete (`\n`-terminated) line of a rollout file and where it sits, in bytes. */
export interface LineSpan {
  /** Offset of the line's first byte in the file. */
  startOffset: number;
  /** Offset just after its `\n`. */
  endOffset: number;
  /** The line's bytes, `\n` included. */
  bytes: Buffer;
}

/** A rollout file's complete lines with their byte spans; a trailing fragment without `\n` is left out. */
export interface RolloutSpans {
  /** File size when it was read (the fragment, if any, included). */
  size: number;
  lines: LineSpan[];
}

/**
 * Splits `bytes` (the file from offset `base` on) into complete lines. Offsets are byte offsets, so they stay
 * right whatever UTF-8 the lines hold.
 */
export function completeLineSpans(bytes: Buffer, base = 0): LineSpan[] {
  const lines: LineSpan[] = [];
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0) break;
    lines.push({ startOffset: base + start, endOffset: base + newline + 1, bytes: bytes.subarray(start, newline + 1) });
    start = newline + 1;
  }
  return lines;
}

/** Reads a rollout file's bytes (one read of its current size) and splits them into complete lines. */
export async function readRolloutSpans(rolloutPath: string): Promise<RolloutSpans> {
  const handle = await open(rolloutPath, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { size: read, lines: completeLineSpans(bytes.subarray(0, read)) };
  } finally {
    await handle.close();
  }
}
