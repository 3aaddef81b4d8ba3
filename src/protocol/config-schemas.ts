/** Result schemas of the config methods. */
import { z } from 'zod';

const ConfigLayerSourceSchema = z.union([
  z.object({ type: z.literal('user'), file: z.string(), profile: z.string().nullable() }),
  z.object({ type: z.literal('sessionFlags') }),
  z.object({ type: z.literal('system'), file: z.string() }),
]);

export const ConfigLayerMetadataSchema = z.object({ name: ConfigLayerSourceSchema, version: z.string() });

/** `config/read`: the effective config (the reference's full `Config` field set), origins, and the layers on request. */
export const ConfigReadResponseSchema = z.object({
  config: z.record(z.string(), z.unknown()),
  origins: z.record(z.string(), ConfigLayerMetadataSchema),
  layers: z.array(z.object({ name: ConfigLayerSourceSchema, version: z.string(), config: z.record(z.string(), z.unknown()) })).optional(),
});

/** `config/value/write` and `config/batchWrite`. */
export const ConfigWriteResponseSchema = z.object({
  status: z.enum(['ok', 'okOverridden']),
  version: z.string(),
  filePath: z.string(),
  overriddenMetadata: z.object({ message: z.string(), overridingLayer: ConfigLayerMetadataSchema, effectiveValue: z.unknown() }).nullable(),
});

/** `configRequirements/read`: never any requirements here. */
export const ConfigRequirementsReadResponseSchema = z.object({ supportsIndependentSpeedModes: z.boolean(), requirements: z.null() });

/** `account/login/start` (API key) and `account/logout`. */
export const LoginAccountResponseSchema = z.object({ type: z.literal('apiKey') });
export const LogoutAccountResponseSchema = z.object({});
