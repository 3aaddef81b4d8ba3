/**
 * The lists an editor calls on open. Every expected answer was observed on the reference (codex app-server 0.169.0)
 * with the same home (`[features] plugins = false`), except the reference's bundled system skills, which this server
 * does not install.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempHomeForTest } from '../support/temp-home.js';
import { request, requestError, spawnServer } from './helpers.js';

const CONFIG = `model = "mock-model"
model_provider = "mock_provider"

[features]
plugins = false
memories = true
goals = false

[model_providers.mock_provider]
name = "Mock provider for test"
base_url = "http://127.0.0.1:9/v1"
env_key = "MY_KEY"

[model_providers.other]
name = "Other"
base_url = "http://127.0.0.1:8/v1"
requires_openai_auth = true

[mcp_servers.web]
url = "http://127.0.0.1:7/mcp"
enabled = false

[[hooks.PreToolUse]]
matcher = "Bash"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "echo hi"
timeout = 5
`;

function home(): string {
  const dir = tempHomeForTest();
  writeFileSync(path.join(dir, 'config.toml'), CONFIG);
  return dir;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

test('every list takes a params object: absent is missing field `params`', async () => {
  const mcp = await spawnServer(home());
  for (const method of ['skills/list', 'mcpServerStatus/list', 'experimentalFeature/list', 'collaborationMode/list', 'app/list', 'hooks/list', 'modelProvider/list']) {
    expect(await requestError(mcp, method, undefined)).toEqual({ code: -32600, message: 'Invalid request: missing field `params`' });
  }
  expect(await requestError(mcp, 'skills/list', { cwds: 'x' })).toEqual({ code: -32600, message: 'Invalid request: invalid type: string "x", expected a sequence' });
});

test('skills/list: SKILL.md front matter under the repo .codex/skills and $CODEX_HOME/skills, ordered by scope then name', async () => {
  const dir = home();
  const skills = path.join(dir, 'skills');
  write(path.join(skills, 'my-skill', 'SKILL.md'), '---\nname: my-skill\ndescription: Does my thing.\n---\n\nBody\n');
  write(path.join(skills, 'nested', 'deep-skill', 'SKILL.md'), '---\nname: deep\ndescription: "Deep one"\nmetadata:\n  short-description: short\n---\nx\n');
  write(path.join(skills, 'B-upper', 'SKILL.md'), '---\nname: Bee\ndescription: >\n  folded text\n  more\n---\n');
  write(path.join(skills, 'noname', 'SKILL.md'), '---\ndescription: d\n---\n');
  write(path.join(skills, 'bad', 'SKILL.md'), 'no front matter\n');
  write(path.join(skills, 'nodesc', 'SKILL.md'), '---\nname: nodesc\n---\n');
  write(path.join(skills, '.hidden', 'x', 'SKILL.md'), '---\nname: hidden\ndescription: h\n---\n');
  const repo = path.join(dir, 'work', 'repo');
  mkdirSync(path.join(repo, '.git'), { recursive: true });
  mkdirSync(path.join(repo, 'sub'), { recursive: true });
  write(path.join(repo, '.codex', 'skills', 'r1', 'SKILL.md'), '---\nname: repo-skill\ndescription: R\n---\n');
  const mcp = await spawnServer(dir);
  const result = await request(mcp, 'skills/list', { cwds: [path.join(repo, 'sub')] });
  const user = (name: string, description: string, rel: string) => ({ name, description, path: path.join(skills, rel, 'SKILL.md'), scope: 'user', enabled: true, pluginId: null });
  expect(result).toEqual({
    data: [
      {
        cwd: path.join(repo, 'sub'),
        skills: [
          { name: 'repo-skill', description: 'R', path: path.join(repo, '.codex', 'skills', 'r1', 'SKILL.md'), scope: 'repo', enabled: true, pluginId: null },
          user('Bee', 'folded text more', 'B-upper'),
          { ...user('deep', 'Deep one', 'nested/deep-skill'), shortDescription: 'short' },
          user('my-skill', 'Does my thing.', 'my-skill'),
          user('noname', 'd', 'noname'),
        ],
        errors: [
          { path: path.join(skills, 'bad', 'SKILL.md'), message: 'missing YAML frontmatter delimited by ---' },
          { path: path.join(skills, 'nodesc', 'SKILL.md'), message: 'missing field `description`' },
        ],
      },
    ],
  });
});

test('modelProvider/list: the built-in openai and the configured providers with their auth modes', async () => {
  const mcp = await spawnServer(home());
  expect(await request(mcp, 'modelProvider/list', {})).toEqual({
    data: [
      { id: 'mock_provider', name: 'Mock provider for test', canEdit: true, baseUrl: 'http://127.0.0.1:9/v1', settings: { type: 'customGateway', auth: { mode: 'environmentVariable', envKey: 'MY_KEY' } } },
      { id: 'openai', name: 'OpenAI', canEdit: false, baseUrl: null, settings: { type: 'openai' } },
      { id: 'other', name: 'Other', canEdit: true, baseUrl: 'http://127.0.0.1:8/v1', settings: { type: 'customGateway', auth: { mode: 'externallyConfigured', envKey: null } } },
    ],
    defaultProviderId: 'mock_provider',
    canChangeDefault: true,
  });
});

describe('experimentalFeature/list', () => {
  test('the reference flags with their stages, enabled as [features] says, paged by index', async () => {
    const mcp = await spawnServer(home());
    const all = await request(mcp, 'experimentalFeature/list', {});
    expect(all['data']).toHaveLength(215);
    expect(all['nextCursor']).toBeNull();
    const byName = new Map((all['data'] as { name: string }[]).map((f) => [f.name, f]));
    expect(byName.get('memories')).toEqual({ name: 'memories', stage: 'stable', displayName: null, description: null, announcement: null, enabled: true, defaultEnabled: false });
    expect(byName.get('goals')).toMatchObject({ enabled: false, defaultEnabled: true });
    expect(byName.get('plugins')).toMatchObject({ enabled: false, defaultEnabled: true });
    const first = await request(mcp, 'experimentalFeature/list', { limit: 2 });
    expect(first).toEqual({
      data: [
        { name: 'analytics_plan_history', stage: 'beta', displayName: 'Analytics plan history', description: 'Preview five-hour and weekly allowance history for consumer accounts in /analytics.', announcement: '', enabled: false, defaultEnabled: false },
        { name: 'cli_resume_account_check', stage: 'underDevelopment', displayName: null, description: null, announcement: null, enabled: false, defaultEnabled: false },
      ],
      nextCursor: '2',
    });
    expect((await request(mcp, 'experimentalFeature/list', { limit: 2, cursor: '2' }))['nextCursor']).toBe('4');
    expect((await request(mcp, 'experimentalFeature/list', { limit: 0 }))['data']).toHaveLength(1);
    expect(await request(mcp, 'experimentalFeature/list', { cursor: '214' })).toMatchObject({ data: [{ name: 'workspace_dependencies' }], nextCursor: null });
    expect(await request(mcp, 'experimentalFeature/list', { cursor: '215' })).toEqual({ data: [], nextCursor: null });
    expect(await requestError(mcp, 'experimentalFeature/list', { cursor: 'abc' })).toEqual({ code: -32600, message: 'invalid cursor: abc' });
    expect(await requestError(mcp, 'experimentalFeature/list', { cursor: '216' })).toEqual({ code: -32600, message: 'cursor 216 exceeds total feature flags 215' });
  });
});

test('collaborationMode/list needs the experimentalApi capability', async () => {
  const dir = home();
  const withCapability = await spawnServer(dir, { initialize: false });
  await withCapability.initialize(undefined, { experimentalApi: true });
  expect(await request(withCapability, 'collaborationMode/list', {})).toEqual({
    data: [
      { name: 'Plan', mode: 'plan', model: null, reasoning_effort: 'medium' },
      { name: 'Default', mode: 'default', model: null, reasoning_effort: null },
    ],
  });
  const without = await spawnServer(dir);
  expect(await requestError(without, 'collaborationMode/list', {})).toEqual({ code: -32600, message: 'collaborationMode/list requires experimentalApi capability' });
});

test('mcpServerStatus/list, app/list and hooks/list', async () => {
  const dir = home();
  const mcp = await spawnServer(dir);
  expect(await request(mcp, 'mcpServerStatus/list', {})).toEqual({
    data: [
      { name: 'web', runtimeStatus: null, pluginId: null, httpOrigin: 'http://127.0.0.1:7', serverInfo: null, serverCapabilities: null, toolListMeta: null, tools: {}, toolsError: null, resources: [], resourceTemplates: [], authStatus: 'unsupported' },
    ],
    nextCursor: null,
  });
  expect(await request(mcp, 'app/list', { limit: 1 })).toEqual({ data: [], nextCursor: null });
  const file = path.join(dir, 'config.toml');
  expect(await request(mcp, 'hooks/list', { cwds: ['/somewhere'] })).toEqual({
    data: [
      {
        cwd: '/somewhere',
        hooks: [
          {
            key: `${file}:pre_tool_use:0:0`,
            eventName: 'preToolUse',
            handlerType: 'command',
            command: 'echo hi',
            async: false,
            matcher: 'Bash',
            timeoutSec: 5,
            statusMessage: null,
            additionalContextLimit: null,
            sourcePath: file,
            source: 'user',
            pluginId: null,
            environmentId: null,
            displayOrder: 0,
            enabled: true,
            isManaged: false,
            // The reference's hash of this hook's identity.
            currentHash: 'sha256:b98dab5eee824a2bcfee70e81c0883e7226870b4c205cfe7fcd34b86d81322e0',
            trustStatus: 'untrusted',
          },
        ],
        warnings: [],
        errors: [],
      },
    ],
  });
});
