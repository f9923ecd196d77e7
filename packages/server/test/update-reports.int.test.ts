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
  type InventoryInstance,
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
import { ADMIN, ANALYST, insertDevice, ManualClock } from './support/collections.js';
import type { SiteContext } from '../src/context.js';
import { UpdateCatalogService } from '../src/updates/service.js';
import { UpdateComplianceService } from '../src/updates/compliance/service.js';
import { storeUpdateScans } from '../src/updates/compliance/scan-repository.js';
import { AdvisoryService } from '../src/updates/advisories/service.js';
import { UpdateGroupService } from '../src/updates/deployments/group-service.js';
import { ReportService } from '../src/reports/service.js';
import { CollectionService } from '../src/collections/service.js';

// The patch-management reports (ADR 0062) and the query language's update criteria (ADR 0063)
// over a real synced catalog, a real advisory import, real dpkg databases inventoried and
// scanned: one machine answers from its scan (with a held package), the others from their
// inventoried package sets. Every report's rows are checked against what those machines hold.
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of update-reports are SKIPPED');

const FIXTURES = join(import.meta.dirname, 'fixtures/advisories');

const CATALOG: TestPackage[] = [
  { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
  { name: 'openssl', version: '3.0.15-1~deb12u1' },
  { name: 'tzdata', version: '2024b-0+deb12u1', architecture: 'all' },
];

const OLD_TZDATA: TestPackage = { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' };
const memory = (totalMb: number): InventoryInstance[] => [{ totalMb }];
const service = (name: string): InventoryInstance[] => [{ name, state: 'active' }];

/** web-01 scans (and holds tzdata); db-01 and kiosk-01 answer from their inventory. */
const MACHINES: {
  name: string;
  install: TestPackage[];
  hold?: string[];
  classes: Record<string, InventoryInstance[]>;
}[] = [
  {
    name: 'web-01',
    install: [{ name: 'libssl3', version: '3.0.14-1~deb12u2' }, OLD_TZDATA],
    hold: ['tzdata'],
    classes: { memory: memory(4096), service: service('nginx') },
  },
  {
    name: 'db-01',
    install: [
      { name: 'libssl3', version: '3.0.15-1~deb12u1' },
      { name: 'openssl', version: '3.0.15-1~deb12u1' },
      OLD_TZDATA,
    ],
    classes: { memory: memory(8192), service: service('postgresql') },
  },
  {
    name: 'kiosk-01',
    install: [{ name: 'unrelated', version: '1.0' }],
    classes: { memory: memory(2048), service: service('nginx') },
  },
];

let dir: string;
let root: string;
let key: SigningKey;
let http: { url: string; server: Server };
const boxes = new Map<string, DpkgSandbox>();
const box = (name: string): DpkgSandbox => {
  const b = boxes.get(name);
  if (!b) throw new Error(`no machine ${name}`);
  return b;
};

/** What the agent's inventory reports: dpkg-query over the machine's database. */
function inventoried(b: DpkgSandbox) {
  const out = execFileSync(
    'dpkg-query',
    [
      `--admindir=${b.admindir}`,
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
    .map(([, name = '', version = '', arch = '']) => ({
      name,
      version,
      arch,
      manager: 'dpkg' as const,
    }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-update-reports-test-'));
  root = join(dir, 'archive');
  key = createSigningKey(dir);
  http = await serveDirectory(root);
  writeSuite(root, { suite: 'bookworm', packages: CATALOG, key });
  for (const m of MACHINES) {
    const b = createDpkgSandbox(dir, m.name);
    installPackages(dir, b, m.install);
    if (m.hold) holdPackages(b, m.hold);
    boxes.set(m.name, b);
  }
}, 120_000);

afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

describe.each(testDialects)('update reports and update criteria on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  let reports: ReportService;
  let collections: CollectionService;
  let clock: ManualClock;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    clock = new ManualClock(new Date());
    ({ ctx, cleanup } = await createTestContext(dialect, clock));
    catalog = new UpdateCatalogService(ctx);
    reports = new ReportService(ctx);
    collections = new CollectionService(ctx);
    await prepare();
  }, 120_000);
  afterEach(async () => {
    await collections?.idle();
    await catalog?.stop();
    await cleanup?.();
  });

  /** Inventory, sync, advisories, web-01's scan, and an update group approving tzdata. */
  async function prepare(): Promise<void> {
    for (const m of MACHINES)
      await insertDevice(ctx.db.kysely, {
        id: m.name,
        classes: m.classes,
        packages: inventoried(box(m.name)),
      });
    const source = await catalog.createSource(ADMIN, {
      name: 'Local bookworm',
      url: http.url,
      suite: 'bookworm',
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
    const tracker = readFileSync(join(FIXTURES, 'tracker.json'));
    await new AdvisoryService(ctx).importUpload(ADMIN, 'debian-tracker', tracker);

    const served = await new UpdateComplianceService(ctx).catalogFor(undefined);
    const results = evaluateCatalog(served.updates, parseDpkgStatus(readStatus(box('web-01'))));
    const at = clock.now().toISOString();
    const body = { catalogVersion: served.version, kind: 'scheduled' as const, results };
    await storeUpdateScans(
      ctx.db.kysely,
      'web-01',
      [{ seq: 1, body: { ...body, startedAt: at, finishedAt: at } }],
      at,
    );
    await new UpdateGroupService(ctx).createGroup(ADMIN, {
      name: 'Time zones',
      updateIds: [await updateId('tzdata')],
    });
  }

  async function updateId(pkg: string): Promise<string> {
    const u = (await catalog.listUpdates(ADMIN, { search: pkg })).items.find(
      (x) => x.package === pkg,
    );
    if (!u) throw new Error(`no update ${pkg}`);
    return u.id;
  }

  /** A report's rows as objects with the named columns only. */
  async function run(id: string, parameters: Record<string, string | number>, keep: string[]) {
    const r = await reports.run(ANALYST, id, { parameters });
    return r.rows.map((row) =>
      Object.fromEntries(keep.map((c) => [c, toPlain(row[r.columns.indexOf(c)])])),
    );
  }

  async function members(query: string): Promise<string[]> {
    const preview = await collections.preview(ANALYST, { rules: [{ kind: 'query', query }] });
    return preview.sample.map((d) => d.name).sort();
  }

  it('compliance reports: by source, by update id, applicable, state, per computer', async () => {
    expect(
      await run('update-compliance-by-source', {}, [
        'source_name',
        'updates',
        'installed',
        'required',
        'held_or_pinned',
        'unknown',
      ]),
    ).toEqual([
      {
        source_name: 'Local bookworm',
        updates: 2,
        installed: 1,
        required: 2,
        held_or_pinned: 1,
        unknown: 0,
      },
    ]);
    expect(
      await run('update-compliance-by-update', { update: 'tzdata' }, [
        'package',
        'installed',
        'required',
        'held',
        'pinned',
        'not_required_or_not_known',
      ]),
    ).toEqual([
      {
        package: 'tzdata',
        installed: 0,
        required: 1,
        held: 1,
        pinned: 0,
        not_required_or_not_known: 1,
      },
    ]);
    const openssl = await updateId('openssl');
    expect(
      await run('computers-update-applicable', { update: openssl }, [
        'device_name',
        'hold',
        'basis',
      ]),
    ).toEqual([{ device_name: 'web-01', hold: null, basis: 'scan' }]);
    const state = (s: string) =>
      run('computers-in-compliance-state', { update: 'tzdata', state: s }, [
        'device_name',
        'compliance_state',
        'basis',
      ]);
    expect(await state('held')).toEqual([
      { device_name: 'web-01', compliance_state: 'held', basis: 'scan' },
    ]);
    expect(await state('required')).toEqual([
      { device_name: 'db-01', compliance_state: 'required', basis: 'inventory' },
    ]);
    expect(await state('installed')).toEqual([]);
    expect(
      await run('computers-in-compliance-state', { update: openssl, state: 'installed' }, [
        'device_name',
      ]),
    ).toEqual([{ device_name: 'db-01' }]);
    expect(
      await run('updates-for-computer', { computer: 'web-01' }, [
        'package',
        'classification',
        'severity',
        'compliance_state',
        'cve_ids',
      ]),
    ).toEqual([
      {
        package: 'openssl',
        classification: 'security',
        severity: 'high',
        compliance_state: 'required',
        cve_ids: 'CVE-2024-5535',
      },
      {
        package: 'tzdata',
        classification: 'other',
        severity: 'unknown',
        compliance_state: 'held',
        cve_ids: null,
      },
    ]);
    expect(await run('updates-for-computer', { computer: 'kiosk-01' }, ['package'])).toEqual([]);
  });

  it('catalog reports: not authorised, applicable/installed counts, newly reported, CVEs, infrastructure', async () => {
    expect(
      await run('updates-not-authorised', {}, ['package', 'severity', 'computers_requiring']),
    ).toEqual([{ package: 'openssl', severity: 'high', computers_requiring: 1 }]);
    expect(
      await run('updates-applicable-installed', {}, ['package', 'applicable', 'installed']),
    ).toEqual([
      { package: 'tzdata', applicable: 2, installed: 0 },
      { package: 'openssl', applicable: 1, installed: 1 },
    ]);
    const fresh = await run('updates-newly-reported', { days: 7 }, [
      'package',
      'computers_requiring',
      'first_detected_at',
    ]);
    expect(fresh.map((r) => [r.package, r.computers_requiring]).sort()).toEqual([
      ['openssl', 1],
      ['tzdata', 2],
    ]);
    // web-01's scan is the first detection of both; the inventory basis detects nothing.
    expect(fresh.every((r) => r.first_detected_at === clock.now().toISOString())).toBe(true);
    expect(
      await run('cve-exposure', {}, [
        'cve_id',
        'severity',
        'exposed_computers',
        'fixed_computers',
        'fixing_updates',
      ]),
    ).toEqual([
      {
        cve_id: 'CVE-2024-5535',
        severity: 'high',
        exposed_computers: 1,
        fixed_computers: 1,
        fixing_updates: 1,
      },
    ]);
    expect(
      await run('update-infrastructure-status', {}, [
        'last_sync_state',
        'scans_current',
        'never_scanned',
        'scans_overdue',
      ]),
    ).toEqual([
      { last_sync_state: 'succeeded', scans_current: 1, never_scanned: 2, scans_overdue: 0 },
    ]);

    // Nine days later (the site's clock binds :days) nothing is new any more.
    clock.advanceMinutes(9 * 24 * 60);
    expect(await run('updates-newly-reported', { days: 7 }, ['package'])).toEqual([]);
  });

  it('a custom report reads the update views', async () => {
    await reports.createCustom(ADMIN, {
      id: 'exposed-big-servers',
      title: 'Big servers needing security updates',
      sql: `select c.device_name, u.package, u.severity_level
from v_update_compliance c join v_update u on u.update_id = c.update_id
  join v_update_cve x on x.update_id = u.update_id
where c.state = 'required' and u.classification = 'security'
order by c.device_name`,
      parameters: [],
    });
    expect(
      await run('exposed-big-servers', {}, ['device_name', 'package', 'severity_level']),
    ).toEqual([{ device_name: 'web-01', package: 'openssl', severity_level: 3 }]);
  });

  it('collection queries combine update state with inventory', async () => {
    // The seed's example: servers running a given service with more than 3 GB that need an update.
    expect(
      await members(
        'memory.totalMb > 3072 and any(service, name = "nginx") and any(update, state = "required")',
      ),
    ).toEqual(['web-01']);
    expect(await members('any(update, state = "required" and severityLevel >= 3)')).toEqual([
      'web-01',
    ]);
    expect(
      await members('any(update, state = "required" and severity in ("high", "critical"))'),
    ).toEqual(['web-01']);
    expect(await members('any(update, cve = "CVE-2024-5535" and state = "required")')).toEqual([
      'web-01',
    ]);
    expect(await members('any(update, package = "tzdata" and hold = "held")')).toEqual(['web-01']);
    expect(
      await members('any(update, package = "tzdata" and state = "required" and hold is null)'),
    ).toEqual(['db-01']);
    expect(
      await members(
        'any(update, package = "openssl" and state = "installed" and basis = "inventory")',
      ),
    ).toEqual(['db-01']);
    // dpkg order: 3.0.15-1~deb12u1 sorts after 3.0.15 and before 3.0.15-1.
    expect(await members('any(update, package = "openssl" and version > "3.0.15")')).toEqual([
      'db-01',
      'web-01',
    ]);
    expect(await members('any(update, package = "openssl" and version >= "3.0.15-1")')).toEqual([]);
    expect(await members('not any(update, state = "required")')).toEqual(['kiosk-01']);
    expect(await members('any(update, firstDetectedAt >= "2000-01-01")')).toEqual(['web-01']);

    // A saved collection evaluates the same way, and follows a new scan: db-01 scans with tzdata
    // installed at the catalog's version and leaves it.
    const c = await collections.create(ADMIN, {
      name: 'Needs tzdata',
      rules: [{ kind: 'query', query: 'any(update, package = "tzdata" and state = "required")' }],
    });
    await collections.idle();
    const ids = async () =>
      (await collections.members(ADMIN, c.id, { limit: 100 })).items.map((d) => d.id).sort();
    expect(await ids()).toEqual(['db-01', 'web-01']);
    const served = await new UpdateComplianceService(ctx).catalogFor(undefined);
    const upgraded = readStatus(box('db-01')).replace(
      'Version: 2024a-0+deb12u1',
      'Version: 2024b-0+deb12u1',
    );
    const results = evaluateCatalog(served.updates, parseDpkgStatus(upgraded));
    const at = clock.now().toISOString();
    await storeUpdateScans(
      ctx.db.kysely,
      'db-01',
      [
        {
          seq: 1,
          body: {
            catalogVersion: served.version,
            kind: 'on-demand',
            startedAt: at,
            finishedAt: at,
            results,
          },
        },
      ],
      at,
    );
    await collections.evaluate(ADMIN, c.id);
    await collections.idle();
    expect(await ids()).toEqual(['web-01']);
  });
});

function toPlain(v: unknown): unknown {
  // PostgreSQL answers count(*) as a string of digits (int8); SQLite as a number.
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
}
