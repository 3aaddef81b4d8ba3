import { describe, expect, test } from 'vitest';
import { HeadTailBuffer } from '../../../../src/tools/exec/head-tail-buffer.js';
import { approxTokenCount, effectivePolicy, FALLBACK_OUTPUT_POLICY, formattedTruncateText, truncateForPersistence, truncateMiddleChars, truncateMiddleWithTokenBudget } from '../../../../src/tools/exec/truncate.js';

const seq = (n: number): string => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

describe('the reference truncation for the model', () => {
  test('tokens are bytes / 4 rounded up', () => {
    expect(approxTokenCount('')).toBe(0);
    expect(approxTokenCount('pyenv: cannot rehash: /root/.pyenv/shims isn\'t writable\nhi\n')).toBe(15);
    expect(approxTokenCount('é')).toBe(1);
  });

  test('seq 1 30000 with max_output_tokens 50 gives the reference text', () => {
    // Captured from the reference 0.169: head 100 bytes, tail 100 bytes, 42174 tokens truncated.
    const text = seq(30000);
    const out = formattedTruncateText(text, { mode: 'tokens', limit: 50 });
    expect(out.startsWith('Warning: truncated output (original token count: 42224)\nTotal output lines: 30000\n\n1\n2\n3\n')).toBe(true);
    expect(out).toContain('35\n36\n3…42174 tokens truncated…984\n29985\n');
    expect(out.endsWith('29999\n30000\n')).toBe(true);
  });

  test('text within budget is unchanged', () => {
    expect(formattedTruncateText('hello\n', { mode: 'tokens', limit: 2 })).toBe('hello\n');
    expect(truncateMiddleWithTokenBudget('abc', 1)).toBe('abc');
  });

  test('the byte policy (models without metadata) keeps 5000 + 5000 bytes and counts removed characters', () => {
    // Captured from the reference 0.169 with the mock model: seq 1 100000, and 3000 × "héllo".
    const out = formattedTruncateText(seq(100000), FALLBACK_OUTPUT_POLICY);
    expect(out.startsWith('Warning: truncated output (original token count: 147224)\nTotal output lines: 100000\n\n1\n2\n')).toBe(true);
    expect(out).toContain('…578895 chars truncated…');
    const accents = truncateMiddleChars('héllo'.repeat(3000), 10_000);
    const [head, tail] = accents.split(/…\d+ chars truncated…/);
    expect(accents).toContain('…6667 chars truncated…');
    expect([Buffer.byteLength(head!), Buffer.byteLength(tail!)]).toEqual([4999, 5000]);
  });

  test('max_output_tokens below the model budget becomes a token policy; absent, equal or above keeps the model policy', () => {
    expect(effectivePolicy(50, FALLBACK_OUTPUT_POLICY)).toEqual({ mode: 'tokens', limit: 50 });
    expect(effectivePolicy(0, FALLBACK_OUTPUT_POLICY)).toEqual({ mode: 'tokens', limit: 0 });
    expect(effectivePolicy(2500, FALLBACK_OUTPUT_POLICY)).toBe(FALLBACK_OUTPUT_POLICY);
    expect(effectivePolicy(undefined, FALLBACK_OUTPUT_POLICY)).toBe(FALLBACK_OUTPUT_POLICY);
    expect(effectivePolicy(20_000, { mode: 'tokens', limit: 10_000 })).toEqual({ mode: 'tokens', limit: 10_000 });
    expect(formattedTruncateText('hello world\n', { mode: 'tokens', limit: 0 })).toBe('Warning: truncated output (original token count: 3)\nTotal output lines: 1\n\n…3 tokens truncated…');
  });

  test('cuts respect UTF-8 boundaries', () => {
    const out = truncateMiddleWithTokenBudget('é'.repeat(100), 1);
    expect(out).toMatch(/^é…\d+ tokens truncated…é+$/);
  });

  test('persisted output is capped at 64 KiB around the reference marker', () => {
    const text = seq(30000);
    const out = truncateForPersistence(text);
    expect(Buffer.byteLength(out)).toBe(65536);
    expect(out).toContain('\n... command output truncated for persistence ...\n');
    expect(out.indexOf('\n... command output')).toBe(32743);
    expect(truncateForPersistence('short')).toBe('short');
  });
});

describe('HeadTailBuffer keeps at most its cap', () => {
  test('drops the middle once full', () => {
    const b = new HeadTailBuffer(10);
    b.push(Buffer.from('0123456789'));
    b.push(Buffer.from('ab'));
    b.push(Buffer.from('c'));
    expect(b.toBuffer().toString()).toBe('0123489abc');
    expect(b.retainedBytes).toBe(10);
    expect(b.omittedBytes).toBe(3);
  });

  test('a chunk larger than the tail keeps only its end', () => {
    const b = new HeadTailBuffer(4);
    b.push(Buffer.from('abcdefgh'));
    expect(b.toBuffer().toString()).toBe('abgh');
    expect(b.drain().toString()).toBe('abgh');
    expect(b.retainedBytes).toBe(0);
  });
});
