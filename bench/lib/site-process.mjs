// Runs a site server as a child process (`steward server`), so its CPU and memory can be measured
// apart from the simulator's.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @param {{ root: string, dataDir: string, db?: string, adminPassword: string, cpuProfDir?: string, logLevel?: string }} o
 */
export async function startSiteProcess(o) {
  const args = [
    ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : []),
    join(o.root, 'packages/cli/bin/steward.js'),
    'server',
    '--data',
    o.dataDir,
    '--admin-listen',
    '127.0.0.1:0',
    '--agent-listen',
    '127.0.0.1:0',
    ...(o.db ? ['--db', o.db] : []),
  ];
  const out = openSync(join(o.dataDir, 'stdout.log'), 'a');
  const err = openSync(join(o.dataDir, 'stderr.log'), 'a');
  const env = {
    ...process.env,
    STEWARD_ADMIN_PASSWORD: o.adminPassword,
    ...(o.logLevel ? { STEWARD_LOG_LEVEL: o.logLevel } : {}),
  };
  const child = spawn(process.execPath, args, { stdio: ['ignore', out, err], env });
  let exited;
  const exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const stateFile = join(o.dataDir, 'server.json');
  // Startup (migrations, site CA) takes a few seconds; server.json appears once it listens.
  const deadline = Date.now() + 120_000;
  while (!exited && Date.now() < deadline) {
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      if (state.pid === child.pid)
        return {
          child,
          exit,
          adminUrl: state.adminUrl,
          agentUrl: state.agentUrl,
          pid: child.pid,
          command: `node ${args.join(' ')}`,
        };
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  const tail = existsSync(join(o.dataDir, 'stderr.log'))
    ? readFileSync(join(o.dataDir, 'stderr.log'), 'utf8').slice(-2000)
    : '';
  throw new Error(
    `site server did not start (${exited ? `exit ${exited.code ?? exited.signal}` : 'timeout'}):\n${tail}`,
  );
}

/** SIGTERM, then SIGKILL after 30 s; resolves when the process is gone (and its CPU profile written). */
export async function stopSiteProcess(site) {
  if (site.child.exitCode !== null || site.child.signalCode !== null) return;
  site.child.kill('SIGTERM');
  const t = setTimeout(() => site.child.kill('SIGKILL'), 30_000);
  await site.exit;
  clearTimeout(t);
}
