import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_CLASSES,
  type InstalledPackage,
  type InventoryReportBody,
} from '@steward/protocol';
import { packageSetHash } from '@steward/protocol/node';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { applyInventoryReport } from './ingest.js';
import { toNumber } from '../db/database.js';
import { insertDevice } from '../devices/repository.js';

const hasPg = await postgresReachable();
const catalog = new Map(BUILTIN_CLASSES.map((c) => [c.name, c]));
const pkg = (name: string, version: string): InstalledPackage => ({
  name,
  version,
  arch: 'amd64',
  manager: 'dpkg',
});
const IMAGE = [
  pkg('bash', '5.2.15-2+b7'),
  pkg('openssl', '3.0.11-1~deb12u2'),
  pkg('dpkg', '1.21.22'),
];

async function addDevice(ctx: SiteContext, id: string): Promise<void> {
  await insertDevice(ctx.db.kysely, {
    id,
    name: id,
    keyHash: 'x',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    enrolmentTokenId: null,
    osFamily: null,
    agentVersion: null,
    lastContactAt: null,
  });
}

function full(
  packages: InstalledPackage[],
  extra: Partial<InventoryReportBody> = {},
): InventoryReportBody {
  return {
    kind: 'full',
    collectedAt: '2026-11-22T10:00:00.000Z',
    classes: {
      os: [{ family: 'debian', name: 'Debian GNU/Linux', version: '12', hostname: 'h' }],
      memory: [{ totalMb: '4096' }],
      disk: [{ mountPoint: '/', freeMb: 100 }],
    },
    packages: { kind: 'full', hash: packageSetHash(packages), items: packages },
    ...extra,
  };
}

describe.each(testDialects)('inventory ingest on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  const skip = dialect === 'postgres' && !hasPg;
  beforeEach(async () => {
    if (skip) return;
    ({ ctx, cleanup } = await createTestContext(dialect));
    for (const id of ['a', 'b', 'c']) await addDevice(ctx, id);
  });
  afterEach(async () => {
    if (!skip) await cleanup();
  });
  const apply = (id: string, body: InventoryReportBody, at = '2026-11-22T10:00:00.000Z') =>
    ctx.db.kysely.transaction().execute((tx) => applyInventoryReport(tx, id, body, at, catalog));

  it.skipIf(skip)('stores one package set for devices built from the same image', async () => {
    for (const id of ['a', 'b', 'c']) await apply(id, full(IMAGE));
    const sets = await ctx.db.kysely
      .selectFrom('package_set')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const items = await ctx.db.kysely
      .selectFrom('package_set_item')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(toNumber(sets?.n)).toBe(1);
    expect(toNumber(items?.n)).toBe(3);
    const devices = await ctx.db.kysely
      .selectFrom('device')
      .select(['package_set_id', 'package_count', 'memory_total_mb', 'os_family'])
      .execute();
    expect(new Set(devices.map((d) => d.package_set_id))).toEqual(new Set([packageSetHash(IMAGE)]));
    expect(
      devices.every(
        (d) =>
          d.package_count === 3 && Number(d.memory_total_mb) === 4096 && d.os_family === 'debian',
      ),
    ).toBe(true);
  });

  it.skipIf(skip)(
    'applies package deltas, records the change, and asks for a resync when the base differs',
    async () => {
      await apply('a', full(IMAGE));
      const next = [
        ...IMAGE.filter((p) => p.name !== 'openssl'),
        pkg('openssl', '3.0.13-1~deb12u1'),
        pkg('curl', '7.88.1-10'),
      ];
      const delta: InventoryReportBody = {
        kind: 'delta',
        collectedAt: '2026-11-22T11:00:00.000Z',
        classes: {},
        packages: {
          kind: 'delta',
          baseHash: packageSetHash(IMAGE),
          hash: packageSetHash(next),
          added: [pkg('openssl', '3.0.13-1~deb12u1'), pkg('curl', '7.88.1-10')],
          removed: [pkg('openssl', '3.0.11-1~deb12u2')],
        },
      };
      const r = await apply('a', delta, '2026-11-22T11:00:00.000Z');
      expect(r.resync).toBeNull();
      expect(r.changedClasses).toEqual(['package']);
      const dev = await ctx.db.kysely
        .selectFrom('device')
        .select(['package_set_id', 'package_count', 'inventory_resync'])
        .where('id', '=', 'a')
        .executeTakeFirstOrThrow();
      expect(dev).toEqual({
        package_set_id: packageSetHash(next),
        package_count: 4,
        inventory_resync: 0,
      });
      const history = await ctx.db.kysely
        .selectFrom('inventory_change')
        .selectAll()
        .where('device_id', '=', 'a')
        .where('class_name', '=', 'package')
        .execute();
      expect(history).toHaveLength(1);
      // The same delta again: its base is no longer what the site holds.
      const again = await apply('a', delta, '2026-11-22T12:00:00.000Z');
      expect(again.resync).toMatch(/package delta is based on/);
      const flagged = await ctx.db.kysely
        .selectFrom('device')
        .select('inventory_resync')
        .where('id', '=', 'a')
        .executeTakeFirstOrThrow();
      expect(flagged.inventory_resync).toBe(1);
      await apply('a', full(next));
      const cleared = await ctx.db.kysely
        .selectFrom('device')
        .select('inventory_resync')
        .where('id', '=', 'a')
        .executeTakeFirstOrThrow();
      expect(cleared.inventory_resync).toBe(0);
    },
  );

  it.skipIf(skip)(
    'keeps a class whose collector failed in a full report, drops a class that is gone',
    async () => {
      await apply('a', full(IMAGE));
      const withoutDisk = full(IMAGE);
      delete withoutDisk.classes.disk;
      await apply('a', { ...withoutDisk, failedClasses: ['disk'] }, '2026-11-22T11:00:00.000Z');
      const kept = await ctx.db.kysely
        .selectFrom('device_inventory')
        .select('class_name')
        .where('device_id', '=', 'a')
        .execute();
      expect(kept.map((r) => r.class_name).sort()).toEqual(['disk', 'memory', 'os']);
      await apply('a', withoutDisk, '2026-11-22T12:00:00.000Z');
      const gone = await ctx.db.kysely
        .selectFrom('device_inventory')
        .select('class_name')
        .where('device_id', '=', 'a')
        .execute();
      expect(gone.map((r) => r.class_name).sort()).toEqual(['memory', 'os']);
      const history = await ctx.db.kysely
        .selectFrom('inventory_change')
        .select(['class_name', 'removed'])
        .where('device_id', '=', 'a')
        .execute();
      expect(history.map((h) => h.class_name)).toEqual(['disk']);
    },
  );

  it.skipIf(skip)('records changed instances in the history and normalises types', async () => {
    await apply('a', full(IMAGE));
    await apply(
      'a',
      {
        kind: 'delta',
        collectedAt: '2026-11-22T11:00:00.000Z',
        classes: { disk: [{ mountPoint: '/', freeMb: '50' }] },
      },
      '2026-11-22T11:00:00.000Z',
    );
    const change = await ctx.db.kysely
      .selectFrom('inventory_change')
      .selectAll()
      .where('device_id', '=', 'a')
      .executeTakeFirstOrThrow();
    const parse = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
    expect(change.class_name).toBe('disk');
    expect(parse(change.added)).toEqual([{ mountPoint: '/', freeMb: 50 }]);
    expect(parse(change.removed)).toEqual([{ mountPoint: '/', freeMb: 100 }]);
  });
  it.skipIf(skip)(
    'takes the /sys and /proc classes in full reports, deltas and a full resync',
    async () => {
      const ports = [
        {
          protocol: 'tcp',
          family: 'ipv4',
          address: '0.0.0.0',
          port: 22,
          pid: 812,
          process: 'sshd',
        },
      ];
      const hardware = {
        firmware: [{ vendor: 'Dell Inc.', version: '1.21', releaseDate: '03/15/2023' }],
        pciDevice: [{ address: '0000:00:17.0', vendorId: '8086', driver: 'ahci' }],
        storageDevice: [{ name: 'sda', sizeMb: '1907729', rotational: '1' }],
        localUser: [{ name: 'alice', uid: '1000', system: false }],
        listeningPort: ports,
      };
      const base = full(IMAGE);
      await apply('a', { ...base, classes: { ...base.classes, ...hardware } });
      const stored = async (className: string): Promise<unknown> => {
        const row = await ctx.db.kysely
          .selectFrom('device_inventory')
          .select('data')
          .where('device_id', '=', 'a')
          .where('class_name', '=', className)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        // jsonb comes back parsed on PostgreSQL, as text on SQLite.
        return typeof row.data === 'string' ? (JSON.parse(row.data) as unknown) : row.data;
      };
      // Normalised to the declared types, so queries compare numbers and booleans as such.
      expect(await stored('storageDevice')).toEqual([
        { name: 'sda', sizeMb: 1907729, rotational: true },
      ]);
      expect(await stored('firmware')).toEqual([
        { vendor: 'Dell Inc.', version: '1.21', releaseDate: '2023-03-15T00:00:00.000Z' },
      ]);

      // A delta carrying only the class that changed: a new listener.
      const opened = [
        ...ports,
        {
          protocol: 'tcp',
          family: 'ipv4',
          address: '127.0.0.1',
          port: 5432,
          pid: 913,
          process: 'postgres',
        },
      ];
      const r = await apply(
        'a',
        {
          kind: 'delta',
          collectedAt: '2026-11-22T11:00:00.000Z',
          classes: { listeningPort: opened },
        },
        '2026-11-22T11:00:00.000Z',
      );
      expect(r).toEqual({ resync: null, changedClasses: ['listeningPort'] });
      expect(await stored('listeningPort')).toEqual(opened);
      expect(await stored('pciDevice')).toEqual(hardware.pciDevice);
      const history = await ctx.db.kysely
        .selectFrom('inventory_change')
        .select(['class_name', 'added', 'removed'])
        .where('device_id', '=', 'a')
        .execute();
      const parse = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
      expect(history.map((h) => [h.class_name, parse(h.added), parse(h.removed)])).toEqual([
        ['listeningPort', [opened[1]], []],
      ]);

      // Full resync: USB collector failed (kept), localUser no longer reported (dropped).
      const resync = full(IMAGE);
      await apply(
        'a',
        {
          ...resync,
          classes: {
            ...resync.classes,
            firmware: hardware.firmware,
            pciDevice: [],
            listeningPort: opened,
            storageDevice: hardware.storageDevice,
          },
          failedClasses: ['usbDevice', 'localUser'],
        },
        '2026-11-22T12:00:00.000Z',
      );
      expect(await stored('pciDevice')).toEqual([]);
      expect(await stored('localUser')).toEqual([{ name: 'alice', uid: 1000, system: false }]);
      await apply(
        'a',
        { ...resync, classes: { ...resync.classes, listeningPort: opened } },
        '2026-11-22T13:00:00.000Z',
      );
      expect(await stored('localUser')).toBeUndefined();
      expect(await stored('firmware')).toBeUndefined();
      expect(await stored('listeningPort')).toEqual(opened);
    },
  );
});
