import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  armorKeyring,
  evaluateCatalog,
  parseDpkgStatus,
  type DeviceUpdateCompliance,
  type InstalledPackage,
  type UpdateSync,
} from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../test-support/apt-repo.js';
import {
  createDpkgSandbox,
  holdPackages,
  installPackages,
  readStatus,
  type DpkgSandbox,
} from '../../../test-support/dpkg-sandbox.js';
import { waitFor } from '../../../test-support/site.js';
import { createTestContext, postgresReachable, testDialects } from './support/db.js';
import { ADMIN, insertDevice, setPackages } from './support/collections.js';
import type { SiteContext } from '../src/context.js';
import { UpdateCatalogService } from '../src/updates/service.js';
import { UpdateComplianceService } from '../src/updates/compliance/service.js';
import { storeUpdateScans } from '../src/updates/compliance/scan-repository.js';
import { revokeDevice } from '../src/devices/repository.js';
import { revokeDevices } from '../src/devices/bulk-repository.js';
import { deleteDevice } from '../src/monitoring/activity-repository.js';
import { collectUnusedPackageSets } from '../src/inventory/package-set-repository.js';

// Server-side applicability (per package set, SQL) and the agent's scan (dpkg status, dpkg's
// version order) must give the same answer on the same machines (issue 10, ADR 0047).
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of update-compliance are SKIPPED');

const CATALOG: TestPackage[] = [
  { name: 'libfoo1', version: '1.2-3+deb12u1', source: 'foo' },
  { name: 'foo-data', version: '1.2-3+deb12u1', source: 'foo', architecture: 'all' },
  { name: 'bar', version: '2:1.0-1' },
  { name: 'baz', version: '1.0~rc2-1' },
  { name: 'absent', version: '9.9' },
];

/** Machines: what dpkg installs on each, and which packages are held. */
const MACHINES: { name: string; install: TestPackage[]; hold?: string[] }[] = [
  {
    name: 'older-foo-held-baz',
    install: [
      { name: 'libfoo1', version: '1.2-3' },
      { name: 'foo-data', version: '1.2-3+deb12u1', architecture: 'all' },
      { name: 'bar', version: '2:1.0-1' },
      { name: 'baz', version: '1.0~rc1-1' },
    ],
    hold: ['baz'],
  },
  {
    name: 'newer-foo-old-bar',
    install: [
      { name: 'libfoo1', version: '1.2-3+deb12u2' },
      { name: 'bar', version: '1:9.0-1' },
    ],
  },
  { name: 'nothing-relevant', install: [{ name: 'unrelated', version: '1.0' }] },
  { name: 'only-old-data', install: [{ name: 'foo-data', version: '1.2-3', architecture: 'all' }] },
];

const EXPECTED: Record<string, Record<string, string>> = {
  'older-foo-held-baz': {
    foo: 'required',
    bar: 'installed',
    baz: 'required',
    absent: 'not-required',
  },
  'newer-foo-old-bar': {
    foo: 'installed',
    bar: 'required',
    baz: 'not-required',
    absent: 'not-required',
  },
  'nothing-relevant': {
    foo: 'not-required',
    bar: 'not-required',
    baz: 'not-required',
    absent: 'not-required',
  },
  'only-old-data': {
    foo: 'required',
    bar: 'not-required',
    baz: 'not-required',
    absent: 'not-required',
  },
};

let dir: string;
let root: string;
let key: SigningKey;
let http: { url: string; server: Server; requests: string[] };
const boxes = new Map<string, DpkgSandbox>();
const box = (name: string): DpkgSandbox => {
  const b = boxes.get(name);
  if (!b) throw new Error(`no machine ${name}`);
  return b;
};

/** What the agent's inventory reports: dpkg-query over the machine's database. */
function inventoried(box: DpkgSandbox): InstalledPackage[] {
  const out = execFileSync(
    'dpkg-query',
    [
      `--admindir=${box.admindir}`,
      '-W',
      '-f',
      '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n',
    ],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length === 4 && f[0]?.[1] === 'i')
    .map(([, name = '', version = '', arch = '']) => ({ name, version, arch, manager: 'dpkg' }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-compliance-test-'));
  root = join(dir, 'archive');
  key = createSigningKey(dir);
  http = await serveDirectory(root);
  for (const m of MACHINES) {
    const box = createDpkgSandbox(dir, m.name);
    installPackages(dir, box, m.install);
    if (m.hold) holdPackages(box, m.hold);
    boxes.set(m.name, box);
  }
}, 120_000);

afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

describe.each(testDialects)('update compliance on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  let compliance: UpdateComplianceService;
  const suite = `${dialect}-compliance`;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    ({ ctx, cleanup } = await createTestContext(dialect));
    catalog = new UpdateCatalogService(ctx);
    compliance = new UpdateComplianceService(ctx);
    writeSuite(root, { suite, packages: CATALOG, key });
  });
  afterEach(async () => {
    await catalog?.stop();
    await cleanup?.();
  });

  const sync = async (): Promise<void> => {
    const source = await catalog.createSource(ADMIN, {
      name: `Local ${suite}`,
      url: http.url,
      suite,
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(key.keyringFile)),
    });
    await catalog.startSync(ADMIN, source.id);
    let last: UpdateSync | undefined;
    await waitFor('the sync to end', async () => {
      last = (await catalog.listSyncs(ADMIN, source.id, {})).items[0];
      return last !== undefined && last.state !== 'running';
    });
    expect(last?.state).toBe('succeeded');
  };

  /** Per machine, per source package: its state, from what compliance answers. */
  const answers = async () => {
    const out: Record<string, Record<string, string>> = {};
    const holds: Record<string, string> = {};
    const bases = new Set<string>();
    const updates = (await catalog.listUpdates(ADMIN, {})).items;
    for (const u of updates) {
      const page = await compliance.updateDevices(ADMIN, u.id, { limit: 100 });
      expect(page.total).toBe(MACHINES.length);
      for (const r of page.items satisfies DeviceUpdateCompliance[]) {
        (out[r.deviceName] ??= {})[u.package] = r.state;
        if (r.hold) holds[`${r.deviceName}/${u.package}`] = r.hold;
        bases.add(r.basis);
      }
    }
    return { states: out, holds, bases: [...bases] };
  };

  /** The dashboard's figures, which must match the per-update answers above on either basis. */
  const expectOverview = async () => {
    const o = await compliance.overview(ADMIN, { top: 2 });
    expect(o).toMatchObject({
      devices: 4,
      // foo on two machines, bar and baz on one each; the machine with nothing relevant needs none.
      devicesRequiring: 3,
      currentUpdates: 4,
      installed: 2,
      required: 4,
    });
    expect(o.mostRequired.map((u) => [u.package, u.required, u.installed])).toEqual([
      ['foo', 2, 1],
      ['bar', 1, 1],
    ]);
    expect(o.bySource).toEqual([
      { key: expect.any(String), label: `Local ${suite}`, updates: 4, installed: 2, required: 4 },
    ]);
    expect(o.bySeverity).toEqual([
      { key: 'unknown', label: 'unknown', updates: 4, installed: 2, required: 4 },
    ]);
    expect(o.byClassification.reduce((n, g) => n + g.required, 0)).toBe(4);
    // The catalog list's installed and required columns count the same pairs.
    const listed = (await catalog.listUpdates(ADMIN, {})).items;
    const columns = Object.fromEntries(listed.map((u) => [u.package, [u.installed, u.required]]));
    expect(columns).toMatchObject({ foo: [1, 2], bar: [1, 1] });
    expect(listed.reduce((n, u) => n + (u.installed ?? 0), 0)).toBe(2);
    expect(listed.reduce((n, u) => n + (u.required ?? 0), 0)).toBe(4);
  };

  it('server applicability and the agent scan agree on real dpkg databases', async () => {
    // Three machines inventoried before the sync, one after (a new package set).
    for (const m of MACHINES.slice(0, 3))
      await insertDevice(ctx.db.kysely, {
        id: m.name,
        packages: inventoried(box(m.name)),
      });
    await sync();
    const last = MACHINES[3]?.name ?? '';
    await insertDevice(ctx.db.kysely, {
      id: last,
      packages: inventoried(box(last)),
    });

    // Before any scan: the site's applicability from inventory.
    const byServer = await answers();
    expect(byServer.bases).toEqual(['inventory']);
    expect(byServer.states).toEqual(EXPECTED);
    await expectOverview();

    // Each machine scans the catalog the agent API serves and reports it.
    const served = await compliance.catalogFor(undefined);
    expect(served.full).toBe(true);
    expect(served.updates).toHaveLength(4);
    for (const m of MACHINES) {
      // The agent's evaluation (protocol, what its scan runs) over what dpkg wrote.
      const results = evaluateCatalog(served.updates, parseDpkgStatus(readStatus(box(m.name))));
      const at = new Date().toISOString();
      await storeUpdateScans(
        ctx.db.kysely,
        m.name,
        [
          {
            seq: 5,
            body: {
              catalogVersion: served.version,
              kind: 'scheduled',
              startedAt: at,
              finishedAt: at,
              results,
            },
          },
        ],
        at,
      );
    }
    const byScan = await answers();
    expect(byScan.bases).toEqual(['scan']);
    expect(byScan.states).toEqual(byServer.states);
    await expectOverview();
    // The held package is shown as held, not as plain required; the site cannot see holds.
    expect(byScan.holds).toEqual({ 'older-foo-held-baz/baz': 'held' });
    expect(byServer.holds).toEqual({});

    const baz = (await catalog.listUpdates(ADMIN, { search: 'baz' })).items[0];
    const summary = await compliance.updateCompliance(ADMIN, baz?.id ?? '');
    expect(summary.counts).toEqual({
      installed: 0,
      required: 0,
      held: 1,
      pinned: 0,
      notRequired: 3,
      unknown: 0,
    });
    const held = await compliance.updateDevices(ADMIN, baz?.id ?? '', { state: 'held' });
    expect(held.items.map((d) => d.deviceName)).toEqual(['older-foo-held-baz']);
    expect(held.items[0]?.firstDetectedAt).not.toBeNull();

    const device = await compliance.deviceUpdates(ADMIN, 'newer-foo-old-bar', {});
    expect(device.items.map((d) => [d.package, d.state, d.basis]).sort()).toEqual([
      ['bar', 'required', 'scan'],
      ['foo', 'installed', 'scan'],
    ]);
  });

  it('serves catalog deltas, and the scan audit says who scanned the current catalog', async () => {
    await insertDevice(ctx.db.kysely, { id: 'scanned' });
    await insertDevice(ctx.db.kysely, { id: 'failed' });
    await insertDevice(ctx.db.kysely, { id: 'never' });
    await sync();
    const v = (await compliance.catalogFor(undefined)).version;
    expect(await compliance.catalogFor(v)).toMatchObject({
      version: v,
      full: false,
      updates: [],
      removed: [],
    });
    const at = new Date().toISOString();
    const body = {
      catalogVersion: v,
      kind: 'on-demand' as const,
      startedAt: at,
      finishedAt: at,
      results: [],
    };
    await storeUpdateScans(ctx.db.kysely, 'scanned', [{ seq: 3, body }], at);
    await storeUpdateScans(
      ctx.db.kysely,
      'failed',
      [{ seq: 3, body: { ...body, error: 'dpkg status unreadable' } }],
      at,
    );
    // A report replayed after a lost acknowledgement changes nothing.
    await storeUpdateScans(ctx.db.kysely, 'failed', [{ seq: 2, body }], at);
    const audit = await compliance.scanAudit(ADMIN, {});
    expect(audit.items.map((a) => [a.deviceName, a.state, a.error])).toEqual([
      ['failed', 'failed', 'dpkg status unreadable'],
      ['never', 'never', null],
      ['scanned', 'current', null],
    ]);
    const failedOnly = await compliance.scanAudit(ADMIN, { state: 'failed' });
    expect(failedOnly.total).toBe(1);
    // One device's row, as its page shows its last scan; an unknown id matches nothing.
    const scanned = audit.items.find((a) => a.deviceName === 'scanned');
    const one = await compliance.scanAudit(ADMIN, { deviceId: scanned?.deviceId ?? '' });
    expect(one.items.map((a) => [a.deviceName, a.state])).toEqual([['scanned', 'current']]);
    expect((await compliance.scanAudit(ADMIN, { deviceId: 'no-such-device' })).total).toBe(0);
  });

  it('the summary (per-set device counts) agrees with the device list through revoke, re-inventory and delete', async () => {
    const [older, newer, nothing] = MACHINES.map((m) => inventoried(box(m.name)));
    const fleet = { older, newer, nothing };
    await sync();
    let n = 0;
    for (const [name, packages] of Object.entries(fleet))
      for (let i = 0; i < 3; i++)
        await insertDevice(ctx.db.kysely, { id: `${name}-${n++}`, packages });
    await insertDevice(ctx.db.kysely, { id: 'not-inventoried' });
    await insertDevice(ctx.db.kysely, {
      id: 'revoked-at-enrolment',
      packages: older,
      revoked: true,
    });
    const foo = (await catalog.listUpdates(ADMIN, { search: 'foo' })).items[0]?.id ?? '';

    /** The summary's counts, and the same counted from the per-device list (another query). */
    const both = async () => {
      const { counts } = await compliance.updateCompliance(ADMIN, foo);
      const listed = await compliance.updateDevices(ADMIN, foo, { limit: 100 });
      const fromList: Record<string, number> = {};
      for (const d of listed.items) fromList[d.state] = (fromList[d.state] ?? 0) + 1;
      const { held, pinned, notRequired, ...rest } = counts;
      expect(held + pinned).toBe(0);
      const fromSummary = { ...rest, 'not-required': notRequired };
      return { fromSummary, fromList, total: listed.total };
    };
    const expectCounts = async (want: Record<string, number>) => {
      const { fromSummary, fromList, total } = await both();
      expect(fromSummary).toEqual(want);
      expect(fromList).toEqual(Object.fromEntries(Object.entries(want).filter(([, v]) => v > 0)));
      expect(total).toBe(Object.values(want).reduce((a, b) => a + b, 0));
    };
    await expectCounts({ installed: 3, required: 3, 'not-required': 3, unknown: 1 });
    await revokeDevice(ctx.db.kysely, { deviceId: 'older-0', at: new Date().toISOString() });
    await revokeDevices(ctx.db.kysely, {
      ids: ['newer-3', 'nothing-6'],
      at: new Date().toISOString(),
    });
    await expectCounts({ installed: 2, required: 2, 'not-required': 2, unknown: 1 });
    // Re-inventory: a device that upgraded foo, and the new device's first inventory.
    await setPackages(ctx.db.kysely, 'older-1', newer);
    await setPackages(ctx.db.kysely, 'not-inventoried', older);
    await expectCounts({ installed: 3, required: 2, 'not-required': 2, unknown: 0 });
    // Re-inventory onto the same set changes nothing; a revoked device's inventory counts nothing.
    await setPackages(ctx.db.kysely, 'older-2', older);
    await setPackages(ctx.db.kysely, 'older-0', nothing);
    await expectCounts({ installed: 3, required: 2, 'not-required': 2, unknown: 0 });
    await deleteDevice(ctx.db.kysely, 'older-2');
    await deleteDevice(ctx.db.kysely, 'older-0');
    await ctx.db.kysely
      .updateTable('device')
      .set({ revoked_at: null })
      .where('id', '=', 'revoked-at-enrolment')
      .execute();
    await expectCounts({ installed: 3, required: 2, 'not-required': 2, unknown: 0 });
    // A set no device points at is collected; its count row goes with it.
    expect(await collectUnusedPackageSets(ctx.db.kysely)).toBe(0);
    for (const id of ['nothing-6', 'nothing-7', 'nothing-8']) await deleteDevice(ctx.db.kysely, id);
    expect(await collectUnusedPackageSets(ctx.db.kysely)).toBe(1);
    await expectCounts({ installed: 3, required: 2, 'not-required': 0, unknown: 0 });
  });
});
