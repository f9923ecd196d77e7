/**
 * The device list's columns and saved views (issue 12, ADR 0034): inventory-backed columns
 * resolved with the page (built-in and custom classes), sorting by them, refusal of an unknown
 * column, and saved views' CRUD, privacy and validation, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, type DeviceSummary } from '@steward/protocol';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

const disk = (mountPoint: string, freeMb: number) => ({
  device: `/dev/${mountPoint === '/' ? 'sda1' : 'sdb1'}`,
  mountPoint,
  fsType: 'ext4',
  sizeMb: 100_000,
  freeMb,
});

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

const names = (items: DeviceSummary[]) => items.map((d) => d.name);

describe.each(dialects)('device columns and saved views (%s)', (dialect) => {
  let site: Site;
  let other: ApiClient;
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    await site.api.createInventoryClass({
      name: 'assetTag',
      description: 'Asset tag file',
      multiInstance: false,
      source: { kind: 'file', path: '/nonexistent/asset.conf', format: 'keyvalue' },
      properties: [{ name: 'tag', type: 'string', from: 'ASSET_TAG' }],
    });
    await enrolInventoryDevices(site.api, [
      {
        hostname: 'col-b',
        classes: {
          machine: [{ serialNumber: 'SN-300', type: 'server' }],
          cpu: [{ model: 'Xeon', cores: 16 }],
          disk: [disk('/', 5000), disk('/data', 90_000)],
          assetTag: [{ tag: 'AT-2' }],
        },
      },
      {
        hostname: 'col-a',
        classes: {
          machine: [{ serialNumber: 'SN-100', type: 'desktop' }],
          cpu: [{ model: 'Core i7', cores: 8 }],
          disk: [disk('/', 20_000)],
          assetTag: [{ tag: 'AT-9' }],
        },
      },
      {
        hostname: 'col-c',
        classes: { machine: [{ serialNumber: 'SN-200', type: 'laptop' }], cpu: [{ cores: 4 }] },
      },
    ]);
    await site.api.createUser({
      name: 'bob',
      password: 'bob-password-1',
      role: 'read-only-analyst',
    });
    other = new ApiClient({ baseUrl: site.adminUrl });
    other.setToken((await other.login('bob', 'bob-password-1')).token);
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)('returns the inventory-backed columns asked for, for the page', async () => {
    const page = await site.api.listDevices({
      search: 'col-',
      columns:
        'name,serial,freeDisk,inventory.cpu.model,inventory.disk.mountPoint,inventory.assetTag.tag',
    });
    expect(names(page.items)).toEqual(['col-a', 'col-b', 'col-c']);
    const byName = new Map(page.items.map((d) => [d.name, d.values]));
    expect(byName.get('col-b')).toEqual({
      serial: 'SN-300',
      freeDisk: 5000,
      'inventory.cpu.model': 'Xeon',
      'inventory.disk.mountPoint': ['/', '/data'],
      'inventory.assetTag.tag': 'AT-2',
    });
    // No such instance or property: null (one value) or an empty list (multi-instance).
    expect(byName.get('col-c')).toEqual({
      serial: 'SN-200',
      freeDisk: null,
      'inventory.cpu.model': null,
      'inventory.disk.mountPoint': [],
      'inventory.assetTag.tag': null,
    });
    // No columns asked for: no values at all.
    const plain = await site.api.listDevices({ search: 'col-' });
    expect(plain.items.every((d) => d.values === undefined)).toBe(true);
  });

  it.skipIf(skip)('sorts by inventory columns, missing values last', async () => {
    const bySerial = await site.api.listDevices({ search: 'col-', sort: 'serial', order: 'desc' });
    expect(names(bySerial.items)).toEqual(['col-b', 'col-c', 'col-a']);
    const byDisk = await site.api.listDevices({ search: 'col-', sort: 'freeDisk' });
    expect(names(byDisk.items)).toEqual(['col-b', 'col-a', 'col-c']);
    const byCores = await site.api.listDevices({ search: 'col-', sort: 'inventory.cpu.cores' });
    expect(names(byCores.items)).toEqual(['col-c', 'col-a', 'col-b']);
    const byTag = await site.api.listDevices({
      search: 'col-',
      sort: 'inventory.assetTag.tag',
      order: 'desc',
    });
    expect(names(byTag.items)).toEqual(['col-a', 'col-b', 'col-c']);
    const paged = await site.api.listDevices({
      search: 'col-',
      sort: 'inventory.cpu.cores',
      order: 'desc',
      offset: 1,
      limit: 1,
    });
    expect(names(paged.items)).toEqual(['col-a']);
    expect(paged.total).toBe(3);
  });

  it.skipIf(skip)('refuses an unknown column or sort key with a stable code', async () => {
    for (const q of [
      { columns: 'name,inventory.cpu.nope' },
      { columns: 'inventory.noSuchClass.x' },
      { columns: 'inventory.package.name' },
      { columns: 'colour' },
      { sort: 'inventory.cpu.nope' as const },
    ]) {
      const err = await refusal(site.api.listDevices(q));
      expect(err.status, JSON.stringify(q)).toBe(400);
      expect(err.code, JSON.stringify(q)).toBe('DEVICE_COLUMN_UNKNOWN');
    }
  });

  it.skipIf(skip)('saves, renames, updates, defaults and deletes a view', async () => {
    const state = {
      search: 'col-',
      sort: 'inventory.cpu.cores' as const,
      order: 'desc' as const,
      columns: ['name', 'inventory.cpu.model', 'serial'],
      density: 'compact' as const,
    };
    const view = await site.api.createView({ name: 'Cores', state });
    expect(view).toMatchObject({ name: 'Cores', owner: 'admin', shared: false, isDefault: false });
    expect(view.state).toEqual(state);
    expect((await site.api.getView('Cores')).id).toBe(view.id);

    const taken = await refusal(site.api.createView({ name: 'Cores', state }));
    expect([taken.status, taken.code]).toEqual([409, 'VIEW_NAME_TAKEN']);

    const renamed = await site.api.updateView(view.id, { name: 'By cores', shared: true });
    expect(renamed).toMatchObject({ name: 'By cores', shared: true });
    const restated = await site.api.updateView(view.id, {
      state: { ...state, columns: ['name', 'freeDisk'] },
    });
    expect(restated.state.columns).toEqual(['name', 'freeDisk']);
    expect(restated.name).toBe('By cores');

    expect((await site.api.setDefaultView(view.id)).isDefault).toBe(true);
    expect(
      (await site.api.listViews({ list: 'devices' })).find((v) => v.id === view.id)?.isDefault,
    ).toBe(true);
    await site.api.clearDefaultView(view.id);
    expect((await site.api.getView(view.id)).isDefault).toBe(false);

    await site.api.deleteView(view.id);
    const gone = await refusal(site.api.getView(view.id));
    expect([gone.status, gone.code]).toEqual([404, 'VIEW_NOT_FOUND']);
  });

  it.skipIf(skip)('keeps private views private and shared views read only', async () => {
    const state = { columns: ['name', 'status'] };
    const mine = await site.api.createView({ name: 'Private one', state });
    const shared = await site.api.createView({ name: 'Team view', state, shared: true });

    const seen = await other.listViews();
    expect(seen.map((v) => v.name)).toContain('Team view');
    expect(seen.map((v) => v.name)).not.toContain('Private one');
    // One request at a time: a second one made up front could be refused before the first is
    // awaited, and its rejection would be unhandled meanwhile.
    for (const ask of [() => other.getView(mine.id), () => other.getView('Private one')]) {
      expect((await refusal(ask())).code).toBe('VIEW_NOT_FOUND');
    }
    expect((await refusal(other.deleteView(mine.id))).code).toBe('VIEW_NOT_FOUND');
    const notOwner = await refusal(other.updateView(shared.id, { name: 'Mine now' }));
    expect([notOwner.status, notOwner.code]).toEqual([403, 'VIEW_NOT_OWNER']);
    expect((await refusal(other.deleteView(shared.id))).code).toBe('VIEW_NOT_OWNER');

    // Bob may default to the shared view, and save his own of the same name.
    expect((await other.setDefaultView('Team view')).isDefault).toBe(true);
    const bobs = await other.createView({ name: 'Team view', state });
    expect(bobs.owner).toBe('bob');
    expect((await other.getView('Team view')).id).toBe(bobs.id);
    // Unsharing drops Bob's default and hides it from him.
    await site.api.updateView(shared.id, { shared: false });
    expect((await other.listViews()).map((v) => v.id)).not.toContain(shared.id);
  });

  it.skipIf(skip)('validates a view: columns of the catalogue, a name, known fields', async () => {
    const unknown = await refusal(
      site.api.createView({ name: 'Bad', state: { columns: ['name', 'inventory.cpu.nope'] } }),
    );
    expect([unknown.status, unknown.code]).toEqual([400, 'DEVICE_COLUMN_UNKNOWN']);
    const badSort = await refusal(
      site.api.createView({
        name: 'Bad sort',
        state: { columns: ['name'], sort: 'inventory.noClass.x' },
      }),
    );
    expect(badSort.code).toBe('DEVICE_COLUMN_UNKNOWN');
    const empty = await refusal(site.api.createView({ name: '', state: { columns: ['name'] } }));
    expect([empty.status, empty.code]).toEqual([400, 'INVALID_INPUT']);
    const noColumns = await refusal(site.api.createView({ name: 'None', state: { columns: [] } }));
    expect(noColumns.code).toBe('INVALID_INPUT');
    expect((await site.api.listViews()).map((v) => v.name)).not.toContain('Bad');
  });

  it.skipIf(skip)(
    'lists chosen columns and saves, uses and deletes views from the CLI',
    async () => {
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      const steward = async (...args: string[]) => {
        const r = await exec(STEWARD, args, { env });
        expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
        return r.stdout;
      };
      const table = await steward(
        'device',
        'list',
        '--search',
        'col-',
        '--columns',
        'name,serial,inventory.cpu.model',
        '--sort',
        'serial',
        '--desc',
      );
      const rows = table.trim().split('\n');
      expect(rows[0]).toMatch(/^NAME\s+SERIAL NUMBER\s+CPU\.MODEL/);
      expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2))).toEqual([
        ['col-b', 'SN-300'],
        ['col-c', 'SN-200'],
        ['col-a', 'SN-100'],
      ]);
      await steward(
        'view',
        'save',
        'CLI cores',
        '--search',
        'col-',
        '--sort',
        'inventory.cpu.cores',
        '--columns',
        'name,inventory.cpu.cores',
        '--shared',
      );
      const views: unknown = JSON.parse(await steward('view', 'list', '--json'));
      expect(views).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'CLI cores', shared: true, owner: 'admin' }),
        ]),
      );
      const listed: unknown = JSON.parse(
        await steward('device', 'list', '--view', 'CLI cores', '--json'),
      );
      expect(listed).toMatchObject({
        total: 3,
        items: [
          { name: 'col-c', values: { 'inventory.cpu.cores': 4 } },
          { name: 'col-a', values: { 'inventory.cpu.cores': 8 } },
          { name: 'col-b', values: { 'inventory.cpu.cores': 16 } },
        ],
      });
      const bad = await exec(STEWARD, ['device', 'list', '--columns', 'name,inventory.cpu.nope'], {
        env,
      });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('cpu has no property "nope"');
      await steward('view', 'delete', 'CLI cores');
      const after: unknown = JSON.parse(await steward('view', 'list', '--json'));
      expect(JSON.stringify(after)).not.toContain('CLI cores');
    },
  );
});
