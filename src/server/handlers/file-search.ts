import type { Handler } from '../context.js';

/** `fuzzyFileSearch`: the best 50 files and folders of the roots for the query (relative roots match nothing). */
export const handleFuzzyFileSearch: Handler<'fuzzyFileSearch'> = (params, cx) => ({ result: { files: cx.fileSearch.search(params.query, params.roots) } });

/** `fuzzyFileSearch/sessionStart`: a picker's session over `roots`. */
export const handleFuzzyFileSearchSessionStart: Handler<'fuzzyFileSearch/sessionStart'> = (params, cx) => {
  cx.fileSearch.start(params.sessionId, params.roots);
  return { result: {} };
};

/** `fuzzyFileSearch/sessionUpdate`: `{}` now, then `sessionUpdated` (the whole snapshot) and `sessionCompleted`. */
export const handleFuzzyFileSearchSessionUpdate: Handler<'fuzzyFileSearch/sessionUpdate'> = (params, cx) => {
  const snapshot = cx.fileSearch.update(params.sessionId, params.query);
  const { sessionId, query } = params;
  return {
    result: {},
    after: () => {
      if (!cx.fileSearch.has(sessionId)) return;
      cx.connection.notify('fuzzyFileSearch/sessionUpdated', { sessionId, query, files: snapshot() });
      cx.connection.notify('fuzzyFileSearch/sessionCompleted', { sessionId });
    },
  };
};

/** `fuzzyFileSearch/sessionStop`: ends the session (an unknown id is not an error). */
export const handleFuzzyFileSearchSessionStop: Handler<'fuzzyFileSearch/sessionStop'> = (params, cx) => {
  cx.fileSearch.stop(params.sessionId);
  return { result: {} };
};
