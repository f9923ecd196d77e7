import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_AUTH_HEADER, SoftwarePaths, type ContentLocations } from '@steward/protocol';
import {
  enrolAgent,
  startServerProcess,
  startSite,
  waitFor,
  type ServerHandle,
  type Site,
} from '../../../../../test-support/site.js';
import { CBC_SUITES, tls12Handshake } from '../../../../../test-support/tls.js';

/**
 * The real thing: a site server process and a `steward server --roles dp` process pulling from it
 * over HTTPS, killed mid-transfer and restarted, validating and repairing its content, and
 * serving an enrolled device with the access token the site issued.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function httpsGet(
  url: string,
  opts: { ca: string; headers?: Record<string, string> },
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: opts.ca, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface LogLine {
  msg?: string;
  from?: number;
  sha256?: string;
}

function logLines(dataDir: string): LogLine[] {
  const path = join(dataDir, 'server.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

describe('a distribution point process', () => {
  let site: Site;
  let dp: ServerHandle | undefined;
  const small = Buffer.from('#!/bin/sh\necho hello from the DP\n');
  const big = randomBytes(12 * 1024 * 1024);
  let dpDir = '';

  beforeAll(async () => {
    site = await startSite({ dialect: 'sqlite', agents: 0 });
    dpDir = join(site.dir, 'dp');
  });
  afterAll(async () => {
    await dp?.stop();
    await site?.stop();
  });

  const startDp = (env: NodeJS.ProcessEnv, agentListen?: string) =>
    startServerProcess({
      dataDir: dpDir,
      password: 'unused',
      roles: 'dp',
      env: { STEWARD_DP_POLL_SECONDS: '1', ...env },
      ...(agentListen ? { agentListen } : {}),
    });

  it('registers, pulls resumably after a kill, serves devices, validates and repairs', async () => {
    const api = site.api;
    await api.createPackage({ name: 'tool' });
    for (const b of [small, big]) await api.uploadContentFile(sha(b), b);
    await api.createVersionFromFiles('tool', [
      { path: 'big.bin', sha256: sha(big), size: big.length, mode: 0o644 },
      { path: 'hello.sh', sha256: sha(small), size: small.length, mode: 0o755 },
    ]);
    const reg = await api.createDistributionPoint({ name: 'branch-dp' });
    const dpId = reg.distributionPoint.id;

    // First start registers with the token (3 MiB/s so that the kill lands mid-file).
    dp = await startDp({
      STEWARD_DP_TOKEN: reg.registrationToken,
      STEWARD_DP_MAX_BYTES_PER_SECOND: String(3 * 1024 * 1024),
    });
    expect(statSync(join(dpDir, 'dp.json')).mode & 0o777).toBe(0o600);
    await waitFor(
      'DP online',
      async () => (await api.getDistributionPoint(dpId)).state === 'online',
    );
    expect((await api.getDistributionPoint(dpId)).url).toBe(dp.agentUrl);
    // The certificate installed at registration keeps the listener's TLS policy: AEAD only.
    expect(await tls12Handshake(dp.agentUrl, CBC_SUITES)).toBe(false);
    expect(await tls12Handshake(dp.agentUrl, 'ECDHE-ECDSA-AES128-GCM-SHA256')).toBe(true);

    await api.distributePackage('tool', { dpIds: [dpId, 'site-server'] });
    const partial = join(dpDir, 'content', 'partial', `${sha(big)}.partial`);
    const seen = await waitFor(
      'part of the big file on the DP',
      () => existsSync(partial) && statSync(partial).size > 0 && statSync(partial).size,
      60_000,
      20,
    );
    await dp.stop('SIGKILL');
    const atKill = statSync(partial).size;
    expect(atKill).toBeGreaterThanOrEqual(seen);
    expect(atKill).toBeLessThan(big.length);
    const listen = new URL(dp.agentUrl).host;

    // Restarted without a token (dp.json is reused) and without the throttle: it resumes.
    dp = await startDp({}, listen);
    const status = await waitFor(
      'installed on the DP',
      async () => {
        const s = await api.packageContentStatus('tool');
        return s.installed === 2 && s;
      },
      90_000,
      250,
    );
    expect(status).toMatchObject({ targeted: 2, installed: 2, percentComplete: 100 });
    const resumed = logLines(dpDir).find((l) => l.msg === 'resuming a partial file');
    expect(resumed?.from).toBeGreaterThanOrEqual(atKill);
    expect(resumed?.sha256).toBe(sha(big));
    const stored = join(dpDir, 'content', 'sha256', sha(big).slice(0, 2), sha(big));
    expect(sha(readFileSync(stored))).toBe(sha(big));

    const messages = async (messageId: number) =>
      (await api.listStatusMessages({ messageId, limit: 100 })).items.filter(
        (m) => m.attributes.distributionPoint === dpId,
      );
    expect(await messages(2342)).toHaveLength(1);
    expect(await messages(2330)).toHaveLength(1);
    expect(await api.getDistributionPoint(dpId)).toMatchObject({
      state: 'online',
      packagesInstalled: 1,
      storedBytes: big.length + small.length,
    });

    // A device asks where to download and fetches from the DP with the site's token.
    const token = await api.createToken({ description: 'dp test', maxUses: 1 });
    const agent = await enrolAgent(token.token ?? '', join(site.dir, 'agent'));
    const device = JSON.parse(readFileSync(join(agent.stateDir, 'device.json'), 'utf8')) as {
      deviceId: string;
      deviceKey: string;
      caPem: string;
    };
    const versionId = (await api.packageVersions('tool'))[0]?.id ?? '';
    const where = await httpsGet(
      `${site.agentUrl}${SoftwarePaths.contentLocations}?packageVersionId=${versionId}`,
      {
        ca: device.caPem,
        headers: { [DEVICE_AUTH_HEADER]: `${device.deviceId}.${device.deviceKey}` },
      },
    );
    expect(where.status).toBe(200);
    const locations = JSON.parse(where.body.toString()) as ContentLocations;
    expect(locations.locations.map((l) => [l.name, l.tier])).toEqual([
      ['branch-dp', 'default'],
      ['site-server', 'default'],
    ]);
    const fileUrl = `${dp.agentUrl}${SoftwarePaths.contentFile.replace(':sha256', sha(small))}`;
    const got = await httpsGet(fileUrl, {
      ca: device.caPem,
      headers: { authorization: `Bearer ${locations.accessToken}` },
    });
    expect(got.status).toBe(200);
    expect(got.body.equals(small)).toBe(true);
    expect((await httpsGet(fileUrl, { ca: device.caPem })).status).toBe(401);

    // Validate content after damaging a file on the DP: reported, then repaired.
    const smallPath = join(dpDir, 'content', 'sha256', sha(small).slice(0, 2), sha(small));
    writeFileSync(smallPath, 'damaged');
    await api.validatePackageContent('tool', [dpId]);
    const failed = await waitFor('validation result', async () => {
      const list = await messages(50102);
      return list.length > 0 && list;
    });
    expect(failed[0]?.insertionStrings[2]).toContain('1 file(s) missing or damaged');
    await waitFor('repaired', async () => (await messages(2330)).length === 2);
    expect(sha(readFileSync(smallPath))).toBe(sha(small));
    expect((await api.packageContentStatus('tool')).installed).toBe(2);

    // Taken off the DP: the files go.
    await api.removePackageFromDp('tool', dpId);
    await waitFor('content removed from the DP', () => !existsSync(stored));

    await dp.stop();
    expect(await dp.proc.exited).toBe(0);
    dp = undefined;
  }, 300_000);
});
