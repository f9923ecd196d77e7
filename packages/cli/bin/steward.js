#!/usr/bin/env node
// The bundle when it is fresh, else dist/cli.js (scripts/bin-entry.mjs, ADR 0090).
import { BUNDLES, runBin } from '../../../scripts/bin-entry.mjs';
await runBin(BUNDLES.cli);
