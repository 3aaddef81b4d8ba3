import { v7 as packageV7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { systemIds, uuid7 } from '../../../src/support/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** 16 bytes whose counter seed (bytes 6–9) and tail (10–15) are chosen. */
function bytes(seed: [number, number, number, number], tail = 0xa5): Uint8Array {
  const random = new Uint8Array(16).fill(tail);
  random.set(seed, 6);
  return random;
}

/** The `uuid` package's v7 for an explicit time and counter: the layout ours must reproduce. */
function expected(msecs: number, seq: number, random: Uint8Array): string {
  return packageV7({ msecs, seq, random });
}

describe('uuid7 (the uuid package v7 algorithm, without loading node:crypto at start-up)', () => {
  // Times far in the future: this file's ids come after anything systemIds made before.
  const t = Date.parse('2999-01-01T00:00:00Z');

  it('seeds the counter from random bytes 6–9 at a new millisecond and lays the id out as the package does', () => {
    const random = bytes([0x12, 0x34, 0x56, 0x78], 0x3c);
    const id = uuid7(t, random);
    expect(id).toMatch(V7);
    expect(id).toBe(expected(t, (0x12 << 23) | (0x34 << 16) | (0x56 << 8) | 0x78, random));
    expect(id.replace(/-/g, '').slice(0, 12)).toBe(t.toString(16).padStart(12, '0'));
  });

  it('increments the counter within one millisecond, and when the clock goes back, so ids keep their order', () => {
    const first = uuid7(t + 10, bytes([0x01, 0x02, 0x03, 0x04]));
    const seed = (0x01 << 23) | (0x02 << 16) | (0x03 << 8) | 0x04;
    const same = bytes([0xff, 0xff, 0xff, 0xff], 0x11);
    const second = uuid7(t + 10, same);
    const earlier = uuid7(t + 5, same);
    expect(second).toBe(expected(t + 10, seed + 1, same));
    expect(earlier).toBe(expected(t + 10, seed + 2, same));
    expect([earlier, first, second].sort()).toEqual([first, second, earlier]);
  });

  it('counts past the largest seed as the package does (32-bit signed counter)', () => {
    // All ones in bytes 6–9 seed 0x7fffffff, the largest seed; the next id in that millisecond carries -2^31.
    const random = bytes([0xff, 0xff, 0xff, 0xff]);
    expect(uuid7(t + 20, random)).toBe(expected(t + 20, 0x7fffffff, random));
    const next = uuid7(t + 20, random);
    expect(next).toBe(expected(t + 20, -0x80000000, random));
    expect(next).toMatch(V7);
  });

  it('systemIds makes v7 ids of the current time and random v4 ids', () => {
    const before = Date.now();
    const id = systemIds.uuid7();
    expect(id).toMatch(V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(before);
    const v4 = new Set(Array.from({ length: 40 }, () => systemIds.uuid4()));
    expect(v4.size).toBe(40);
    for (const one of v4) expect(one).toMatch(V4);
    // 40 ids draw the 256-byte pool more than once: still distinct and well-formed.
    const v7 = new Set(Array.from({ length: 40 }, () => systemIds.uuid7()));
    expect(v7.size).toBe(40);
  });
});
