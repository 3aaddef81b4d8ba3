import { nodeCrypto } from './lazy-modules.js';

/** Source of identifiers. Threads, turns and items use UUIDv7 (time-ordered), as the reference does. */
export interface IdSource {
  /** A lowercase hyphenated UUIDv7. */
  uuid7(): string;
  /** A lowercase hyphenated random UUIDv4. */
  uuid4(): string;
}

export const systemIds: IdSource = {
  uuid7: () => uuid7(Date.now(), randomBytes16()),
  uuid4: () => nodeCrypto().randomUUID(),
};

/**
 * UUIDv7 as the `uuid` package's `v7()` makes it (RFC 9562 layout, method 1 counter): 48 bits of unix milliseconds,
 * then a 42-bit counter seeded from random bits at each new millisecond and incremented within one (a wrap moves
 * the time on by a millisecond), so ids made by one process sort in creation order; 32 random bits end it.
 * Written here rather than imported so that node:crypto loads with the first id, not at start-up.
 */
const v7State = { msecs: -Infinity, seq: 0 };

/** Exported for tests: the id for `now` (unix ms) and 16 random bytes, advancing this process's v7 counter. */
export function uuid7(now: number, random: Uint8Array): string {
  if (now > v7State.msecs) {
    v7State.seq = (random[6]! << 23) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    v7State.msecs = now;
  } else {
    v7State.seq = (v7State.seq + 1) | 0;
    if (v7State.seq === 0) v7State.msecs += 1;
  }
  const { msecs, seq } = v7State;
  const bytes = [
    (msecs / 0x10000000000) & 0xff,
    (msecs / 0x100000000) & 0xff,
    (msecs / 0x1000000) & 0xff,
    (msecs / 0x10000) & 0xff,
    (msecs / 0x100) & 0xff,
    msecs & 0xff,
    0x70 | ((seq >>> 28) & 0x0f),
    (seq >>> 20) & 0xff,
    0x80 | ((seq >>> 14) & 0x3f),
    (seq >>> 6) & 0xff,
    ((seq << 2) & 0xff) | (random[10]! & 0x03),
    random[11]!,
    random[12]!,
    random[13]!,
    random[14]!,
    random[15]!,
  ];
  let text = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[bytes[i]!];
  }
  return text;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Random bytes drawn 256 at a time (as the `uuid` package does): one getrandom call per 16 ids. */
const pool = new Uint8Array(256);
let poolAt = pool.length;

function randomBytes16(): Uint8Array {
  if (poolAt > pool.length - 16) {
    nodeCrypto().randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.subarray(poolAt - 16, poolAt);
}
