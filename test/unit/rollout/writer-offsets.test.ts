import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { RolloutWriter } from '../../../src/rollout/writer.js';
import type { Clock } from '../../../src/support/clock.js';

const fixedClock = (ms: number): Clock => ({ nowMs: () => ms });

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'writer-offsets-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('append reports each line’s ordinal and byte span, for a new file and for one with a torn tail', async () => {
  const dir = tempDir();
  const fresh = RolloutWriter.forNewFile(path.join(dir, 'new.jsonl'), fixedClock(Date.UTC(2026, 10, 25)));
  const a = await fresh.append([{ type: 'session_meta', payload: { id: 'x', text: 'héllo ✓' } }, { type: 'event_msg', payload: { type: 'task_started' } }]);
  const b = await fresh.append([{ type: 'event_msg', payload: { type: 'task_complete' } }]);
  await fresh.close();
  const bytes = readFileSync(path.join(dir, 'new.jsonl'));
  const spans = [...a, ...b];
  expect(spans.map((s) => s.ordinal)).toEqual([0, 1, 2]);
  expect(spans[0]?.startOffset).toBe(0);
  for (const [i, s] of spans.entries()) {
    // Byte offsets (the first line holds multi-byte UTF-8), each line ending on its `\n`, back to back.
    expect(JSON.parse(bytes.subarray(s.startOffset, s.endOffset).toString('utf8'))).toEqual(s.record);
    expect(bytes[s.endOffset - 1]).toBe(0x0a);
    if (i > 0) expect(s.startOffset).toBe(spans[i - 1]?.endOffset);
  }
  expect(fresh.byteSize).toBe(bytes.length);

  // A torn last line: the writer starts from the file's size and puts a `\n` first.
  const torn = path.join(dir, 'torn.jsonl');
  writeFileSync(torn, '{"ordinal":0,"type":"session_meta","payload":{}}\n{"ordinal":1,"type":"ev');
  const size = readFileSync(torn).length;
  const writer = RolloutWriter.forExistingFile(torn, fixedClock(0), 2, false);
  const [line] = await writer.append([{ type: 'event_msg', payload: { type: 'task_started' } }]);
  await writer.close();
  expect(line).toMatchObject({ ordinal: 2, startOffset: size + 1, endOffset: readFileSync(torn).length });
});
