import { expect, test } from 'vitest';
import { request, requestError, setupEnv, spawnServer, startThread, textInput } from './helpers.js';

// Reference behaviour (0.169.0, same requests sent to both servers): `multiAgentMode` also takes `none` (not in the
// published schema), in string or `{"none": null}` form; the unknown-variant text lists the variants in the
// reference's order; the thread answers keep `explicitRequestOnly`.
test('turn/start multiAgentMode: none accepted, reference variant order in the unknown-variant text', async () => {
  const { home } = await setupEnv();
  const mcp = await spawnServer(home, { initialize: false });
  await mcp.initialize(undefined, { experimentalApi: true });
  const thread = await startThread(mcp);
  const turnStart = (multiAgentMode: unknown) => ({ threadId: thread['id'], input: textInput('hi'), multiAgentMode });
  for (const bad of ['bogus', { bogus: 1 }]) {
    expect(await requestError(mcp, 'turn/start', turnStart(bad))).toEqual({
      code: -32600,
      message: 'Invalid request: unknown variant `bogus`, expected one of `none`, `custom`, `explicitRequestOnly`, `proactive`',
    });
  }
  for (const mode of ['none', { none: null }]) {
    const result = await request(mcp, 'turn/start', turnStart(mode));
    expect(result['turn']['status']).toBe('inProgress');
    await mcp.readStreamUntilNotificationMessage('turn/completed');
  }
  expect((await request(mcp, 'thread/resume', { threadId: thread['id'] }))['multiAgentMode']).toBe('explicitRequestOnly');
});
