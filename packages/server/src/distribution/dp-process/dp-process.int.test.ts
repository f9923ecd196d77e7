import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps, pathOf, type ContentLocations } from '@steward/protocol';
import {
  enrolAgent,
  modesUnder,
  startServerProcess,
  createTestSite,
  waitFor,
  wrongModes,
  type ServerHandle,
  type Site,
} from '../../../../../test-support/site.js';
import {
  askLocations,
  codeOf,
  deployToDevice,
  deviceCredentials,
  getFile,
  httpsGet,
} from '../../../../../test-support/content-access.js';
import { CBC_SUITES, tls12Handshake } from '../../../../../test-support/tls.js';

/**
 * The real thing: a site server process and a `steward server --roles dp` process pulling from it
 * over HTTPS, killed mid-transfer and restarted, validating and repairing its content, and
 * serving an enrolled device with the access token the site issued.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

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
  let clockFile = '';
  const otherFile = Buffer.from('a file of a package no deployment of this device needs\n');

  beforeAll(async () => {
    site = await createTestSite({ dialect: 'sqlite', withEnrolledDevices: 0 });
    dpDir = join(site.dir, 'dp');
    // As an installer leaves it: the DP still keeps what it writes private.
    mkdirSync(dpDir, { mode: 0o755 });
    chmodSync(dpDir, 0o755);
    // The DP's clock (only the DP's): moved past a token's expiry at the end.
    clockFile = join(site.dir, 'dp-clock');
    writeFileSync(clockFile, new Date().toISOString());
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
      env: { STEWARD_DP_POLL_SECONDS: '1', STEWARD_TEST_CLOCK_FILE: clockFile, ...env },
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

    // A device a deployment of 'tool' targets asks where to download and fetches from the DP
    // with the site's token.
    const token = await api.createToken({ description: 'dp test', maxUses: 1 });
    const agent = await enrolAgent(token.token ?? '', join(site.dir, 'agent'));
    const device = deviceCredentials(agent);
    await deployToDevice(api, 'tool', device.deviceId);
    const versionId = (await api.packageVersions('tool'))[0]?.id ?? '';
    const where = await askLocations(site.agentUrl, device, versionId);
    expect(where.status).toBe(200);
    const locations = JSON.parse(where.body.toString()) as ContentLocations;
    expect(locations.locations.map((l) => [l.name, l.tier])).toEqual([
      ['branch-dp', 'default'],
      ['site-server', 'default'],
    ]);
    const got = await getFile(dp.agentUrl, device, sha(small), locations.accessToken);
    expect(got.status).toBe(200);
    expect(got.body.equals(small)).toBe(true);
    const fileUrl = `${dp.agentUrl}${pathOf(agentOps.content.file, { sha256: sha(small) })}`;
    expect((await httpsGet(fileUrl, { ca: device.caPem })).status).toBe(401);

    // The DP holds another package too; the token for 'tool' does not open it (issue 7).
    await api.createPackage({ name: 'other' });
    await api.uploadContentFile(sha(otherFile), otherFile);
    await api.createVersionFromFiles('other', [
      { path: 'other.txt', sha256: sha(otherFile), size: otherFile.length, mode: 0o644 },
    ]);
    await api.distributePackage('other', { dpIds: [dpId] });
    await waitFor(
      "'other' installed on the DP",
      async () => (await api.packageContentStatus('other')).installed === 1,
      60_000,
      250,
    );
    const refused = await getFile(dp.agentUrl, device, sha(otherFile), locations.accessToken);
    expect([refused.status, codeOf(refused)]).toEqual([403, 'CONTENT_ACCESS_DENIED']);

    // Revoked: the DP checks offline, so the token works until it expires (10 minutes), then not.
    await api.revokeDevice(device.deviceId);
    expect((await getFile(dp.agentUrl, device, sha(small), locations.accessToken)).status).toBe(
      200,
    );
    writeFileSync(clockFile, new Date(Date.now() + 601_000).toISOString());
    const late = await getFile(dp.agentUrl, device, sha(small), locations.accessToken);
    expect([late.status, codeOf(late)]).toEqual([403, 'CONTENT_ACCESS_DENIED']);
    writeFileSync(clockFile, new Date().toISOString());

    // Validate content after damaging a file on the DP: reported, then repaired.
    const smallPath = join(dpDir, 'content', 'sha256', sha(small).slice(0, 2), sha(small));
    const installedBefore = (await messages(2330)).length;
    writeFileSync(smallPath, 'damaged');
    await api.validatePackageContent('tool', [dpId]);
    const failed = await waitFor('validation result', async () => {
      const list = await messages(50102);
      return list.length > 0 && list;
    });
    expect(failed[0]?.insertionStrings[2]).toContain('1 file(s) missing or damaged');
    await waitFor('repaired', async () => (await messages(2330)).length === installedBefore + 1);
    expect(sha(readFileSync(smallPath))).toBe(sha(small));
    expect((await api.packageContentStatus('tool')).installed).toBe(2);

    // Taken off the DP: the files go.
    await api.removePackageFromDp('tool', dpId);
    await waitFor('content removed from the DP', () => !existsSync(stored));

    expect(wrongModes(modesUnder(dpDir))).toEqual([]);
    expect(statSync(dpDir).mode & 0o777).toBe(0o700);
    await dp.stop();
    expect(await dp.proc.exited).toBe(0);
    dp = undefined;
  }, 300_000);
});
