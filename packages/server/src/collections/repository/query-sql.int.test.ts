import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CLASSES, validateQuery, type InventoryClassShape } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import type { SiteContext } from '../../context.js';
import { compileQueryFor } from './query-sql.js';
import {
  insertDevices,
  setInventory,
  type DeviceFixture,
} from '../../../test/support/collections.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of query-sql.int.test.ts are SKIPPED',
  );

const catalog: InventoryClassShape[] = [
  ...BUILTIN_CLASSES,
  {
    name: 'app',
    description: 'custom single-instance',
    multiInstance: false,
    properties: { version: 'version', channel: 'string' },
  },
  {
    name: 'javaRuntime',
    description: 'custom multi-instance',
    multiInstance: true,
    properties: { vendor: 'string', version: 'version' },
  },
];

const INJECTION_NAME = "Robert'); DROP TABLE device;--";
const INJECTION_FAMILY = "x' or '1'='1";
// dpkg order: 1.0~rc1 < 1.0 < 1.0-1 < 1:0.9 (the epoch wins).
const DPKG_ORDER = ['1.0~rc1', '1.0', '1.0-1', '1:0.9'];

const fleet: DeviceFixture[] = [
  {
    id: 'd1',
    name: 'web-1',
    agentVersion: '1.2.0',
    lastContactAt: '2026-01-20T10:00:00.000Z',
    classes: {
      os: [{ family: 'debian', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-18-amd64' }],
      machine: [{ type: 'server', hasBattery: false, bootTime: '2026-01-10T08:00:00.000Z' }],
      memory: [{ totalMb: 4096 }],
      disk: [
        { mountPoint: '/', freeMb: 500, fsType: 'ext4' },
        { mountPoint: '/var', freeMb: 20000, fsType: 'xfs' },
      ],
      javaRuntime: [
        { vendor: 'Temurin', version: '17.0.9' },
        { vendor: 'Temurin', version: '21.0.1' },
      ],
      firmware: [{ vendor: 'Dell Inc.', version: '1.21', releaseDate: '2023-03-15T00:00:00.000Z' }],
      listeningPort: [
        { protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd', pid: 812 },
        { protocol: 'tcp', address: '127.0.0.1', port: 5432, process: 'postgres', pid: 913 },
      ],
      storageDevice: [{ name: 'sda', rotational: true, sizeMb: 1907729, transport: 'sata' }],
      localUser: [{ name: 'alice', uid: 1000, system: false }],
    },
    packages: [
      { name: 'postgresql-15', version: '15.5-0+deb12u1' },
      { name: 'curl', version: '7.88.1-10+deb12u5' },
    ],
  },
  {
    id: 'd2',
    name: 'web-2',
    agentVersion: '1.10.0',
    lastContactAt: '2026-01-10T10:00:00.000Z',
    classes: {
      os: [
        { family: 'debian', name: 'Debian GNU/Linux', version: '11', kernel: '5.10.0-28-amd64' },
      ],
      machine: [{ type: 'server' }],
      memory: [{ totalMb: 2048 }],
      disk: [{ mountPoint: '/', freeMb: 50000, fsType: 'ext4' }],
      firmware: [{ vendor: 'SeaBIOS', version: '1.16.2', releaseDate: '2014-04-01T00:00:00.000Z' }],
      listeningPort: [{ protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd', pid: 700 }],
      pciDevice: [{ vendorId: '10de', deviceId: '1eb8', driver: null }],
      storageDevice: [{ name: 'vda', rotational: false, sizeMb: 262144, transport: 'virtio' }],
      localUser: [{ name: 'root', uid: 0, system: true }],
    },
    packages: [{ name: 'curl', version: '7.74.0-1.3+deb11u11' }],
  },
  {
    id: 'd3',
    name: 'laptop-1',
    classes: {
      os: [{ family: 'rhel', name: 'Rocky Linux', version: '9.3' }],
      machine: [{ type: 'laptop', hasBattery: true }],
      memory: [{ totalMb: 16384 }],
    },
  },
  {
    id: 'd4',
    name: INJECTION_NAME,
    // A value of the wrong JSON type (text where a number belongs) counts as missing.
    classes: {
      os: [{ family: INJECTION_FAMILY, name: `evil" or 1=1 --` }],
      memory: [{ totalMb: '8192' }],
    },
  },
  {
    id: 'd5',
    name: 'revoked',
    revoked: true,
    classes: { os: [{ family: 'debian' }] },
    packages: [{ name: 'curl', version: '7.88.1-10+deb12u5' }],
  },
  ...DPKG_ORDER.map((version, i) => ({
    id: `v${i + 1}`,
    name: `versioned-${i + 1}`,
    agentVersion: version,
    classes: { app: [{ version, channel: 'stable' }], javaRuntime: [{ vendor: 'Zulu', version }] },
    packages: [{ name: 'demo', version }],
  })),
  { id: 'p1', name: '100%-sure' },
  { id: 'p2', name: '1000-x' },
];

const ALL = ['d1', 'd2', 'd3', 'd4', 'p1', 'p2', 'v1', 'v2', 'v3', 'v4'];
const without = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

const cases: [string, string[]][] = [
  // comparisons on single-instance classes
  ['os.family = "debian"', ['d1', 'd2']],
  ['OS.Family = "debian"', ['d1', 'd2']],
  ['os.family = "Debian"', []],
  ['os.family != "debian"', ['d3', 'd4']],
  ['not os.family = "debian"', without('d1', 'd2')],
  ['memory.totalMb >= 3072', ['d1', 'd3']],
  ['memory.totalMb > 4096', ['d3']],
  ['memory.totalMb <= 4096', ['d1', 'd2']],
  ['memory.totalMb < 3072.5', ['d2']],
  ['memory.totalMb = 2048', ['d2']],
  ['memory.totalMb != 2048', ['d1', 'd3']],
  ['memory.totalMb in (2048, 4096)', ['d1', 'd2']],
  ['memory.totalMb not in (2048, 4096)', ['d3']],
  ['memory.totalMb > -1', ['d1', 'd2', 'd3']],
  ['memory.totalMb is null', without('d1', 'd2', 'd3')],
  ['memory.totalMb is not null', ['d1', 'd2', 'd3']],
  ['machine.hasBattery = true', ['d3']],
  ['machine.hasBattery = false', ['d1']],
  ['machine.hasBattery != true', ['d1']],
  ['machine.type in ("server", "laptop")', ['d1', 'd2', 'd3']],
  // like: case-insensitive, % and _, escaped wildcards
  ['os.name like "debian%"', ['d1', 'd2']],
  ['os.name like "%LINUX"', ['d1', 'd2', 'd3']],
  ['os.name like "rocky%"', ['d3']],
  ['os.name not like "%linux%"', ['d4']],
  ['device.name like "web-_"', ['d1', 'd2']],
  ['device.name like "100%"', ['p1', 'p2']],
  [String.raw`device.name like "100\%%"`, ['p1']],
  [String.raw`device.name like "100\_%"`, []],
  // precedence
  ['os.family = "debian" or os.family = "rhel" and memory.totalMb < 3000', ['d1', 'd2']],
  ['(os.family = "debian" or os.family = "rhel") and memory.totalMb < 3000', ['d2']],
  ['not os.family = "debian" and memory.totalMb > 0', ['d3']],
  ['not (os.family = "debian" and memory.totalMb > 0)', without('d1', 'd2')],
  // any() over JSON instances
  ['any(disk, freeMb < 1000)', ['d1']],
  ['any(disk, freeMb < 1000 and mountPoint = "/var")', []],
  ['any(disk, mountPoint = "/var" and disk.fsType = "xfs")', ['d1']],
  ['not any(disk, freeMb < 1000)', without('d1')],
  ['any(disk, not fsType = "ext4")', ['d1']],
  ['any(disk, freeMb > 10000 and os.version = "11")', ['d2']],
  // any() over package sets, versions in dpkg order via version_key
  ['any(package, name = "curl")', ['d1', 'd2']],
  ['not any(package, name = "curl")', without('d1', 'd2')],
  ['any(package, name = "curl" and version >= "7.88")', ['d1']],
  ['any(package, name = "curl" and version < "7.88")', ['d2']],
  ['any(package, name like "POSTGRESQL-%")', ['d1']],
  ['any(package, name = "curl" and version like "%deb11%")', ['d2']],
  ['any(package, name = "demo" and version > "1.0")', ['v3', 'v4']],
  ['any(package, name = "demo" and version < "1.0")', ['v1']],
  ['any(package, name = "demo" and version = "1.00")', ['v2']],
  ['any(package, name = "demo" and version != "1.0")', ['v1', 'v3', 'v4']],
  ['any(package, name = "demo" and version >= "1.0~rc1")', ['v1', 'v2', 'v3', 'v4']],
  ['any(package, name = "demo" and version in ("1.0-1", "1:0.9"))', ['v3', 'v4']],
  ['any(package, name = "demo" and version not in ("1.0-1", "1:0.9"))', ['v1', 'v2']],
  ['any(package, name = "demo" and version > "1.0-1")', ['v4']],
  // JSON-held versions in dpkg order (value sets)
  ['app.version > "1.0"', ['v3', 'v4']],
  ['app.version <= "1.0"', ['v1', 'v2']],
  ['app.version = "1.00"', ['v2']],
  ['app.version != "1.0"', ['v1', 'v3', 'v4']],
  ['app.version in ("1.0~rc1", "1:0.9")', ['v1', 'v4']],
  ['app.version not in ("1.0~rc1", "1:0.9")', ['v2', 'v3']],
  ['app.version like "1.0%"', ['v1', 'v2', 'v3']],
  ['any(javaRuntime, version >= "1:0")', ['v4']],
  ['any(javaRuntime, vendor = "Temurin" and version >= "21")', ['d1']],
  ['any(javaRuntime, version > "1.0" and version < "1:0")', ['d1', 'v3']],
  ['os.kernel >= "6"', ['d1']],
  ['os.version >= "9.3"', ['d1', 'd2', 'd3']],
  ['device.agentVersion > "1.9"', ['d2', 'v4']],
  ['device.agentVersion < "1.0-1"', ['v1', 'v2']],
  // hardware and system classes collected from /sys, /proc and /etc
  ['any(listeningPort, port = 5432 and process = "postgres")', ['d1']],
  ['any(listeningPort, port = 22)', ['d1', 'd2']],
  ['not any(listeningPort, port = 5432)', without('d1')],
  ['firmware.releaseDate < "2020-01-01"', ['d2']],
  ['firmware.vendor like "dell%"', ['d1']],
  ['any(storageDevice, rotational = true and sizeMb > 1000000)', ['d1']],
  ['any(pciDevice, vendorId = "10de" and driver is null)', ['d2']],
  ['any(localUser, system = false)', ['d1']],
  // device columns and datetimes
  ['device.id in ("d1", "v2")', ['d1', 'v2']],
  ['device.lastContactAt > "2026-01-15"', ['d1']],
  ['device.lastContactAt is null', without('d1', 'd2')],
  ['not device.lastContactAt > "2026-01-15"', without('d1')],
  ['machine.bootTime < "2026-01-10T09:00:00+00:00"', ['d1']],
  ['device.enrolledAt >= "2026-01-01"', ALL],
  // SQL injection attempts match literally and harm nothing
  [`os.family = "${INJECTION_FAMILY}"`, ['d4']],
  [`os.family = 'x\\' or \\'1\\'=\\'1'`, ['d4']],
  [`device.name = "Robert'); DROP TABLE device;--"`, ['d4']],
  [`os.name = "evil\\" or 1=1 --"`, ['d4']],
  [`os.name like "%' or 1=1; drop table device_inventory; --%"`, []],
  [`any(package, name = "curl'; delete from package_set_item; --")`, []],
  [`app.version = "1'); drop table device; --"`, []],
];

describe.each(testDialects)('query compiled to SQL on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      await insertDevices(ctx.db.kysely, fleet);
    });
    afterAll(async () => cleanup?.());

    async function match(text: string): Promise<string[]> {
      const checked = validateQuery(text, catalog);
      if (!checked.ok) throw new Error(`${text}: ${checked.error.message}`);
      const db = ctx.db.kysely;
      const expr = await compileQueryFor(db, dialect, checked.query);
      const rows = await db
        .selectFrom('device as d')
        .select('d.id')
        .where('d.revoked_at', 'is', null)
        .where(expr)
        .orderBy('d.id')
        .execute();
      return rows.map((r) => r.id);
    }

    it.each(cases)('%s', async (text, expected) => {
      expect(await match(text)).toEqual([...expected].sort());
    });

    it('left every table intact after the injection attempts', async () => {
      const db = ctx.db.kysely;
      const devices = await db
        .selectFrom('device')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      const items = await db
        .selectFrom('package_set_item')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      expect(Number(devices?.n)).toBe(fleet.length);
      expect(Number(items?.n)).toBeGreaterThan(0);
    });

    it('compiles a long or-chain without hitting expression depth limits', async () => {
      const text = Array.from({ length: 1500 }, (_, i) => `memory.totalMb = ${i * 2}`).join(' or ');
      expect(await match(text)).toEqual(['d2']);
    });

    it('sees a version that appears after the first evaluation (value sets are read each time)', async () => {
      await setInventory(ctx.db.kysely, 'p2', 'app', [{ version: '2.0' }]);
      expect(await match('app.version > "1:0.9"')).toEqual([]);
      expect(await match('app.version > "1.0-1"')).toEqual(['p2', 'v4']);
      await setInventory(ctx.db.kysely, 'p2', 'app', null);
    });
  });
});
