import { catalogModels } from '../../threads/catalog.js';
import { userAgentFor, type Handler, type RequestContext } from '../context.js';

export interface InitializeParams {
  clientInfo: { name: string; title?: string | null; version: string };
  capabilities?: { experimentalApi?: boolean; optOutNotificationMethods?: string[] | null } | null;
}

/** Builds the initialize result; the connection records the client before calling it. */
export function initializeResult(params: InitializeParams, cx: RequestContext): { result: Record<string, unknown>; after: () => void } {
  return {
    result: {
      userAgent: userAgentFor(cx.info, params.clientInfo.name, params.clientInfo.version),
      codexHome: cx.info.codexHome,
      platformFamily: 'unix',
      platformOs: cx.info.platformOs,
    },
    after: () => {
      cx.connection.notify('remoteControl/status/changed', { status: 'disabled', serverName: cx.info.hostname, installationId: cx.info.installationId, environmentId: null });
      // The client reads the answer now: use the pause to load what thread/start needs.
      setImmediate(() => cx.threads.warm());
    },
  };
}

export const handleModelList: Handler<{ cursor?: string | null; limit?: number | null; includeHidden?: boolean | null }> = (params) => {
  const models = catalogModels(params.includeHidden === true);
  const start = params.cursor ? Number.parseInt(params.cursor, 10) || 0 : 0;
  const limit = params.limit ?? models.length;
  const data = models.slice(start, start + Math.max(1, limit));
  const end = start + data.length;
  return { result: { data, nextCursor: end < models.length ? String(end) : null } };
};
