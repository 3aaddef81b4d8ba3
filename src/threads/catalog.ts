import type { Model } from '../protocol/model.js';
import catalog from './model-catalog.json' with { type: 'json' };

/** A bundled catalogue entry: the reference's `model/list` entries, copied as they are. */
export type CatalogModel = Model;

/** Context window of models missing from the catalogue (SPEC §3). */
export const FALLBACK_CONTEXT_WINDOW = 258_400;

const visible = catalog.default.data as CatalogModel[];
const all = catalog.includeHidden.data as CatalogModel[];

export function catalogModels(includeHidden: boolean): CatalogModel[] {
  return includeHidden ? all : visible;
}

export function isKnownModel(slug: string): boolean {
  return all.some((m) => m.model === slug || m.id === slug);
}

/** Reference behaviour: the warning sent on every turn whose model is not in the catalogue (SPEC §4.2). */
export function unknownModelWarning(slug: string): string {
  return `Model metadata for \`${slug}\` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.`;
}
