/**
 * A DP process on a multicast LAN (ADR 0088) and clients fetching from it, shared by
 * `dp-multicast.int.test.ts` and `bench/osd-multicast.mjs`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEWARD, STEWARD_AGENT, waitFor, type Site } from '../site.js';
import type { MulticastLan } from './lan.js';

export interface FetchOutput {
  kind: string;
  method: 'multicast' | 'http';
  fallback?: string;
  sessionId?: string;
}

export interface LanDp {
  dpId: string;
  url: string;
  log(): string;
}

/** Registers a DP on the site and runs it in the LAN's DP namespace; resolves once online. */
export async function startLanDp(site: Site, lan: MulticastLan, name: string): Promise<LanDp> {
  const reg = await site.api.createDistributionPoint({ name });
  const dpId = reg.distributionPoint.id;
  const dpDir = join(lan.dir, 'dp');
  mkdirSync(dpDir);
  const dp = lan.spawnIn(
    lan.dpNs,
    process.execPath,
    [
      STEWARD,
      'server',
      '--roles',
      'dp',
      '--data',
      dpDir,
      '--admin-listen',
      '127.0.0.1:0',
      '--agent-listen',
      `${lan.dpAddress}:8444`,
    ],
    'dp.out',
    {
      STEWARD_DP_TOKEN: reg.registrationToken,
      STEWARD_DP_POLL_SECONDS: '1',
      STEWARD_ADMIN_PASSWORD: 'unused',
    },
  );
  await waitFor(
    'the DP online',
    async () => {
      if (dp.exitCode !== null) throw new Error(readFileSync(join(lan.dir, 'dp.out'), 'utf8'));
      return (await site.api.getDistributionPoint(dpId)).state === 'online';
    },
    90_000,
  );
  return {
    dpId,
    url: `https://${lan.dpAddress}:8444`,
    log: () =>
      existsSync(join(dpDir, 'server.log')) ? readFileSync(join(dpDir, 'server.log'), 'utf8') : '',
  };
}

/** `steward-agent content fetch` in client namespace `i`; its JSON answer and the file. */
export function fetchIn(
  lan: MulticastLan,
  i: number,
  o: {
    url: string;
    sha256: string;
    size: number;
    token: string;
    caFile: string;
    multicast: boolean;
  },
): Promise<{ result: FetchOutput; file: string }> {
  const out = join(lan.dir, `client${String(i)}-${String(Date.now())}.bin`);
  const logName = `client${String(i)}.log`;
  const child = lan.spawnIn(
    lan.clientNs[i] ?? '',
    process.execPath,
    [
      STEWARD_AGENT,
      'content',
      'fetch',
      '--url',
      o.url,
      '--sha256',
      o.sha256,
      '--size',
      String(o.size),
      '--token',
      o.token,
      '--ca',
      o.caFile,
      '--out',
      out,
      ...(o.multicast ? ['--multicast'] : []),
      '--json',
    ],
    logName,
  );
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const log = readFileSync(join(lan.dir, logName), 'utf8');
      if (code !== 0) {
        reject(new Error(`client ${String(i)} exit ${String(code)}: ${log}`));
        return;
      }
      const last = log.trim().split('\n').at(-1) ?? '';
      resolve({ result: JSON.parse(last) as FetchOutput, file: out });
    });
  });
}
