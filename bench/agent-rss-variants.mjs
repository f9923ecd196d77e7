#!/usr/bin/env node
// Idle RSS of the agent bundle under several node flag / environment variants, started side by
// side against one site so that every variant sees the same machine at the same time (ratios, not
// absolute figures, are what a loaded machine can tell).
//
//   node bench/agent-rss-variants.mjs [--seconds 120] [--out F] --variant 'name|flags|ENV=v,ENV2=v' ...
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    out: { type: 'string' },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
const { ApiClient } = await import('@steward/protocol');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'steward-rss-'));
const bundle = join(dataDir, 'steward-agent.mjs');
execFileSync(join(root, 'packages/agent/packaging/bundle.sh'), [bundle], { stdio: 'inherit' });
const rss = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const variants = values.variant.map((v) => {
  const [name, flags = '', envs = ''] = v.split('|');
  const env = Object.fromEntries(
    envs
      .split(',')
      .filter(Boolean)
      .map((e) => e.split('=')),
  );
  return { name, flags: flags.split(' ').filter(Boolean), env };
});
const adminPassword = 'bench-password-1234';
mkdirSync(join(dataDir, 'site'));
const site = await startSiteProcess({ root, dataDir: join(dataDir, 'site'), adminPassword });
const agents = [];
try {
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const token = await api.createToken({ description: 'rss variants', maxUses: variants.length });
  for (const v of variants) {
    const dir = join(dataDir, `agent-${v.name}`);
    mkdirSync(dir);
    const env = { ...process.env, ...v.env, STEWARD_AGENT_STATE_DIR: dir };
    execFileSync(process.execPath, [bundle, 'enroll', '--token', token.token, '--json'], { env });
    const log = openSync(`${dir}.log`, 'a');
    const p = spawn(process.execPath, [...v.flags, bundle, 'run'], {
      env,
      stdio: ['ignore', log, log],
    });
    agents.push({ ...v, p, samples: [] });
  }
  const seconds = Number(values.seconds);
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    for (const a of agents) a.samples.push(rss(a.p.pid));
  }
  const tail = (a) => a.samples.slice(Math.floor(a.samples.length / 2));
  const result = {
    command: `node bench/agent-rss-variants.mjs ${process.argv
      .slice(2)
      .map((x) => JSON.stringify(x))
      .join(' ')}`,
    at: new Date().toISOString(),
    loadAverage: loadavg(),
    seconds,
    variants: agents.map((a) => ({
      name: a.name,
      flags: a.flags,
      env: a.env,
      rssMedianSecondHalfMb: Math.round(median(tail(a)) * 10) / 10,
      rssLastMb: Math.round(a.samples.at(-1) * 10) / 10,
      rssMaxMb: Math.round(Math.max(...a.samples) * 10) / 10,
    })),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  for (const a of agents) a.p.kill('SIGTERM');
  await stopSiteProcess(site);
  rmSync(dataDir, { recursive: true, force: true });
}
