#!/usr/bin/env node
// dist/cli.js: the entry of earlier builds, kept for launchers and editor settings that name it. It runs
// dist/cli.cjs, the entry (`bin`) itself, which starts faster (no ES module loader): see scripts/cli-loader.cjs.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./cli.cjs');
