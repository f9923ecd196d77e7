#!/usr/bin/env node
// `npm start`: build what is missing, then run `steward up --data ./data` (a site server, this
// machine's agent, and the console URL with the admin password). Extra arguments are passed on:
//   npm start -- --admin-listen 127.0.0.1:9080 --agent-listen 0.0.0.0:9443
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = [
  'packages/server/dist/index.js',
  'packages/console/dist/index.html',
  'packages/agent/dist/cli.js',
  'packages/cli/dist/cli.js',
];

const missing = built.filter((file) => !existsSync(join(root, file)));
if (missing.length > 0) {
  console.error(`Building Steward first (missing: ${missing.join(', ')})...`);
  // Under `npm start`, npm_execpath is npm's own script: run the same npm.
  const npmCli = process.env.npm_execpath;
  const [cmd, args] = npmCli
    ? [process.execPath, [npmCli, 'run', 'build']]
    : ['npm', ['run', 'build']];
  const build = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(
      `error BUILD_FAILED: "npm run build" failed (${build.error?.message ?? `exit code ${build.status}`}); fix the build and run npm start again`,
    );
    process.exit(build.status ?? 1);
  }
}

const child = spawn(
  process.execPath,
  [join(root, 'packages/cli/bin/steward.js'), 'up', '--data', './data', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, STEWARD_LAUNCHER: 'npm-start' } },
);

// Pass stop signals on; `steward up` counts a burst of them (terminal + npm) as one Ctrl-C.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}

child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
});
