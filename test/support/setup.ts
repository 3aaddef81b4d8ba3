/**
 * Runs before every test file (vitest `setupFiles`): property-based tests use a fixed fast-check seed so every
 * `npm test` / CI run checks the same cases; `npm run stress` (RELIABILITY_PROFILE=stress) keeps random seeds, and
 * `FC_SEED` replays a given one.
 */
import fc from 'fast-check';

const fromEnv = Number(process.env['FC_SEED']);
if (process.env['FC_SEED'] && Number.isInteger(fromEnv)) fc.configureGlobal({ seed: fromEnv });
else if (process.env['RELIABILITY_PROFILE'] !== 'stress') fc.configureGlobal({ seed: 20_260_101 });
