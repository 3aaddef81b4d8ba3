/**
 * `ThreadItem`s the server emits (in `item/started`, `item/completed`, `turn/completed` and
 * `turns[].items`), tagged by `type`.
 *
 * Key order is part of the wire contract (SPEC §3) and is the order of the shapes below. Producers build
 * items with object literals in exactly this order; nothing reorders keys before writing. The wire adds
 * `startedAtMs` and `completedAtMs` (unix ms; `completedAtMs: null` while the item runs) to every item,
 * which the experimental bundle does not declare.
 */
import { z } from 'zod';
import { UserInputSchema } from './param-schemas.js';

/** Unix-ms lifecycle stamps carried by every wire item. */
const lifecycle = {
  startedAtMs: z.number().int(),
  completedAtMs: z.number().int().nullable(),
};

/**
 * The user's input for a turn:
 * `{"type":"userMessage","id","clientId","content","startedAtMs","completedAtMs"}`.
 * Text input is echoed with `text_elements: []`.
 */
export const UserMessageItemSchema = z.object({
  type: z.literal('userMessage'),
  id: z.string(),
  clientId: z.string().nullable(),
  content: z.array(UserInputSchema),
  ...lifecycle,
});
/** Type of {@link UserMessageItemSchema}. */
export type UserMessageItem = z.infer<typeof UserMessageItemSchema>;

/** Assistant text classification; `null` when the provider does not say. */
export const MessagePhaseSchema = z.enum(['commentary', 'partial_answer', 'final_answer']);

/**
 * An assistant message: `{"type":"agentMessage","moderation","id","text","phase","memoryCitation",
 * "delivery","questions","startedAtMs","completedAtMs"}`. `id` is the model's output item id; `text` is
 * `""` in `item/started`.
 */
export const AgentMessageItemSchema = z.object({
  type: z.literal('agentMessage'),
  moderation: z.object({ moderated: z.boolean(), display: z.unknown().optional() }).nullable(),
  id: z.string(),
  text: z.string(),
  phase: MessagePhaseSchema.nullable(),
  memoryCitation: z.object({ entries: z.array(z.unknown()), threadIds: z.array(z.string()) }).nullable(),
  delivery: z.enum(['async']).nullable(),
  questions: z.array(z.object({ title: z.string(), options: z.array(z.string()).nullable().optional() })).nullable(),
  ...lifecycle,
});
/** Type of {@link AgentMessageItemSchema}. */
export type AgentMessageItem = z.infer<typeof AgentMessageItemSchema>;

/** Model reasoning: `{"type":"reasoning","id","summary":[…],"content":[…],"startedAtMs","completedAtMs"}`. */
export const ReasoningItemSchema = z.object({
  type: z.literal('reasoning'),
  id: z.string(),
  summary: z.array(z.string()),
  content: z.array(z.string()),
  ...lifecycle,
});
/** Type of {@link ReasoningItemSchema}. */
export type ReasoningItem = z.infer<typeof ReasoningItemSchema>;

/** Every item kind this server emits; narrow on `type`. */
export const ThreadItemSchema = z.discriminatedUnion('type', [
  UserMessageItemSchema,
  AgentMessageItemSchema,
  ReasoningItemSchema,
]);
/** Type of {@link ThreadItemSchema}. */
export type ThreadItem = z.infer<typeof ThreadItemSchema>;
