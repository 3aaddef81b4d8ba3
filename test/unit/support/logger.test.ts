import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { resolveLogLevel } from '../../../src/support/logger.js';
import { REPO_ROOT } from '../../support/paths.js';

test('LOG_LEVEL wins, then the last bare RUST_LOG level, else warn', () => {
  expect(resolveLogLevel('debug', 'error')).toBe('debug');
  expect(resolveLogLevel(undefined, 'codex=debug,info')).toBe('info');
  expect(resolveLogLevel(undefined, 'off')).toBe('silent');
  expect(resolveLogLevel('nonsense', undefined)).toBe('warn');
});

test('messages go to stderr as JSON lines, below-threshold ones are dropped, children carry their bindings', () => {
  const script = `
    import { createStderrLogger } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/support/logger.js'))};
    const log = createStderrLogger('info');
    log.debug('hidden');
    log.info({ a: 1 }, 'shown');
    log.child({ thread: 't1' }).warn('from child one');
    log.child({ thread: 't2' }).error('from child two');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l['level'], l['msg'], l['thread'] ?? null, l['a'] ?? null])).toEqual([
    [30, 'shown', null, 1],
    [40, 'from child one', 't1', null],
    [50, 'from child two', 't2', null],
  ]);
});
