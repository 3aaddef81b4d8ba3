import { open } from 'node:fs/promises';
import { isRecord } from '../support/json-values.js';

const CHUNK_BYTES = 64 * 1024;
const MAX_FIRST_LINE_BYTES = 8 * 1024 * 1024;

export type OwnerCheck = 'match' | 'other' | 'missing' | 'unreadable';

/**
 * Whether the file at `rolloutPath` belongs to `threadId`, judged by its first line's `session_meta.id`.
 * Reads only the first line (a DB row is a hint; the file is the truth, SPEC §8.3).
 */
export async function checkRolloutOwner(rolloutPath: string, threadId: string): Promise<{ result: OwnerCheck; ownerId?: string }> {
  let handle;
  try {
    handle = await open(rolloutPath, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { result: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable' };
  }
  try {
    const first = await readFirstLine(handle);
    if (first === null) return { result: 'unreadable' };
    const value: unknown = JSON.parse(first);
    if (!isRecord(value) || value['type'] !== 'session_meta' || !isRecord(value['payload'])) return { result: 'unreadable' };
    const id = value['payload']['id'];
    if (typeof id !== 'string') return { result: 'unreadable' };
    return id === threadId ? { result: 'match' } : { result: 'other', ownerId: id };
  } catch {
    return { result: 'unreadable' };
  } finally {
    await handle.close();
  }
}

async function readFirstLine(handle: import('node:fs/promises').FileHandle): Promise<string | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < MAX_FIRST_LINE_BYTES) {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, total);
    if (bytesRead === 0) break;
    const slice = buffer.subarray(0, bytesRead);
    const newline = slice.indexOf(0x0a);
    if (newline !== -1) {
      chunks.push(slice.subarray(0, newline));
      return Buffer.concat(chunks).toString('utf8');
    }
    chunks.push(slice);
    total += bytesRead;
  }
  return total > 0 && total < MAX_FIRST_LINE_BYTES ? Buffer.concat(chunks).toString('utf8') : null;
}
