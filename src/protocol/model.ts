/**
 * `model/list` (SPEC §4.10): the `Model` catalogue entry and the result. The catalogue is bundled (no
 * network request); entries are passed through in the catalogue's key order. The params are in
 * `model-list.ts`.
 */
import { z } from 'zod';
import { ReasoningEffortSchema } from './param-schemas.js';

/** One reasoning effort a model supports. Wire order: `reasoningEffort, description`. */
export const ReasoningEffortOptionSchema = z.object({ reasoningEffort: ReasoningEffortSchema, description: z.string() });

/** Upgrade suggestion attached to a model. */
export const ModelUpgradeInfoSchema = z.object({
  model: z.string(),
  upgradeCopy: z.string().nullable(),
  modelLink: z.string().nullable(),
  migrationMarkdown: z.string().nullable(),
  retirementAt: z.number().int().nullable().optional(),
});

/**
 * A catalogue model. Wire key order (build or copy in this order): `id, model, upgrade, upgradeInfo,
 * availabilityNux, displayName, description, modelSpecialty, hidden, supportedReasoningEfforts,
 * defaultReasoningEffort, inputModalities, supportsPersonality, multiAgentVersion, additionalSpeedTiers,
 * serviceTiers, defaultServiceTier, availableAccessPrograms, isDefault`.
 */
export const ModelSchema = z.object({
  id: z.string(),
  model: z.string(),
  upgrade: z.string().nullable(),
  upgradeInfo: ModelUpgradeInfoSchema.nullable(),
  availabilityNux: z.object({ message: z.string() }).nullable(),
  displayName: z.string(),
  description: z.string(),
  modelSpecialty: z.string().nullable(),
  hidden: z.boolean(),
  supportedReasoningEfforts: z.array(ReasoningEffortOptionSchema),
  defaultReasoningEffort: ReasoningEffortSchema,
  inputModalities: z.array(z.enum(['text', 'image', 'audio'])),
  supportsPersonality: z.boolean(),
  multiAgentVersion: z.enum(['disabled', 'v1', 'v2']).nullable(),
  additionalSpeedTiers: z.array(z.string()),
  serviceTiers: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  defaultServiceTier: z.string().nullable(),
  availableAccessPrograms: z.object({ cyber: z.array(z.string()) }).nullable(),
  isDefault: z.boolean(),
});
/** Type of {@link ModelSchema}. */
export type Model = z.infer<typeof ModelSchema>;

/** `model/list` result: `{data, nextCursor}` (`nextCursor` = next offset as a string, or `null`). */
export const ModelListResponseSchema = z.object({ data: z.array(ModelSchema), nextCursor: z.string().nullable() });
/** Type of {@link ModelListResponseSchema}. */
export type ModelListResponse = z.infer<typeof ModelListResponseSchema>;
