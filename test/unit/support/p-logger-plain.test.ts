import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

// One-string messages are written without loading pino; the lines must be the ones pino writes.
test('a one-string message is the line pino writes, without loading pino; a long one or an object still goes through pino', () => {
  const messages = ['plain', 'with "quotes" and \\\\ backslash', 'line\nbreak\ttab \u0001 control', 'unicode é 漢字 🚀', ''];
  const script = `
    import { createRequire } from 'node:module';
    import { createStderrLogger } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/support/logger.js'))};
    const require = createRequire(${JSON.stringify(path.join(REPO_ROOT, 'dist/support/logger.js'))});
    const pinoLoaded = () => Object.keys(require.cache).some((file) => file.includes('/node_modules/pino/'));
    const messages = ${JSON.stringify(messages)};
    const log = createStderrLogger('info');
    log.debug('hidden');
    for (const m of messages) log.warn(m);
    process.stdout.write(JSON.stringify({ pinoAfterPlain: pinoLoaded() }) + '\\n');
    log.info('x'.repeat(5000));
    log.error({ a: 1 }, 'with an object');
    process.stdout.write(JSON.stringify({ pinoAfterObject: pinoLoaded() }) + '\\n');
    // The same messages through pino itself, on stdout, for comparison.
    const { pino, destination } = require('pino');
    const reference = pino({ level: 'info', base: undefined }, destination({ dest: 1, sync: true }));
    for (const m of messages) reference.warn(m);
    reference.info('x'.repeat(5000));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const out = r.stdout.trim().split('\n');
  expect(out.slice(0, 2)).toEqual(['{"pinoAfterPlain":false}', '{"pinoAfterObject":true}']);
  const withoutTime = (line: string) => line.replace(/"time":\d+,/, '"time":0,');
  const ours = r.stderr.trim().split('\n').map(withoutTime);
  const pinos = out.slice(2).map(withoutTime);
  expect(ours.slice(0, messages.length + 1)).toEqual(pinos);
  expect(ours.slice(messages.length + 1).map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([{ level: 50, time: 0, a: 1, msg: 'with an object' }]);
});
