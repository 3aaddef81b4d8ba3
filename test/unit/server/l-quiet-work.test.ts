/**
 * QuietWork (src/server/quiet-work.ts): preparation after `initialize` runs only once the client has paused, so an
 * editor's first requests (sent right after the answer) never wait for it.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { QUIET_MS, QuietWork } from '../../../src/server/quiet-work.js';

describe('QuietWork', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('runs the task once, after one quiet period of an idle client', () => {
    const work = new QuietWork(() => false);
    const task = vi.fn();
    work.run(task);
    vi.advanceTimersByTime(QUIET_MS - 1);
    expect(task).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(task).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(task).toHaveBeenCalledTimes(1);
  });

  test('waits while a request is in flight, then for a whole quiet period after its answer', () => {
    let inFlight = 0;
    const work = new QuietWork(() => inFlight > 0);
    const task = vi.fn();
    work.run(task);
    // The client's first request arrives at once and is still being handled after several quiet periods.
    work.noteActivity();
    inFlight = 1;
    vi.advanceTimersByTime(4 * QUIET_MS);
    expect(task).not.toHaveBeenCalled();
    // Answered: the task still waits a full period from the last check that saw the answer.
    inFlight = 0;
    work.noteActivity();
    vi.advanceTimersByTime(QUIET_MS);
    expect(task).not.toHaveBeenCalled();
    vi.advanceTimersByTime(QUIET_MS);
    expect(task).toHaveBeenCalledTimes(1);
  });

  test('a request answered between two checks (nothing in flight at either) still postpones the task', () => {
    const work = new QuietWork(() => false);
    const task = vi.fn();
    work.run(task);
    vi.advanceTimersByTime(QUIET_MS / 2);
    work.noteActivity(); // received
    work.noteActivity(); // answered
    vi.advanceTimersByTime(QUIET_MS / 2);
    expect(task).not.toHaveBeenCalled();
    vi.advanceTimersByTime(QUIET_MS);
    expect(task).toHaveBeenCalledTimes(1);
  });

  test('never runs after close', () => {
    const work = new QuietWork(() => false);
    const task = vi.fn();
    work.run(task);
    work.close();
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(task).not.toHaveBeenCalled();
  });

  test('its timers do not keep the process alive', () => {
    const unref = vi.fn();
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation((() => ({ unref })) as unknown as typeof setTimeout);
    try {
      new QuietWork(() => false).run(() => {});
      expect(unref).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
