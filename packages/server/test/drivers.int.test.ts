/**
 * The driver catalog (issue 11, ADR 0055) on a real server: driver packages built as real .deb
 * files with gcc-compiled kernel modules (plain and xz-compressed) and firmware, imported through
 * the API, read back with their aliases, matched against devices' inventoried PCI and USB
 * hardware; bad uploads refused with a code and nothing written; on SQLite and PostgreSQL.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops } from '@steward/protocol';
import { buildDriverPackage } from '../../../test-support/driver-package.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
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

const E1000E = 'pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00';
const R8152 = 'usb:v0BDAp8153d3000dc00dsc00dp00icFFisc06ip00in00';
const UNKNOWN = 'pci:v000010DEd00001234sv00000000sd00000000bc03sc00i00';

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe.each(dialects)('driver catalog (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let deviceIds: string[];
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'steward-drivers-'));
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    deviceIds = await enrolInventoryDevices(site.api, [
      {
        hostname: 'with-nic',
        classes: {
          pciDevice: [
            {
              address: '0000:00:19.0',
              vendorName: 'Intel',
              deviceName: '82574L',
              modalias: E1000E,
              driver: '',
            },
            {
              address: '0000:01:00.0',
              vendorName: 'NVIDIA',
              deviceName: 'GPU',
              modalias: UNKNOWN,
              driver: 'nouveau',
            },
          ],
          usbDevice: [
            {
              busPath: '1-1',
              manufacturer: 'Realtek',
              product: 'USB NIC',
              modalias: R8152,
              driver: 'r8152',
            },
          ],
        },
      },
      { hostname: 'not-inventoried', classes: {} },
    ]);
  }, 120_000);
  afterAll(async () => {
    if (skip) return;
    await site.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (file: string, query: { enabled?: boolean } = {}) =>
    site.api.call(ops.drivers.import, {
      query,
      raw: { body: readFileSync(file), mediaType: 'application/vnd.debian.binary-package' },
    });

  it.skipIf(skip)(
    'imports a driver package and reads its modules, aliases and firmware',
    async () => {
      const deb = buildDriverPackage(dir, {
        name: 'steward-test-e1000e',
        version: '3.8.7-1',
        description: 'Intel gigabit NIC driver\n long text',
        modules: [
          {
            path: 'lib/modules/6.1.0-18-amd64/updates/e1000e.ko',
            modinfo: [
              ['alias', 'pci:v00008086d000010D3sv*sd*bc*sc*i*'],
              ['alias', 'pci:v00008086d000015B8sv*sd*bc*sc*i*'],
              ['firmware', 'e1000e/fw.bin'],
              ['license', 'GPL'],
              ['version', '3.8.7'],
              ['name', 'e1000e'],
            ],
          },
          {
            path: 'lib/modules/6.1.0-18-amd64/updates/r8152.ko',
            modinfo: [
              ['alias', 'usb:v0BDAp8153d*dc*dsc*dp*ic*isc*ip*in*'],
              ['name', 'r8152'],
            ],
            xz: true,
          },
        ],
        firmware: { 'lib/firmware/e1000e/fw.bin': 'firmware bytes' },
      });
      const imported = await upload(deb);
      expect(imported.categories).toEqual([]);
      const d = await site.api.call(ops.drivers.update, {
        params: { id: imported.id },
        body: { categories: ['network', 'intel'] },
      });
      expect(d).toMatchObject({
        package: 'steward-test-e1000e',
        version: '3.8.7-1',
        architecture: 'amd64',
        description: 'Intel gigabit NIC driver',
        categories: ['network', 'intel'],
        enabled: true,
        firmwareFiles: ['lib/firmware/e1000e/fw.bin'],
      });
      expect(d.modules.map((m) => [m.name, m.kernelRelease, m.aliases.length, m.firmware])).toEqual(
        [
          ['e1000e', '6.1.0-18-amd64', 2, ['e1000e/fw.bin']],
          ['r8152', '6.1.0-18-amd64', 1, []],
        ],
      );
      expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
      // The package is content: the library counts its file.
      const again = await site.api.call(ops.drivers.get, { params: { id: 'steward-test-e1000e' } });
      expect(again.id).toBe(d.id);
      const list = await site.api.call(ops.drivers.list, { query: { category: 'network' } });
      expect(
        list.items.map((i) => [i.package, i.moduleCount, i.aliasCount, i.firmwareCount]),
      ).toEqual([['steward-test-e1000e', 2, 3, 1]]);
      expect((await site.api.call(ops.drivers.list, { query: { search: 'R8152' } })).total).toBe(1);
      expect(
        (await site.api.call(ops.drivers.list, { query: { category: 'storage' } })).total,
      ).toBe(0);
      expect(await site.api.call(ops.drivers.categories, {})).toEqual([
        { name: 'intel', drivers: 1 },
        { name: 'network', drivers: 1 },
      ]);
      // The same package again is refused.
      expect((await refusal(upload(deb))).code).toBe('DRIVER_EXISTS');
    },
  );

  it.skipIf(skip)(
    "matches a device's PCI and USB hardware against enabled drivers only",
    async () => {
      const [withNic, bare] = deviceIds;
      const m = await site.api.call(ops.drivers.forDevice, { params: { id: withNic ?? '' } });
      expect(m.inventoried).toBe(true);
      const byAlias = Object.fromEntries(
        m.hardware.map((h) => [h.modalias, h.matches.map((x) => x.module.split('/').pop())]),
      );
      expect(byAlias).toEqual({ [E1000E]: ['e1000e.ko'], [UNKNOWN]: [], [R8152]: ['r8152.ko.xz'] });
      expect(m.hardware.find((h) => h.modalias === UNKNOWN)).toMatchObject({
        bus: 'pci',
        name: 'NVIDIA GPU',
        driverInUse: 'nouveau',
      });

      const d = await site.api.call(ops.drivers.get, { params: { id: 'steward-test-e1000e' } });
      await site.api.call(ops.drivers.update, { params: { id: d.id }, body: { enabled: false } });
      const off = await site.api.call(ops.drivers.forDevice, { params: { id: withNic ?? '' } });
      expect(off.hardware.flatMap((h) => h.matches)).toEqual([]);
      await site.api.call(ops.drivers.update, { params: { id: d.id }, body: { enabled: true } });

      const none = await site.api.call(ops.drivers.forDevice, { params: { id: bare ?? '' } });
      expect(none).toMatchObject({ inventoried: false, hardware: [] });
      expect(
        (await refusal(site.api.call(ops.drivers.forDevice, { params: { id: 'nope' } }))).code,
      ).toBe('NOT_FOUND');
    },
  );

  it.skipIf(skip)('refuses what is not a driver package, writing nothing', async () => {
    const before = (await site.api.call(ops.drivers.list, {})).total;
    const filesBefore = (await site.api.contentLibrary()).fileCount;
    // Stored files (a refused upload may leave its empty two-hex folder, never its bytes).
    const stored = () =>
      readdirSync(join(site.dir, 'server', 'content', 'sha256'), {
        recursive: true,
        withFileTypes: true,
      }).filter((e) => e.isFile()).length;
    const onDiskBefore = stored();
    const junk = join(dir, 'junk.deb');
    writeFileSync(junk, 'this is not an ar archive');
    expect((await refusal(upload(junk))).code).toBe('DRIVER_INVALID_PACKAGE');
    const empty = buildDriverPackage(dir, { name: 'steward-test-empty', version: '1' });
    expect((await refusal(upload(empty))).code).toBe('DRIVER_NO_CONTENT');
    const bad = buildDriverPackage(dir, {
      name: 'steward-test-bad',
      version: '1',
      modules: [{ path: 'lib/modules/6.1.0-18-amd64/x.ko', modinfo: [] }],
    });
    // A module that is not ELF: replace the built object inside a rebuilt package.
    const notElf = buildDriverPackage(dir, {
      name: 'steward-test-notelf',
      version: '1',
      firmware: { 'lib/modules/6.1.0-18-amd64/y.ko': 'plain text, not ELF' },
    });
    expect((await refusal(upload(notElf))).code).toBe('DRIVER_INVALID_PACKAGE');
    // Refused uploads leave neither a library row nor a stored file.
    expect((await site.api.contentLibrary()).fileCount).toBe(filesBefore);
    expect(stored()).toBe(onDiskBefore);
    // A module with no .modinfo fields is still a module (no aliases): accepted.
    expect((await upload(bad)).modules[0]?.aliases).toEqual([]);
    expect((await site.api.call(ops.drivers.list, {})).total).toBe(before + 1);
  });

  it.skipIf(skip)(
    'is driven from the CLI: import with categories, list, match, set, --json',
    async () => {
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      const cli = async (...args: string[]) => {
        const r = await exec(STEWARD, args, { env });
        if (r.code !== 0) throw new Error(`steward ${args.join(' ')}: ${r.stdout}${r.stderr}`);
        return r.stdout;
      };
      const deb = buildDriverPackage(dir, {
        name: 'steward-test-cli',
        version: '2.0',
        modules: [
          {
            path: 'lib/modules/6.1.0-18-amd64/updates/cli.ko',
            modinfo: [['alias', 'pci:v000010DEd00001234sv*sd*bc*sc*i*']],
          },
        ],
      });
      const imported: unknown = JSON.parse(
        await cli('driver', 'import', deb, '--category', 'gpu', '--category', 'lab', '--json'),
      );
      expect(imported).toMatchObject({ package: 'steward-test-cli', categories: ['gpu', 'lab'] });
      expect(await cli('driver', 'list', '--category', 'gpu')).toMatch(
        /steward-test-cli\s+2\.0\s+enabled/,
      );
      expect(await cli('driver', 'match', deviceIds[0] ?? '')).toMatch(
        /NVIDIA GPU.*steward-test-cli 2\.0/,
      );
      await cli('driver', 'set', 'steward-test-cli', '--disable', '--clear-categories');
      const shown: unknown = JSON.parse(await cli('driver', 'show', 'steward-test-cli', '--json'));
      expect(shown).toMatchObject({ enabled: false, categories: [] });
      await cli('driver', 'delete', 'steward-test-cli');
      const r = await exec(STEWARD, ['driver', 'show', 'steward-test-cli'], { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/does not exist/);
    },
  );

  it.skipIf(skip)('deletes a driver, which is then gone', async () => {
    const d = await site.api.call(ops.drivers.get, { params: { id: 'steward-test-bad' } });
    await site.api.call(ops.drivers.delete, { params: { id: d.id } });
    expect((await refusal(site.api.call(ops.drivers.get, { params: { id: d.id } }))).code).toBe(
      'DRIVER_NOT_FOUND',
    );
  });
});
