/**
 * Edges of the symlink containment check and the no-replace move (found by mutation testing, issue 17): the
 * root itself, siblings, symlinks at each level, missing and non-directory components, and what a refused or
 * failed move leaves behind on disk.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isContained, isRealDirectory, relativeInside } from '../../../src/rollout/contained.js';
import { ThreadStoreError } from '../../../src/rollout/errors.js';
import { moveNoReplace } from '../../../src/rollout/move.js';

let base: string;
let home: string;
let outside: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'contained-edges-'));
  home = path.join(base, 'home');
  outside = path.join(base, 'outside');
  await mkdir(path.join(home, 'sessions', 'd'), { recursive: true });
  await mkdir(outside);
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<ThreadStoreError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ThreadStoreError);
  return error as ThreadStoreError;
}

describe('isContained', () => {
  test('an existing file and a not-yet-existing path under the root are contained', async () => {
    await writeFile(path.join(home, 'sessions', 'd', 'f'), 'x');
    expect(await isContained(home, path.join(home, 'sessions', 'd', 'f'))).toBe(true);
    expect(await isContained(home, path.join(home, 'sessions', 'new', 'deeper', 'f'))).toBe(true);
  });

  test('the root itself, a parent, a sibling with the same prefix and a relative escape are not', async () => {
    expect(await isContained(home, home)).toBe(false);
    expect(await isContained(home, base)).toBe(false);
    expect(await isContained(home, `${home}-sibling/f`)).toBe(false);
    expect(await isContained(home, path.join(home, '..', 'outside', 'f'))).toBe(false);
    expect(await isContained(home, '/')).toBe(false);
  });

  test('a name that starts with two dots is a child, not a step up (it failed before: `..x` read as `..`)', async () => {
    await mkdir(path.join(home, '..x'));
    await writeFile(path.join(home, '..x', 'f'), 'x');
    expect(await isContained(home, path.join(home, '..x', 'f'))).toBe(true);
    expect(await isContained(home, path.join(home, '...'))).toBe(true);
    expect(await isContained(home, path.join(home, '..x', '..', '..', 'outside'))).toBe(false);
    expect(relativeInside(home, path.join(home, '..x', 'f'))).toBe(path.join('..x', 'f'));
    expect(relativeInside(home, path.join(home, '..'))).toBeNull();
    expect(relativeInside(home, `${home}/`)).toBeNull();
  });

  test('a symlink at any level refuses, even one pointing inside the root', async () => {
    await symlink(outside, path.join(home, 'sessions', 'link'));
    expect(await isContained(home, path.join(home, 'sessions', 'link'))).toBe(false);
    expect(await isContained(home, path.join(home, 'sessions', 'link', 'f'))).toBe(false);
    await symlink(path.join(home, 'sessions', 'd'), path.join(home, 'inner'));
    expect(await isContained(home, path.join(home, 'inner', 'f'))).toBe(false);
    await writeFile(path.join(outside, 'target'), 'x');
    await symlink(path.join(outside, 'target'), path.join(home, 'sessions', 'd', 'file-link'));
    expect(await isContained(home, path.join(home, 'sessions', 'd', 'file-link'))).toBe(false);
  });

  test('a dangling symlink refuses', async () => {
    await symlink(path.join(outside, 'missing'), path.join(home, 'dangling'));
    expect(await isContained(home, path.join(home, 'dangling', 'f'))).toBe(false);
  });

  test('a path through a regular file (ENOTDIR) is not contained', async () => {
    await writeFile(path.join(home, 'plain'), 'x');
    expect(await isContained(home, path.join(home, 'plain', 'f'))).toBe(false);
  });

  test('checks stop at the first missing component (later parts cannot be symlinks yet)', async () => {
    expect(await isContained(home, path.join(home, 'missing', 'a', 'b'))).toBe(true);
  });
});

describe('isRealDirectory', () => {
  test('a directory yes; a symlink to one, a file and a missing path no', async () => {
    await symlink(outside, path.join(home, 'link'));
    await writeFile(path.join(home, 'file'), 'x');
    expect(await isRealDirectory(home)).toBe(true);
    expect(await isRealDirectory(path.join(home, 'link'))).toBe(false);
    expect(await isRealDirectory(path.join(home, 'file'))).toBe(false);
    expect(await isRealDirectory(path.join(home, 'missing'))).toBe(false);
  });
});

describe('moveNoReplace', () => {
  test('moves into directories it creates, keeping the content', async () => {
    const from = path.join(home, 'sessions', 'd', 'r.jsonl');
    const to = path.join(home, 'archived', 'x', 'y', 'r.jsonl');
    await writeFile(from, 'line\n');
    await moveNoReplace(home, from, to);
    expect(existsSync(from)).toBe(false);
    expect(await readFile(to, 'utf8')).toBe('line\n');
  });

  test('an existing destination (even a dangling symlink) is a conflict and nothing moves', async () => {
    const from = path.join(home, 'sessions', 'd', 'r.jsonl');
    const to = path.join(home, 'sessions', 'd', 'taken.jsonl');
    await writeFile(from, 'a');
    await writeFile(to, 'b');
    const e = await rejection(moveNoReplace(home, from, to));
    expect(e.kind).toBe('conflict');
    expect(e.message).toBe(`failed to move rollout ${from}: destination ${to} already exists`);
    expect(await readFile(from, 'utf8')).toBe('a');
    expect(await readFile(to, 'utf8')).toBe('b');
    const dangling = path.join(home, 'sessions', 'd', 'dangling.jsonl');
    await symlink(path.join(outside, 'nothing'), dangling);
    expect((await rejection(moveNoReplace(home, from, dangling))).kind).toBe('conflict');
  });

  test('a source reached through a symlink is refused before any directory is created', async () => {
    await writeFile(path.join(outside, 'r.jsonl'), 'secret');
    await symlink(outside, path.join(home, 'sessions', 'link'));
    const from = path.join(home, 'sessions', 'link', 'r.jsonl');
    const to = path.join(home, 'archived', 'new', 'r.jsonl');
    const e = await rejection(moveNoReplace(home, from, to));
    expect(e.kind).toBe('io');
    expect(e.message).toBe(`refusing to move rollout ${from} to ${to}: a symlink on the way leads out of ${home}`);
    expect(existsSync(path.join(home, 'archived'))).toBe(false);
    expect(existsSync(path.join(outside, 'r.jsonl'))).toBe(true);
  });

  test('a destination under a dangling symlink is refused with io (not a raw mkdir error)', async () => {
    const from = path.join(home, 'sessions', 'd', 'r.jsonl');
    await writeFile(from, 'a');
    await symlink(path.join(outside, 'missing-dir'), path.join(home, 'archived'));
    const to = path.join(home, 'archived', 'r.jsonl');
    const e = await rejection(moveNoReplace(home, from, to));
    expect(e.kind).toBe('io');
    expect(e.message).toMatch(/^refusing to move rollout /);
    expect(existsSync(path.join(outside, 'missing-dir'))).toBe(false);
    expect(existsSync(from)).toBe(true);
  });

  test('a destination under a symlink to an outside directory is refused and the file stays', async () => {
    const from = path.join(home, 'sessions', 'd', 'r.jsonl');
    await writeFile(from, 'a');
    await symlink(outside, path.join(home, 'archived'));
    const e = await rejection(moveNoReplace(home, from, path.join(home, 'archived', 'r.jsonl')));
    expect(e.kind).toBe('io');
    expect(existsSync(from)).toBe(true);
    expect(existsSync(path.join(outside, 'r.jsonl'))).toBe(false);
  });

  test('a rename failure (missing source) is io with the cause kept', async () => {
    const from = path.join(home, 'sessions', 'd', 'missing.jsonl');
    const to = path.join(home, 'sessions', 'd', 'to.jsonl');
    const e = await rejection(moveNoReplace(home, from, to));
    expect(e.kind).toBe('io');
    expect(e.message).toMatch(new RegExp(`^failed to move rollout ${from} to ${to}: ENOENT`));
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
