import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { tempHome } from '../support/temp-home.js';

const CLI = path.join(import.meta.dirname, '..', '..', 'dist', 'cli.cjs');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

// Reference behaviour (0.169.0): `codex app-server generate-json-schema --out DIR` writes the bundle, as the
// top-level form does; the bundled entry point used to fail it with `A dynamic import callback was not specified`.
test.each([[['app-server', 'generate-json-schema']], [['-c', 'model="x"', 'app-server', 'generate-json-schema']]])('%j --out DIR writes the schema bundle', (args) => {
  const h = tempHome();
  cleanups.push(h.cleanup);
  const r = spawnSync(process.execPath, [CLI, ...args, '--out', h.home], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).not.toContain('dynamic import');
  expect(r.status).toBe(0);
  expect(existsSync(path.join(h.home, 'codex_app_server_protocol.v2.schemas.json'))).toBe(true);
  const bundle = JSON.parse(readFileSync(path.join(h.home, 'codex_app_server_protocol.v2.schemas.json'), 'utf8'));
  expect(Object.keys(bundle.definitions)).toEqual(expect.arrayContaining(['ThreadStartParams', 'Thread', 'Turn']));
});
