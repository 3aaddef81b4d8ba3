/**
 * A byte buffer capped at `maxBytes`: the first half is kept as the head, the newest bytes as the tail, and the
 * middle is dropped (counted in `omittedBytes`), as the reference's `HeadTailBuffer` (1 MiB per command). A command
 * printing 100 MB therefore never holds more than `maxBytes` here.
 */
export const OUTPUT_MAX_BYTES = 1024 * 1024;

export class HeadTailBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  omittedBytes = 0;
  private readonly headBudget: number;
  private readonly tailBudget: number;

  constructor(readonly maxBytes: number = OUTPUT_MAX_BYTES) {
    this.headBudget = Math.floor(maxBytes / 2);
    this.tailBudget = maxBytes - this.headBudget;
  }

  get retainedBytes(): number {
    return this.headBytes + this.tailBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const toHead = Math.min(this.headBudget - this.headBytes, chunk.length);
    if (toHead > 0) {
      this.head.push(Buffer.from(chunk.subarray(0, toHead)));
      this.headBytes += toHead;
    }
    const rest = chunk.subarray(toHead);
    if (rest.length === 0) return;
    if (this.tailBudget === 0) {
      this.omittedBytes += rest.length;
      return;
    }
    if (rest.length >= this.tailBudget) {
      this.omittedBytes += this.tailBytes + rest.length - this.tailBudget;
      this.tail = [Buffer.from(rest.subarray(rest.length - this.tailBudget))];
      this.tailBytes = this.tailBudget;
      return;
    }
    this.tail.push(Buffer.from(rest));
    this.tailBytes += rest.length;
    let excess = this.tailBytes - this.tailBudget;
    while (excess > 0) {
      const first = this.tail[0]!;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.omittedBytes += first.length;
        excess -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.omittedBytes += excess;
        excess = 0;
      }
    }
  }

  /** The retained bytes, head then tail (omitted bytes are not represented). */
  toBuffer(): Buffer {
    return Buffer.concat([...this.head, ...this.tail]);
  }

  /** The retained bytes with the reference's `\n... N bytes omitted ...\n` between head and tail when bytes were dropped. */
  toBufferWithMarker(): Buffer {
    if (this.omittedBytes === 0) return this.toBuffer();
    return Buffer.concat([...this.head, Buffer.from(omissionMarker(this.omittedBytes)), ...this.tail]);
  }

  /** Returns what `toBufferWithMarker()` returns, how many bytes were dropped, and empties the buffer. */
  drainWithMarker(): { bytes: Buffer; omittedBytes: number } {
    const out = { bytes: this.toBufferWithMarker(), omittedBytes: this.omittedBytes };
    this.drain();
    return out;
  }

  /** Returns the retained bytes and empties the buffer. */
  drain(): Buffer {
    const out = this.toBuffer();
    this.head = [];
    this.tail = [];
    this.headBytes = 0;
    this.tailBytes = 0;
    this.omittedBytes = 0;
    return out;
  }
}

export function omissionMarker(omittedBytes: number): string {
  return `\n... ${omittedBytes} bytes omitted ...\n`;
}
