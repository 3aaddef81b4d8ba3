/** Result schemas of the history pages (`history-params.ts`). */
import { z } from 'zod';

export const ThreadTurnsListResponseSchema = z.object({
  data: z.array(z.record(z.string(), z.unknown())),
  nextCursor: z.string().nullable(),
  backwardsCursor: z.string().nullable(),
});

export const ThreadItemsListResponseSchema = z.object({
  data: z.array(z.object({ turnId: z.string(), item: z.unknown(), startedAtMs: z.number().nullable(), completedAtMs: z.number().nullable() })),
  nextCursor: z.string().nullable(),
  backwardsCursor: z.string().nullable(),
});

/** `thread/delete`: an empty object (the `thread/deleted` notification says the rest). */
export const ThreadDeleteResponseSchema = z.object({});
