/**
 * `fuzzyFileSearch` and its session variants. The sets of files, their order (up to scores), `indices`,
 * `match_type`, what .gitignore hides and the session texts were compared with the reference (codex app-server
 * 0.169.0) on the same tree; scores differ (fzf's algorithm here, nucleo there) except for the file-name bonus.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { tempHomeForTest } from '../support/temp-home.js';
import { request, requestError, setupEnv, spawnServer } from './helpers.js';

function tree(): string {
  const root = tempHomeForTest('cas-tree-');
  for (const dir of ['src/components', 'node_modules/pkg', '.git', '.hidden', 'build', 'docs']) mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(root, '.gitignore'), 'build/\n*.log\n');
  for (const file of ['src/main.ts', 'src/mainly.ts', 'src/components/Button.tsx', 'src/components/button-test.ts', 'node_modules/pkg/index.js', '.hidden/secret.ts', 'build/out.js', 'docs/readme.md', 'app.log', '.env']) {
    writeFileSync(path.join(root, file), '');
  }
  return root;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const paths = (result: any): string[] => (result.files as { path: string }[]).map((f) => f.path);

test('matches files and folders, hidden ones included, minus what .gitignore hides', async () => {
  const root = tree();
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  const main = await request(mcp, 'fuzzyFileSearch', { query: 'main', roots: [root] });
  expect(main['files']).toEqual([
    { root, path: 'src/main.ts', match_type: 'file', file_name: 'main.ts', score: expect.any(Number), indices: [4, 5, 6, 7] },
    { root, path: 'src/mainly.ts', match_type: 'file', file_name: 'mainly.ts', score: expect.any(Number), indices: [4, 5, 6, 7] },
  ]);
  // A match inside the file name carries the reference's bonus.
  expect(main['files'][0]['score']).toBeGreaterThan(65536);
  expect(paths(await request(mcp, 'fuzzyFileSearch', { query: 'MAIN', roots: [root] }))).toEqual(['src/main.ts', 'src/mainly.ts']);
  expect(paths(await request(mcp, 'fuzzyFileSearch', { query: 'btn', roots: [root] }))).toEqual(['src/components/Button.tsx', 'src/components/button-test.ts']);
  expect(paths(await request(mcp, 'fuzzyFileSearch', { query: 'secret', roots: [root] }))).toEqual(['.hidden/secret.ts']);
  expect(paths(await request(mcp, 'fuzzyFileSearch', { query: 'index', roots: [root] }))).toEqual(['node_modules/pkg/index.js']);
  expect(paths(await request(mcp, 'fuzzyFileSearch', { query: 'env', roots: [root] }))).toEqual(['.env']);
  const comp = await request(mcp, 'fuzzyFileSearch', { query: 'comp', roots: [root] });
  expect(comp['files'].find((f: { path: string }) => f.path === 'src/components')).toMatchObject({ match_type: 'directory', file_name: 'components', indices: [4, 5, 6, 7] });
  // build/ and *.log are ignored; an empty query, a relative or missing root match nothing.
  for (const query of ['out.js', 'app.log', '']) expect((await request(mcp, 'fuzzyFileSearch', { query, roots: [root] }))['files']).toEqual([]);
  expect(await request(mcp, 'fuzzyFileSearch', { query: 'main', roots: ['relative/x'] })).toEqual({ files: [] });
  expect(await request(mcp, 'fuzzyFileSearch', { query: 'main', roots: [path.join(root, 'missing')] })).toEqual({ files: [] });
  expect(await requestError(mcp, 'fuzzyFileSearch', { query: 'main' })).toEqual({ code: -32600, message: 'Invalid request: missing field `roots`' });
});

test('at most 50 matches, best first', async () => {
  const root = tempHomeForTest('cas-tree-');
  for (let i = 1; i <= 60; i++) writeFileSync(path.join(root, `file${i}.txt`), '');
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  expect((await request(mcp, 'fuzzyFileSearch', { query: 'file', roots: [root] }))['files']).toHaveLength(50);
});

test('sessions: {} then a sessionUpdated snapshot and sessionCompleted; the reference texts for bad sessions', async () => {
  const root = tree();
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  expect(await request(mcp, 'fuzzyFileSearch/sessionStart', { sessionId: 's1', roots: [root] })).toEqual({});
  expect(await request(mcp, 'fuzzyFileSearch/sessionUpdate', { sessionId: 's1', query: 'main' })).toEqual({});
  const updated = await mcp.readStreamUntilNotificationMessage<{ sessionId: string; query: string; files: { path: string }[] }>('fuzzyFileSearch/sessionUpdated');
  expect({ ...updated.params, files: paths(updated.params) }).toEqual({ sessionId: 's1', query: 'main', files: ['src/main.ts', 'src/mainly.ts'] });
  expect((await mcp.readStreamUntilNotificationMessage('fuzzyFileSearch/sessionCompleted')).params).toEqual({ sessionId: 's1' });
  expect(await requestError(mcp, 'fuzzyFileSearch/sessionUpdate', { sessionId: 'nope', query: 'main' })).toEqual({ code: -32600, message: 'fuzzy file search session not found: nope' });
  expect(await requestError(mcp, 'fuzzyFileSearch/sessionStart', { sessionId: '', roots: [root] })).toEqual({ code: -32600, message: 'sessionId must not be empty' });
  expect(await requestError(mcp, 'fuzzyFileSearch/sessionStart', { sessionId: 's2', roots: [] })).toEqual({
    code: -32603,
    message: 'failed to start fuzzy file search session: at least one search directory is required',
  });
  expect(await request(mcp, 'fuzzyFileSearch/sessionStop', { sessionId: 's1' })).toEqual({});
  expect(await request(mcp, 'fuzzyFileSearch/sessionStop', { sessionId: 's1' })).toEqual({});
  expect(await requestError(mcp, 'fuzzyFileSearch/sessionUpdate', { sessionId: 's1', query: 'main' })).toEqual({ code: -32600, message: 'fuzzy file search session not found: s1' });
});
