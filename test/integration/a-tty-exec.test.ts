/**
 * A command asking for a terminal (exec_command tty=true) through the built server: node-pty is no longer loaded
 * at start-up but on the first such command, which must still run in a pseudo-terminal (stdout is a tty there).
 */
import { describe, expect, test } from 'vitest';
import { completedItem, execCall, finalAnswer, response, runToolTurn, toolEnv, toolOutput } from './tools-helpers.js';

describe('exec_command with tty=true', () => {
  test('runs in a pseudo-terminal loaded on first use, twice in one turn', async () => {
    const cmd = 'test -t 1 && echo on-a-tty || echo no-tty';
    const env = await toolEnv([response([execCall('call_1', { cmd, tty: true, yield_time_ms: 5000 })]), response([execCall('call_2', { cmd, tty: true, yield_time_ms: 5000 })], 'resp-2'), finalAnswer()]);
    const messages = await runToolTurn(env.mcp, env.threadId, 'tty');
    expect(toolOutput(env, 2, 'call_1')).toContain('on-a-tty');
    expect(toolOutput(env, 3, 'call_2')).toContain('on-a-tty');
    expect(completedItem(messages, 'agentMessage')['text']).toBe('done');
  });
});
