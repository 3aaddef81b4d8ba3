/** Kept walks answer as a fresh walk would: any entry added, removed or newly ignored is seen by the next search. */
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { fuzzyFileSearch, WalkCache, walkRoot } from '../../../src/discovery/file-search.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const paths = (root: string, walks: WalkCache, query: string) => fuzzyFileSearch(query, [root], walks).map((m) => m.path);

test('a kept walk is reused while nothing changed, and redone when a folder or an ignore file changes', () => {
  const root = tempHomeForTest('cas-walk-');
  mkdirSync(path.join(root, '.git'));
  mkdirSync(path.join(root, 'src', 'deep'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'deep', 'alpha.ts'), '');
  const walks = new WalkCache();
  const first = walks.entries(root);
  expect(walks.entries(root)).toBe(first);
  expect(paths(root, walks, 'alpha')).toEqual(['src/deep/alpha.ts']);

  writeFileSync(path.join(root, 'src', 'deep', 'alphabet.ts'), '');
  expect(paths(root, walks, 'alpha')).toEqual(['src/deep/alpha.ts', 'src/deep/alphabet.ts']);
  renameSync(path.join(root, 'src', 'deep', 'alpha.ts'), path.join(root, 'src', 'omega.ts'));
  expect(paths(root, walks, 'alpha')).toEqual(['src/deep/alphabet.ts']);

  writeFileSync(path.join(root, '.gitignore'), 'deep/\n');
  expect(paths(root, walks, 'alpha')).toEqual([]);
  // An edited ignore file (same folder mtime) is seen through its own mtime.
  writeFileSync(path.join(root, '.gitignore'), '*.log\n');
  utimesSync(path.join(root, '.gitignore'), new Date(), new Date(Date.now() + 5000));
  expect(paths(root, walks, 'alpha')).toEqual(['src/deep/alphabet.ts']);

  rmSync(path.join(root, 'src'), { recursive: true });
  expect(paths(root, walks, 'alpha')).toEqual([]);
  expect(walks.entries(root)).toEqual(walkRoot(root));
});
