import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { nodeCrypto } from '../support/lazy-modules.js';

/**
 * Replaces `path` with `contents` so that a reader (or a crash) sees the old file or the new one, never a
 * half-written one: the bytes go to a temp file in the same directory (same filesystem, so the rename is
 * atomic), which is fsynced, then renamed over `path`. A failure removes the temp file and leaves `path` as it was.
 */
export async function writeFileAtomic(path: string, contents: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
