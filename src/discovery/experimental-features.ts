import features from './experimental-features.json' with { type: 'json' };
import { isTable, type TomlTable } from '../config/config-edits.js';

/** One feature flag as `experimentalFeature/list` reports it. */
export interface ExperimentalFeature {
  name: string;
  stage: string;
  displayName: string | null;
  description: string | null;
  announcement: string | null;
  enabled: boolean;
  defaultEnabled: boolean;
}

/** A page of features, or the reference's error text for a bad cursor. */
export type FeaturePage = { data: ExperimentalFeature[]; nextCursor: string | null } | { error: string };

const CATALOGUE = features as Omit<ExperimentalFeature, 'enabled'>[];

/**
 * `experimentalFeature/list`: the reference's 215 feature flags in its order (stage, texts and defaults are the
 * reference's answer, `experimental-features.json`), each enabled as `[features]` (and `-c features.*`) say, else by
 * default. The cursor is the index of the next flag as a decimal string; `limit` 0 counts as 1, absent as all.
 */
export function listExperimentalFeatures(config: TomlTable, cursor: string | null, limit: number | null): FeaturePage {
  const table = isTable(config['features']) ? config['features'] : {};
  let start = 0;
  if (cursor !== null) {
    if (!/^\d+$/.test(cursor)) return { error: `invalid cursor: ${cursor}` };
    start = Number(cursor);
    if (start > CATALOGUE.length) return { error: `cursor ${cursor} exceeds total feature flags ${CATALOGUE.length}` };
  }
  const size = limit === null ? CATALOGUE.length : Math.max(1, limit);
  const end = Math.min(CATALOGUE.length, start + size);
  const data = CATALOGUE.slice(start, end).map((feature) => {
    const set = table[feature.name];
    return { ...feature, enabled: typeof set === 'boolean' ? set : feature.defaultEnabled };
  });
  return { data, nextCursor: end < CATALOGUE.length ? String(end) : null };
}
