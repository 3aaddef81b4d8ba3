import { silentLogger } from '../../../src/support/logger.js';
import { createResponsesClient } from '../../../src/model/responses-client.js';
import type { ModelClient, ModelEvent, ModelRequest, ProviderConfig } from '../../../src/model/types.js';

export const THREAD_ID = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
export const TURN_ID = '01a211bb-1bb2-7912-a58d-fa2a7306bc69';
export const INSTALLATION_ID = '5f0e6c2a-8d3b-4e1f-9a7c-2b4d6e8f0a1c';

export function provider(uri: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: 'mock_provider',
    name: 'Mock provider for test',
    baseUrl: `${uri}/v1`,
    envKey: null,
    requestMaxRetries: 0,
    streamMaxRetries: 0,
    streamIdleTimeoutMs: 300_000,
    requiresOpenaiAuth: false,
    ...overrides,
  };
}

export function modelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: 'mock-model',
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
    threadId: THREAD_ID,
    turnId: TURN_ID,
    originator: 'fixture_client',
    userAgent: 'fixture_client/0.169.0 (Linux; x86_64) test',
    installationId: INSTALLATION_ID,
    tools: [],
    ...overrides,
  };
}

/** Records every backoff the client asks for and returns at once (aborts still reject). */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number, signal: AbortSignal) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
  };
}

/** A client with no real waiting and jitter pinned to 1.0 (random() = 0.5). */
export function testClient(config: ProviderConfig, env: Record<string, string | undefined> = {}) {
  const { sleeps, sleep } = recordingSleep();
  const client: ModelClient = createResponsesClient(config, { env, log: silentLogger(), sleep, random: () => 0.5 });
  return { client, sleeps };
}

/**
 * Drains a stream; returns the events seen and the error it ended with (null when it completed). The `rateLimits`
 * event each HTTP 200 starts with is kept apart (`rateLimits`), so event-mapping tests read the body's events only.
 */
export async function collect(
  stream: AsyncIterable<ModelEvent>,
): Promise<{ events: ModelEvent[]; error: unknown; rateLimits: Extract<ModelEvent, { type: 'rateLimits' }>[] }> {
  const events: ModelEvent[] = [];
  const rateLimits: Extract<ModelEvent, { type: 'rateLimits' }>[] = [];
  try {
    for await (const event of stream) {
      if (event.type === 'rateLimits') rateLimits.push(event);
      else events.push(event);
    }
    return { events, error: null, rateLimits };
  } catch (error) {
    return { events, error, rateLimits };
  }
}
