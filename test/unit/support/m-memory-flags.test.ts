import v8 from 'node:v8';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { scheduleDaemonMemoryFlags } from '../../../src/support/memory-flags.js';

describe('scheduleDaemonMemoryFlags', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  test('sets the two flags once the delay has passed, not before', () => {
    vi.useFakeTimers();
    const set = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    scheduleDaemonMemoryFlags({}, 500);
    vi.advanceTimersByTime(499);
    expect(set).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(set.mock.calls).toEqual([['--semi-space-growth-factor=1'], ['--heap-growing-percent=15']]);
  });

  test("not in the build's code-cache warm-up run", () => {
    vi.useFakeTimers();
    const set = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    scheduleDaemonMemoryFlags({ CODEX_APP_SERVER_WRITE_CODE_CACHE: '1' }, 10);
    vi.advanceTimersByTime(1000);
    expect(set).not.toHaveBeenCalled();
    scheduleDaemonMemoryFlags({ CODEX_APP_SERVER_WRITE_CODE_CACHE: '0' }, 10);
    vi.advanceTimersByTime(10);
    expect(set).toHaveBeenCalledTimes(2);
  });
});
