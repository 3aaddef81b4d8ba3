import { catalogModels } from '../../threads/catalog.js';
import { userAgentFor, type Handler } from '../context.js';

/** SPEC §2: records the client (once per connection), answers with the user agent, then reports remote control off. */
export const handleInitialize: Handler<'initialize'> = (params, cx) => {
  cx.connection.initialize(params.clientInfo.name, params.capabilities?.optOutNotificationMethods ?? [], params.capabilities?.experimentalApi === true, params.clientInfo.version);
  return {
    result: {
      userAgent: userAgentFor(cx.info, params.clientInfo.name, params.clientInfo.version),
      codexHome: cx.info.codexHome,
      platformFamily: 'unix',
      platformOs: cx.info.platformOs,
    },
    after: () => {
      cx.connection.notify('remoteControl/status/changed', { status: 'disabled', serverName: cx.info.hostname, installationId: cx.info.installationId, environmentId: null });
      // Load what thread/start needs once the client pauses. Not right away: an editor's first requests (a
      // thread/list) follow the answer at once, and loading the flock binding (≈ 3 ms) would delay them.
      cx.connection.whenQuiet(() => cx.threads.warm());
    },
  };
};

export const handleModelList: Handler<'model/list'> = (params) => {
  const models = catalogModels(params.includeHidden === true);
  const start = params.cursor ? Number.parseInt(params.cursor, 10) || 0 : 0;
  const limit = params.limit ?? models.length;
  const data = models.slice(start, start + Math.max(1, limit));
  const end = start + data.length;
  return { result: { data, nextCursor: end < models.length ? String(end) : null } };
};
