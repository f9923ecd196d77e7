#!/usr/bin/env node
// npm's `prepare` (run by every `npm install` in the checkout): `npm run build`, unless
// STEWARD_BUILD_LATER=1 says a build follows anyway (.ci/run: its `npm test` starts with
// `npm run build`, and the console's vite build is not incremental: ADR 0090).
import { spawnSync } from 'node:child_process';

if (process.env.STEWARD_BUILD_LATER === '1') {
  console.log('prepare: build left to the command that follows (STEWARD_BUILD_LATER=1)');
  process.exit(0);
}
// Under npm, npm_execpath is npm's own script: run the same npm.
const npmCli = process.env.npm_execpath;
const [cmd, args] = npmCli
  ? [process.execPath, [npmCli, 'run', 'build']]
  : ['npm', ['run', 'build']];
const build = spawnSync(cmd, args, { stdio: 'inherit' });
process.exit(build.status ?? 1);
