import { isCanonicalThreadId } from '../../support/thread-id.js';
import { ThreadError } from '../../threads/errors.js';
import type { Handler } from '../context.js';

/** SPEC §4.10: loaded thread ids ascending, paged by the last id of the previous page. */
export const handleThreadLoadedList: Handler<'thread/loaded/list'> = (params, cx) => {
  const ids = cx.threads.loadedIds();
  let start = 0;
  const cursor = params.cursor;
  if (cursor) {
    if (!isCanonicalThreadId(cursor)) throw new ThreadError('invalid-cursor', `invalid cursor: ${cursor}`);
    start = ids.findIndex((id) => id > cursor);
    if (start === -1) start = ids.length;
  }
  const limit = params.limit ?? ids.length;
  const data = ids.slice(start, start + Math.max(1, limit));
  const more = start + data.length < ids.length;
  return { result: { data, nextCursor: more ? (data.at(-1) ?? null) : null } };
};
