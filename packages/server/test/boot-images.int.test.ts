/**
 * Boot images, imported and unknown computers (issue 11, ADR 0065) on a real server, both
 * databases, without a VM (boot-image-vm.int.test.ts builds and boots a real image): the build
 * is refused until a mirror is set; settings round-trip; computers are imported one by one and
 * from CSV, all or none, duplicates and computers without an identity refused with their codes;
 * a boot environment with a key of no image of this site is refused.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops } from '@steward/protocol';
import { postToAgent } from '../../../test-support/agent-http.js';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe.each(dialects)('boot images and imported computers (%s)', (dialect) => {
  let site: Site;
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)('refuses a build until a mirror is set, and keeps the settings', async () => {
    const err = await refusal(site.api.call(ops.bootImages.build, { body: {} }));
    expect(err.code).toBe('BOOT_IMAGE_NO_MIRROR');
    expect(await site.api.call(ops.bootImages.list, {})).toEqual([]);
    const set = await site.api.call(ops.bootImages.updateSettings, {
      body: { mirror: 'http://mirror.example.org/debian' },
    });
    expect(set).toEqual({ mirror: 'http://mirror.example.org/debian', suite: 'bookworm' });
    expect(await site.api.call(ops.bootImages.settings, {})).toEqual(set);
    const bad = await refusal(
      site.api.call(ops.bootImages.updateSettings, { body: { mirror: 'ftp://x' } }),
    );
    expect(bad.code).toBe('INVALID_INPUT');
    const unknownDriver = await refusal(
      site.api.call(ops.bootImages.build, { body: { driverIds: ['no-such-driver'] } }),
    );
    expect(unknownDriver.code).toBe('DRIVER_NOT_FOUND');
    expect(await site.api.call(ops.bootImages.list, {})).toEqual([]);
  });

  it.skipIf(skip)('imports computers one by one and from CSV, all or none', async () => {
    const one = await site.api.call(ops.importedComputers.create, {
      body: { name: 'web-01', mac: '52-54-00-AA-00-01', variables: { ROLE: 'web' } },
    });
    expect(one).toMatchObject({ name: 'web-01', mac: '52:54:00:aa:00:01', lastBootAt: null });
    const noId = await refusal(
      site.api.call(ops.importedComputers.create, { body: { name: 'nothing' } }),
    );
    expect(noId.code).toBe('IMPORTED_COMPUTER_NO_IDENTITY');
    const zeroUuid = await refusal(
      site.api.call(ops.importedComputers.create, {
        body: { name: 'zero', smbiosUuid: '00000000-0000-0000-0000-000000000000' },
      }),
    );
    expect(zeroUuid.code).toBe('IMPORTED_COMPUTER_NO_IDENTITY');
    const dup = await refusal(
      site.api.call(ops.importedComputers.create, {
        body: { name: 'web-02', mac: '52:54:00:aa:00:01' },
      }),
    );
    expect(dup.code).toBe('IMPORTED_COMPUTER_EXISTS');

    const csv = [
      'name,mac,smbiosUuid,ROLE,SITE',
      'db-01,52:54:00:aa:00:02,,db,"Paris, 3rd floor"',
      'db-02,,5B0C2A6E-1F1D-4C3A-9B7E-0A1B2C3D4E5F,db,',
    ].join('\n');
    const imported = await site.api.call(ops.importedComputers.importCsv, { body: { csv } });
    expect(imported.imported.map((c) => [c.name, c.mac, c.smbiosUuid, c.variables])).toEqual([
      ['db-01', '52:54:00:aa:00:02', null, { ROLE: 'db', SITE: 'Paris, 3rd floor' }],
      ['db-02', null, '5b0c2a6e-1f1d-4c3a-9b7e-0a1b2c3d4e5f', { ROLE: 'db' }],
    ]);
    // One bad line refuses the whole file: nothing of it is written.
    const before = await site.api.call(ops.importedComputers.list, {});
    const partly = await refusal(
      site.api.call(ops.importedComputers.importCsv, {
        body: { csv: 'name,mac\nok-01,52:54:00:aa:00:09\nbad,not-a-mac' },
      }),
    );
    expect(partly.code).toBe('IMPORTED_COMPUTER_CSV_INVALID');
    const clash = await refusal(
      site.api.call(ops.importedComputers.importCsv, {
        body: { csv: 'name,mac\nok-02,52:54:00:aa:00:0a\nweb-01,52:54:00:aa:00:0b' },
      }),
    );
    expect(clash.code).toBe('IMPORTED_COMPUTER_EXISTS');
    expect(await site.api.call(ops.importedComputers.list, {})).toEqual(before);
    expect(before.map((c) => c.name)).toEqual(['db-01', 'db-02', 'web-01']);

    // The CLI reads the same operations.
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    const listed = await exec(STEWARD, ['imported-computer', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((c) => c.name)).toEqual([
      'db-01',
      'db-02',
      'web-01',
    ]);
  });

  it.skipIf(skip)('refuses a boot environment whose key names no image of this site', async () => {
    const r = await postToAgent(site.agentUrl, '/agent/v1/boot/register', {
      bootKey: 'x'.repeat(43),
      smbiosUuid: null,
      macs: ['52:54:00:aa:00:01'],
      arch: 'amd64',
      firmware: 'bios',
      modaliases: [],
    });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 'BOOT_IMAGE_KEY_INVALID' });
    expect(await site.api.call(ops.unknownComputers.list, {})).toEqual([]);
    const file = await postToAgent(site.agentUrl, '/agent/v1/boot/status', {
      bootKey: 'x'.repeat(43),
      computerId: 'c',
      messageId: 40700,
      insertionStrings: [],
    });
    expect(file.status).toBe(401);
  });
});
