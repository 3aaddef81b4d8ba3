/** A `Toolset` made of groups of handlers, each with the `close` of whatever owns their processes. */
import type { ToolHandler, Toolset } from './tool.js';

export interface ToolGroup {
  handlers: ToolHandler[];
  close(): Promise<void>;
  afterResponse?(threadId: string, turnId: string): void;
  turnEnded?(turnId: string): void;
}

export function toolsetOf(groups: ToolGroup[]): Toolset {
  const byName = new Map<string, ToolHandler>();
  for (const group of groups) for (const handler of group.handlers) byName.set(handler.name, handler);
  return {
    handler: (name) => byName.get(name),
    async close() {
      await Promise.allSettled(groups.map((g) => g.close()));
    },
    afterResponse(threadId, turnId) {
      for (const g of groups) g.afterResponse?.(threadId, turnId);
    },
    turnEnded(turnId) {
      for (const g of groups) g.turnEnded?.(turnId);
    },
  };
}
