/** Result schemas of the discovery lists (`discovery-params.ts`); shapes follow the reference's answers. */
import { z } from 'zod';

export const SkillsListResponseSchema = z.object({
  data: z.array(
    z.object({
      cwd: z.string(),
      skills: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          shortDescription: z.string().optional(),
          path: z.string(),
          scope: z.enum(['repo', 'user', 'system']),
          enabled: z.boolean(),
          pluginId: z.null(),
        }),
      ),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  ),
});

export const ListMcpServerStatusResponseSchema = z.object({ data: z.array(z.record(z.string(), z.unknown())), nextCursor: z.string().nullable() });

export const ExperimentalFeatureListResponseSchema = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      stage: z.string(),
      displayName: z.string().nullable(),
      description: z.string().nullable(),
      announcement: z.string().nullable(),
      enabled: z.boolean(),
      defaultEnabled: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const CollaborationModeListResponseSchema = z.object({
  data: z.array(z.object({ name: z.string(), mode: z.string(), model: z.null(), reasoning_effort: z.string().nullable() })),
});

export const AppsListResponseSchema = z.object({ data: z.array(z.unknown()), nextCursor: z.string().nullable() });

export const HooksListResponseSchema = z.object({
  data: z.array(z.object({ cwd: z.string(), hooks: z.array(z.record(z.string(), z.unknown())), warnings: z.array(z.string()), errors: z.array(z.unknown()) })),
});

export const ModelProviderListResponseSchema = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), canEdit: z.boolean(), baseUrl: z.string().nullable(), settings: z.record(z.string(), z.unknown()) })),
  defaultProviderId: z.string(),
  canChangeDefault: z.boolean(),
});

const FileMatchSchema = z.object({
  root: z.string(),
  path: z.string(),
  match_type: z.enum(['file', 'directory']),
  file_name: z.string(),
  score: z.number(),
  indices: z.array(z.number()).nullable(),
});

export const FuzzyFileSearchResponseSchema = z.object({ files: z.array(FileMatchSchema) });
export const FuzzyFileSearchSessionStartResponseSchema = z.object({});
export const FuzzyFileSearchSessionUpdateResponseSchema = z.object({});
export const FuzzyFileSearchSessionStopResponseSchema = z.object({});
