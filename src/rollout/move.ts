import { lstat, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { isContained } from './contained.js';
import { ThreadStoreError } from './errors.js';

/**
 * Moves a rollout inside `home` without ever overwriting: fails with `conflict` when `to` exists and with
 * `io` when a symlink on either path leads out of `home` (checked again after creating the directory).
 * Rename, never copy-then-delete: a crash in between would leave two files claiming the same thread id.
 */
export async function moveNoReplace(home: string, from: string, to: string): Promise<void> {
  const exists = await lstat(to).then(
    () => true,
    () => false,
  );
  if (exists) throw new ThreadStoreError('conflict', `failed to move rollout ${from}: destination ${to} already exists`);
  const outside = async (): Promise<boolean> => !(await isContained(home, from)) || !(await isContained(home, to));
  if (await outside()) throw new ThreadStoreError('io', `refusing to move rollout ${from} to ${to}: a symlink on the way leads out of ${home}`);
  await mkdir(path.dirname(to), { recursive: true });
  if (await outside()) throw new ThreadStoreError('io', `refusing to move rollout ${from} to ${to}: a symlink on the way leads out of ${home}`);
  try {
    await rename(from, to);
  } catch (error) {
    throw new ThreadStoreError('io', `failed to move rollout ${from} to ${to}: ${(error as Error).message}`, { cause: error });
  }
}
