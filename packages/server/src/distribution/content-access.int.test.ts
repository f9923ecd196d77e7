import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentLocations } from '@steward/protocol';
import { refusal } from '../../test/support/deployments.js';
import {
  enrolAgent,
  pgReachable,
  createTestSite,
  type Site,
} from '../../../../test-support/site.js';
import {
  askLocations,
  codeOf,
  deployToDevice,
  deviceCredentials,
  getFile,
  type DeviceCredentials,
} from '../../../../test-support/content-access.js';

const pgUp = await pgReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of content-access.int.test.ts are SKIPPED',
  );

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Content tokens name what the device is entitled to (issue 7, finding 6), over a real site
 * server process: a device no deployment targets gets no token; a targeted device's token
 * fetches only its package's files; a revoked device is refused at once by the site server.
 */
describe.each(['sqlite', 'postgres'] as const)('content access tokens on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let site: Site;
    let importRoot = '';
    let targeted: DeviceCredentials;
    let untargeted: DeviceCredentials;
    const mine = Buffer.from('#!/bin/sh\necho the entitled package\n');
    const theirs = Buffer.from('a file of a package deployed to nobody\n');
    const version: Record<string, string> = {};

    beforeAll(async () => {
      importRoot = mkdtempSync(join(tmpdir(), 'steward-import-'));
      writeFileSync(join(importRoot, 'setup.sh'), 'echo imported\n');
      site = await createTestSite({
        dialect,
        withEnrolledDevices: 0,
        contentImportRoots: [importRoot],
      });
      const token = await site.api.createToken({ description: 'content access', maxUses: 2 });
      targeted = deviceCredentials(await enrolAgent(token.token ?? '', join(site.dir, 'a1')));
      untargeted = deviceCredentials(await enrolAgent(token.token ?? '', join(site.dir, 'a2')));
      for (const [name, body] of [
        ['app', mine],
        ['other', theirs],
      ] as const) {
        await site.api.createPackage({ name });
        await site.api.uploadContentFile(sha(body), body);
        version[name] = (
          await site.api.createVersionFromFiles(name, [
            { path: 'f.sh', sha256: sha(body), size: body.length, mode: 0o755 },
          ])
        ).id;
      }
      await deployToDevice(site.api, 'app', targeted.deviceId);
    }, 180_000);
    afterAll(async () => {
      await site?.stop();
      rmSync(importRoot, { recursive: true, force: true });
    });

    const tokenFor = async (device: DeviceCredentials, versionId: string) => {
      const r = await askLocations(site.agentUrl, device, versionId);
      expect(r.status).toBe(200);
      return (JSON.parse(r.body.toString()) as ContentLocations).accessToken;
    };

    it('imports a folder only below the --content-import-root given to steward server', async () => {
      await site.api.createPackage({ name: 'imported' });
      const v = await site.api.createVersionFromFolder('imported', importRoot);
      expect(v).toMatchObject({ number: 1, fileCount: 1, source: 'folder' });
      for (const folder of ['/etc', join(site.dir, 'server')])
        expect(await refusal(site.api.createVersionFromFolder('imported', folder))).toMatchObject({
          status: 403,
          code: 'CONTENT_IMPORT_NOT_ALLOWED',
        });
    });

    it('gives no token to a device no deployment targets', async () => {
      const r = await askLocations(site.agentUrl, untargeted, version.app ?? '');
      expect([r.status, codeOf(r)]).toEqual([403, 'CONTENT_NOT_ENTITLED']);
      const other = await askLocations(site.agentUrl, targeted, version.other ?? '');
      expect([other.status, codeOf(other)]).toEqual([403, 'CONTENT_NOT_ENTITLED']);
    });

    it("fetches the targeted package's files with its token, and no other package's", async () => {
      const token = await tokenFor(targeted, version.app ?? '');
      const got = await getFile(site.agentUrl, targeted, sha(mine), token);
      expect(got.status).toBe(200);
      expect(got.body.equals(mine)).toBe(true);
      const refused = await getFile(site.agentUrl, targeted, sha(theirs), token);
      expect([refused.status, codeOf(refused)]).toEqual([403, 'CONTENT_ACCESS_DENIED']);
    });

    it('refuses a revoked device its token at once on the site server', async () => {
      const token = await tokenFor(targeted, version.app ?? '');
      await site.api.revokeDevice(targeted.deviceId);
      const file = await getFile(site.agentUrl, targeted, sha(mine), token);
      expect([file.status, codeOf(file)]).toEqual([403, 'CONTENT_ACCESS_DENIED']);
      const again = await askLocations(site.agentUrl, targeted, version.app ?? '');
      expect([again.status, codeOf(again)]).toEqual([403, 'DEVICE_REVOKED']);
    });
  });
});
