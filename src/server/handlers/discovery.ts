import { COLLABORATION_MODES, listHooks, listMcpServers, listModelProviders } from '../../discovery/lists.js';
import { listExperimentalFeatures } from '../../discovery/experimental-features.js';
import { listSkills } from '../../discovery/skills.js';
import { ThreadError } from '../../threads/errors.js';
import type { Handler } from '../context.js';

/** `skills/list`: one entry per cwd (the server's when none is given), read from disk on every call. */
export const handleSkillsList: Handler<'skills/list'> = async (params, cx) => {
  const cwds = params.cwds.length > 0 ? params.cwds : [cx.config.cwd];
  return { result: { data: await Promise.all(cwds.map((cwd) => listSkills(cx.info.codexHome, cwd))) } };
};

/** `mcpServerStatus/list`: the configured MCP servers; none is started. */
export const handleMcpServerStatusList: Handler<'mcpServerStatus/list'> = async (params, cx) => {
  const page = listMcpServers(await cx.config.effective(), params.cursor ?? null, params.limit ?? null);
  if ('error' in page) throw new ThreadError('invalid-request', page.error);
  return { result: page };
};

/** `experimentalFeature/list`: the reference's feature flags, enabled as the config says. */
export const handleExperimentalFeatureList: Handler<'experimentalFeature/list'> = async (params, cx) => {
  const page = listExperimentalFeatures(await cx.config.effective(), params.cursor ?? null, params.limit ?? null);
  if ('error' in page) throw new ThreadError('invalid-request', page.error);
  return { result: page };
};

/** `collaborationMode/list`: experimental, refused without the `experimentalApi` capability as in the reference. */
export const handleCollaborationModeList: Handler<'collaborationMode/list'> = (_params, cx) => {
  if (!cx.connection.experimentalApi) throw new ThreadError('invalid-request', 'collaborationMode/list requires experimentalApi capability');
  return { result: { data: COLLABORATION_MODES.map((mode) => ({ ...mode })) } };
};

/** `app/list`: apps come from a ChatGPT account, which this server never contacts: always empty. */
export const handleAppList: Handler<'app/list'> = () => ({ result: { data: [], nextCursor: null } });

/** `hooks/list`: the command hooks of config.toml, once per cwd (the server's when none is given). */
export const handleHooksList: Handler<'hooks/list'> = async (params, cx) => {
  const hooks = listHooks(await cx.config.effective(), cx.config.userConfigFile);
  const cwds = params.cwds.length > 0 ? params.cwds : [cx.config.cwd];
  return { result: { data: cwds.map((cwd) => ({ cwd, hooks: hooks.map((hook) => ({ ...hook })), warnings: [], errors: [] })) } };
};

/** `modelProvider/list`: the built-in and configured providers, and the default one. */
export const handleModelProviderList: Handler<'modelProvider/list'> = async (_params, cx) => ({ result: listModelProviders(await cx.config.effective()) });
