/** The in-place edit of config.toml: comments kept, the version conflict, crash-safe replacement. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeFileAtomic } from '../../../src/config/atomic-write.js';
import { applyEdit } from '../../../src/config/config-edits.js';
import { ConfigService } from '../../../src/config/config-service.js';
import { configVersion } from '../../../src/config/config-version.js';
import { ConfigWriteError } from '../../../src/config/config-write-error.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const COMMENTED = `# My settings, keep this comment
model = "mock-model"    # aligned comment
approval_policy = 'never'

# features I use
[features]
plugins = false   # off

[model_providers.local]   # the local one
name = "Local"
base_url = "http://127.0.0.1:9/v1"
`;

function service(home: string, overrides: { path: string; value: unknown }[] = []): ConfigService {
  return new ConfigService({ codexHome: home, overrides, cwd: home });
}

function homeWith(text: string): string {
  const home = tempHomeForTest();
  writeFileSync(path.join(home, 'config.toml'), text);
  return home;
}

describe('config writes edit config.toml in place', () => {
  test('changing one value keeps every other byte', async () => {
    const home = homeWith(COMMENTED);
    await service(home).write([{ keyPath: 'model', value: 'gpt-5', mergeStrategy: 'replace' }], null, null);
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(COMMENTED.replace('"mock-model"', '"gpt-5"'));
    await service(home).write([{ keyPath: 'model_providers.local.name', value: 'Renamed', mergeStrategy: 'replace' }], null, null);
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(COMMENTED.replace('"mock-model"', '"gpt-5"').replace('"Local"', '"Renamed"'));
  });

  test('adding and removing keys leaves the comments of other keys in place', async () => {
    const home = homeWith(COMMENTED);
    await service(home).write(
      [
        { keyPath: 'features.plugins', value: null, mergeStrategy: 'replace' },
        { keyPath: 'sandbox_mode', value: 'workspace-write', mergeStrategy: 'replace' },
        { keyPath: 'notify', value: ['a', 'b'], mergeStrategy: 'replace' },
      ],
      null,
      null,
    );
    const text = readFileSync(path.join(home, 'config.toml'), 'utf8');
    for (const line of ['# My settings, keep this comment', 'model = "mock-model"    # aligned comment', "approval_policy = 'never'", '[model_providers.local]   # the local one']) {
      expect(text).toContain(`${line}\n`);
    }
    expect(text).not.toContain('plugins = false');
    expect(text).toContain('sandbox_mode = "workspace-write"\n');
    expect(text).toContain('notify = ["a", "b"]\n');
  });

  test('a stale expectedVersion is a configVersionConflict and the file is not touched', async () => {
    const home = homeWith(COMMENTED);
    const config = service(home);
    const { version } = await config.write([{ keyPath: 'model', value: 'a', mergeStrategy: 'replace' }], null, null);
    const before = readFileSync(path.join(home, 'config.toml'), 'utf8');
    // Another process changes the file: the version the client holds is stale.
    writeFileSync(path.join(home, 'config.toml'), before.replace('"a"', '"b"'));
    const error = await config.write([{ keyPath: 'model', value: 'c', mergeStrategy: 'replace' }], null, version).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigWriteError);
    expect((error as ConfigWriteError).code).toBe('configVersionConflict');
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(before.replace('"a"', '"b"'));
  });

  test('the version depends on values only, not on comments or key order', () => {
    expect(configVersion({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(configVersion({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    expect(configVersion({})).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  test('concurrent writes in one process are applied one after the other', async () => {
    const home = homeWith(COMMENTED);
    const config = service(home);
    await Promise.all(['x1', 'x2', 'x3'].map((key) => config.write([{ keyPath: `features.${key}`, value: true, mergeStrategy: 'replace' }], null, null)));
    const layers = (await config.read(true)).layers!;
    expect(layers[0]!.config['features']).toEqual({ plugins: false, x1: true, x2: true, x3: true });
  });
});

describe('applyEdit semantics (the reference apply_merge / clear_path)', () => {
  test('upsert merges tables, replace replaces them, null removes, a missing parent on removal is no change', () => {
    const root: Record<string, unknown> = { t: { a: 1, b: 2 } };
    applyEdit(root, ['t'], { b: 3, c: 4 }, 'upsert');
    expect(root).toEqual({ t: { a: 1, b: 3, c: 4 } });
    applyEdit(root, ['t'], { z: 0 }, 'replace');
    expect(root).toEqual({ t: { z: 0 } });
    applyEdit(root, ['t', 'z'], null, 'replace');
    applyEdit(root, ['nothere', 'deep'], null, 'replace');
    expect(root).toEqual({ t: {} });
    expect(() => applyEdit({ m: 'x' }, ['m', 'sub'], 1, 'replace')).toThrow('cannot set value on non-table parent');
    const deep: Record<string, unknown> = { m: 'x' };
    applyEdit(deep, ['m', 'a', 'b'], 1, 'replace');
    expect(deep).toEqual({ m: { a: { b: 1 } } });
  });
});

describe('writeFileAtomic', () => {
  test('a failed replacement leaves the old file whole and no temp file behind', async () => {
    const dir = tempHomeForTest();
    const target = path.join(dir, 'config.toml');
    writeFileSync(target, 'model = "old"\n');
    // The rename fails when the target is a non-empty directory: the new bytes are written, then thrown away.
    const blocked = path.join(dir, 'blocked');
    mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    await expect(writeFileAtomic(blocked, 'x = 1\n')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'config.toml']);
    await writeFileAtomic(target, 'model = "new"\n');
    expect(readFileSync(target, 'utf8')).toBe('model = "new"\n');
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'config.toml']);
  });
});
