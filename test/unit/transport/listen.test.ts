/** The ws:// listener's start-up texts (issue 16), as the reference 0.169.0 prints them. */
import { describe, expect, test } from 'vitest';
import { displayAddress, isLoopbackHost, nonLoopbackWithoutAuth, websocketBanner } from '../../../src/transport/listen.js';

describe('ws:// start-up texts', () => {
  test.for([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['::', false],
    ['128.0.0.1', false],
  ] as const)('%s is loopback: %s', ([host, loopback]) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  test('addresses display as Rust shows a SocketAddr', () => {
    expect(displayAddress('127.0.0.1', 80)).toBe('127.0.0.1:80');
    expect(displayAddress('::1', 80)).toBe('[::1]:80');
  });

  test('the banner says whether it binds localhost only', () => {
    expect(websocketBanner('127.0.0.1', 4500)).toBe(
      'codex app-server (WebSockets)\n  listening on: ws://127.0.0.1:4500\n  readyz: http://127.0.0.1:4500/readyz\n  healthz: http://127.0.0.1:4500/healthz\n  note: binds localhost only (use SSH port-forwarding for remote access)\n',
    );
    expect(websocketBanner('0.0.0.0', 1)).toContain('  note: websocket auth is required for non-localhost listeners\n');
    expect(websocketBanner('::1', 2)).toContain('  listening on: ws://[::1]:2\n');
  });

  test('non-loopback without auth is refused with the reference text', () => {
    expect(nonLoopbackWithoutAuth('0.0.0.0', 0)).toBe(
      'refusing to start non-loopback websocket listener 0.0.0.0:0 without auth; configure `--ws-auth capability-token` or `--ws-auth signed-bearer-token`',
    );
  });
});
