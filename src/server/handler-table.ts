import type { ImplementedMethod } from '../protocol/runtime.js';
import type { Handler } from './context.js';
import { handleAccountLoginStart, handleAccountLogout, handleAccountRateLimitsRead, handleAccountRead, handleGetAuthStatus } from './handlers/account.js';
import { handleConfigBatchWrite, handleConfigRead, handleConfigRequirementsRead, handleConfigValueWrite } from './handlers/config.js';
import {
  handleAppList,
  handleCollaborationModeList,
  handleExperimentalFeatureList,
  handleHooksList,
  handleMcpServerStatusList,
  handleModelProviderList,
  handleSkillsList,
} from './handlers/discovery.js';
import {
  handleFuzzyFileSearch,
  handleFuzzyFileSearchSessionStart,
  handleFuzzyFileSearchSessionStop,
  handleFuzzyFileSearchSessionUpdate,
} from './handlers/file-search.js';
import { handleInitialize, handleModelList } from './handlers/initialize.js';
import { handleThreadArchive, handleThreadUnarchive } from './handlers/thread-archive.js';
import { handleThreadFork, handleThreadResume, handleThreadStart } from './handlers/thread-lifecycle.js';
import { handleThreadDelete, handleThreadItemsList, handleThreadMetadataUpdate, handleThreadTurnsList } from './handlers/thread-history.js';
import { handleThreadList } from './handlers/thread-list.js';
import { handleThreadLoadedList } from './handlers/thread-loaded-list.js';
import { handleThreadNameSet, handleThreadUnsubscribe } from './handlers/thread-misc.js';
import { handleThreadRead } from './handlers/thread-read.js';
import { handleThreadSearch, handleThreadSearchOccurrences } from './handlers/thread-search.js';
import { handleThreadCompactStart, handleTurnInterrupt, handleTurnStart, handleTurnSteer } from './handlers/turn.js';

/** The handler of each method of the protocol's method table (`protocol/methods.ts`); a missing one fails to compile. */
export type HandlerTable = { readonly [M in ImplementedMethod]: Handler<M> };

/** Every implemented method's handler. Decoding, the initialize gate and queueing happen before (`connection.ts`). */
export const HANDLERS: HandlerTable = {
  initialize: handleInitialize,
  'thread/start': handleThreadStart,
  'thread/resume': handleThreadResume,
  'thread/fork': handleThreadFork,
  'thread/archive': handleThreadArchive,
  'thread/unarchive': handleThreadUnarchive,
  'thread/list': handleThreadList,
  'thread/read': handleThreadRead,
  'thread/loaded/list': handleThreadLoadedList,
  'thread/unsubscribe': handleThreadUnsubscribe,
  'thread/name/set': handleThreadNameSet,
  'thread/search': handleThreadSearch,
  'thread/searchOccurrences': handleThreadSearchOccurrences,
  'turn/start': handleTurnStart,
  'turn/interrupt': handleTurnInterrupt,
  'turn/steer': handleTurnSteer,
  'model/list': handleModelList,
  'account/read': handleAccountRead,
  getAuthStatus: handleGetAuthStatus,
  'account/rateLimits/read': handleAccountRateLimitsRead,
  'config/read': handleConfigRead,
  'config/value/write': handleConfigValueWrite,
  'config/batchWrite': handleConfigBatchWrite,
  'configRequirements/read': handleConfigRequirementsRead,
  'skills/list': handleSkillsList,
  'mcpServerStatus/list': handleMcpServerStatusList,
  'experimentalFeature/list': handleExperimentalFeatureList,
  'collaborationMode/list': handleCollaborationModeList,
  'app/list': handleAppList,
  'hooks/list': handleHooksList,
  'modelProvider/list': handleModelProviderList,
  'thread/turns/list': handleThreadTurnsList,
  'thread/items/list': handleThreadItemsList,
  'account/login/start': handleAccountLoginStart,
  'account/logout': handleAccountLogout,
  fuzzyFileSearch: handleFuzzyFileSearch,
  'fuzzyFileSearch/sessionStart': handleFuzzyFileSearchSessionStart,
  'fuzzyFileSearch/sessionUpdate': handleFuzzyFileSearchSessionUpdate,
  'fuzzyFileSearch/sessionStop': handleFuzzyFileSearchSessionStop,
  'thread/delete': handleThreadDelete,
  'thread/compact/start': handleThreadCompactStart,
  'thread/metadata/update': handleThreadMetadataUpdate,
};
