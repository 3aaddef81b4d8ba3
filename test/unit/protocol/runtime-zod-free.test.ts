/**
 * The server's decode path loads no zod: `src/protocol/runtime.ts` (what `src/server/connection.ts`
 * imports) reaches no zod module and no schema-side protocol module, in the module graph esbuild sees and
 * in a real child process; in the server bundle, zod is reached only through `src/config/` (config.toml
 * validation) and the lazy `generate-json-schema` import of `src/protocol/index.ts`. Wire types build
 * their zod schemas only when asked, once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { required, withDefault, wString, wStruct, wVec } from '../../../src/protocol/index.js';

const REPO = path.resolve(__dirname, '../../..');
const RUNTIME = 'src/protocol/runtime.ts';
const SCHEMA_EXPORT = 'src/protocol/index.ts';
const isZod = (input: string): boolean => input.includes('node_modules/zod/');

/** The modules of the decode path: everything else under src/protocol/ is schema side. */
const DECODE_PATH_MODULES = [
  'account-params.ts',
  'config-params.ts',
  'decode.ts',
  'discovery-params.ts',
  'history-params.ts',
  'initialize.ts',
  'method-names.ts',
  'methods.ts',
  'model-list.ts',
  'param-enums.ts',
  'runtime.ts',
  'serde-text.ts',
  'thread-params.ts',
  'thread-start-params.ts',
  'turn-params.ts',
  'user-input.ts',
  'wire-enum.ts',
  'wire-struct.ts',
  'wire-type.ts',
].map((f) => `src/protocol/${f}`);

async function metafileOf(entry: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'fs-ext'],
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Inputs reachable from `from`, following the edges `follow` accepts. */
function reachable(meta: Metafile, from: string, follow: (importer: string, imported: string, kind: string) => boolean): Set<string> {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const edge of meta.inputs[current]?.imports ?? []) {
      if (edge.external || seen.has(edge.path) || !follow(current, edge.path, edge.kind)) continue;
      seen.add(edge.path);
      stack.push(edge.path);
    }
  }
  return seen;
}

describe('the decode path (src/protocol/runtime.ts) loads no zod', () => {
  test('module graph: no zod input, no schema-side protocol module', async () => {
    const inputs = Object.keys((await metafileOf(RUNTIME)).inputs);
    expect(inputs.filter(isZod)).toEqual([]);
    expect(inputs.filter((p) => !DECODE_PATH_MODULES.includes(p))).toEqual([]);
    expect(inputs).toContain(RUNTIME);
  });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'protocol-runtime-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('child process: decodes without zod being resolvable', async () => {
    // Packages stay external and the bundle lives outside the repo, so an `import 'zod'` anywhere on the
    // path would fail to resolve: the child succeeding shows no zod is loaded.
    const outfile = path.join(tmp, 'runtime.mjs');
    await build({
      absWorkingDir: REPO,
      entryPoints: [RUNTIME],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const script = `
      const m = await import(${JSON.stringify(outfile)});
      const ok = m.decodeParams('initialize', { clientInfo: { name: 't', version: '1' } });
      const bad = m.decodeParams('turn/start', { threadId: 't', input: [{ type: 'bogus' }] });
      let zod = 'absent';
      try { await import.meta.resolve('zod'); zod = 'resolvable'; } catch {}
      console.log(JSON.stringify({ ok, bad, known: m.isKnownMethod('thread/delete'), zod }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tmp, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout);
    expect(out.zod).toBe('absent');
    expect(out.ok).toEqual({ ok: true, value: { clientInfo: { name: 't', version: '1' } } });
    expect(out.bad.message).toMatch(/^Invalid request: unknown variant `bogus`, expected one of `text`/);
    expect(out.known).toBe(true);
  });
});

describe('the server bundle (src/cli.ts)', async () => {
  const meta = await metafileOf('src/cli.ts');
  const isConfig = (p: string): boolean => p.startsWith('src/config/');
  const isSchemaExportImport = (importer: string, imported: string, kind: string): boolean =>
    importer === 'src/main.ts' && imported === SCHEMA_EXPORT && kind === 'dynamic-import';

  test('connection.ts imports the protocol through runtime.ts only', () => {
    const protocolImports = (meta.inputs['src/server/connection.ts']?.imports ?? [])
      .map((e) => e.path)
      .filter((p) => p.startsWith('src/protocol/'));
    expect(protocolImports).toEqual([RUNTIME]);
  });

  test('zod is reached only through src/config/ and the lazy generate-json-schema import', () => {
    // Sanity: zod is in the bundle at all (config and the schema export need it).
    expect(Object.keys(meta.inputs).some(isZod)).toBe(true);
    const served = reachable(meta, 'src/cli.ts', (importer, imported, kind) =>
      !isConfig(imported) && !isSchemaExportImport(importer, imported, kind),
    );
    expect([...served].filter(isZod)).toEqual([]);
    // Of the protocol, only the decode path is reachable without the schema export.
    expect([...served].filter((p) => p.startsWith('src/protocol/') && !DECODE_PATH_MODULES.includes(p))).toEqual([]);
    expect(served).toContain(RUNTIME);
  });

  test('the schema export is not in the server bundle: main.ts loads the per-module build at run time', () => {
    expect(meta.inputs[SCHEMA_EXPORT]).toBeUndefined();
    // Only config's tree-shaken zod/mini is bundled; classic zod (and its locales) is not.
    const emitted = Object.values(meta.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p));
    // (locales/index.js contributes only its namespace stub: no locale module is emitted.)
    expect(emitted.filter((p) => p.includes('node_modules/zod/v4/classic/') || (p.includes('node_modules/zod/v4/locales/') && !p.endsWith('/index.js')))).toEqual([]);
  });
});

describe('wire types build their zod schema lazily, once', () => {
  test('decoding builds nothing; the first .zod(z) builds, later calls return the same schema', () => {
    const used: string[] = [];
    const spy = new Proxy(z, {
      get(target, key, receiver) {
        used.push(String(key));
        return Reflect.get(target, key, receiver);
      },
    });
    const wire = wStruct('Probe', { name: required(wString), tags: withDefault(wVec(wString), []) });
    expect(wire.decode({ name: 'n' })).toEqual({ name: 'n', tags: [] });
    expect(used).toEqual([]);
    const schema = wire.zod(spy);
    expect(used).toContain('object');
    expect(schema.parse({ name: 'n' })).toEqual({ name: 'n', tags: [] });
    const count = used.length;
    expect(wire.zod(spy)).toBe(schema);
    expect(used).toHaveLength(count);
  });
});
