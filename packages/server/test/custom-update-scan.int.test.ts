/**
 * Custom updates in the agent's scan (issue 10, ADR 0074), with real parts: a server process, a
 * real `steward-agent run` whose machine is a dpkg sandbox root, custom updates whose rules read
 * that root. The site puts the rules in the agent's catalog; the agent evaluates them at a scan
 * asked for by the administrator and reports each state; compliance and the device list follow,
 * and a change of the rules reaches the agent as a new catalog version.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type ApiClient, type CustomUpdateDevice } from '@steward/protocol';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type Site,
} from '../../../test-support/site.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const V1 = 'acme agent 1.0\n';
const V2 = 'acme agent 2.0\n';

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres case of custom-update-scan is SKIPPED');

describe.each(dialects)('custom updates in the scan on %s', (dialect) => {
  let dir: string;
  let root: string;
  let site: Site;
  let api: ApiClient;
  let deviceId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-custom-scan-'));
    const box = createDpkgSandbox(dir, 'root');
    // A Debian machine always has packages: the scan refuses an empty dpkg database.
    installPackages(dir, box, [{ name: 'base-thing', version: '1.0-1' }]);
    root = box.root;
    mkdirSync(join(root, 'opt/acme/bin'), { recursive: true });
    writeFileSync(join(root, 'opt/acme/bin/acme'), V1);
    site = await createTestSite({ dialect, env: { STEWARD_AGENT_SYSTEM_ROOT: root } });
    api = site.api;
    deviceId = site.devices[0]?.id ?? '';
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks the agent to scan, and waits until its report names every custom update in `want`. */
  async function scanUntil(want: Record<string, CustomUpdateDevice['state']>) {
    await api.requestDeviceAction(deviceId, 'updates:scan');
    let last = '';
    return waitFor(
      `scan gives ${JSON.stringify(want)}`,
      async () => {
        const rows: Record<string, CustomUpdateDevice> = {};
        for (const id of Object.keys(want)) {
          const page = await api.call(ops.customUpdates.customUpdateDevices, {
            params: { id },
            query: {},
          });
          const row = page.items[0];
          if (row) rows[id] = row;
        }
        last = JSON.stringify(rows);
        return Object.entries(want).every(([id, s]) => rows[id]?.state === s) ? rows : undefined;
      },
      120_000,
      250,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last ${last}`);
    });
  }

  it('reports Required, Not required and Unknown from the rules, then Installed', async () => {
    const acme = await api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Acme Agent 2.0',
        vendor: 'Acme',
        product: 'Agent',
        version: '2.0',
        references: { cves: ['CVE-2031-0001'] },
        applicability: {
          match: 'all',
          rules: [{ kind: 'file-exists', path: '/opt/acme/bin/acme' }],
        },
        detection: {
          match: 'all',
          rules: [{ kind: 'file-sha256', path: '/opt/acme/bin/acme', sha256: sha256(V2) }],
        },
      },
    });
    const other = await api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Other tool 3',
        vendor: 'Other',
        product: 'Tool',
        version: '3',
        applicability: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/other' }] },
        detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/other/3' }] },
      },
    });
    const undecided = await api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Undecided',
        vendor: 'Other',
        product: 'Slow',
        version: '1',
        detection: {
          match: 'all',
          rules: [{ kind: 'command', command: 'exec sleep 30', timeoutSeconds: 1 }],
        },
      },
    });
    // Before any scan the site cannot tell: file rules are read on the machine only.
    expect(
      await api.call(ops.customUpdates.customUpdateCompliance, { params: { id: acme.id } }),
    ).toMatchObject({
      counts: { installed: 0, required: 0, notRequired: 0, unknown: 0, notScanned: 1 },
    });

    const first = await scanUntil({
      [acme.id]: 'required',
      [other.id]: 'not-required',
      [undecided.id]: 'unknown',
    });
    expect(first[acme.id]).toMatchObject({ installedAt: null, deviceId });
    expect(first[acme.id]?.firstDetectedAt).toEqual(expect.any(String));
    expect(first[undecided.id]?.details.join(' ')).toContain('timed out');
    expect(
      await api.call(ops.customUpdates.customUpdateCompliance, { params: { id: acme.id } }),
    ).toMatchObject({
      counts: { installed: 0, required: 1, notRequired: 0, unknown: 0, notScanned: 0 },
    });
    // The fleet overview counts custom updates from the scans (no update source here).
    const overview = () => api.call(ops.updateCompliance.overview, { query: {} });
    const before = await overview();
    expect(before).toMatchObject({
      devicesRequiring: 1,
      currentUpdates: 3,
      installed: 0,
      required: 1,
      bySource: [{ key: 'custom', label: 'Custom updates', updates: 3, installed: 0, required: 1 }],
      mostRequired: [
        { updateId: acme.id, kind: 'custom', package: 'Acme Agent', version: '2.0', required: 1 },
      ],
    });

    // The new version lands on the machine (by hand here): the next scan says Installed.
    writeFileSync(join(root, 'opt/acme/bin/acme'), V2);
    const second = await scanUntil({ [acme.id]: 'installed' });
    expect(second[acme.id]?.installedAt).toEqual(expect.any(String));
    const installed = await api.call(ops.customUpdates.customUpdateDevices, {
      params: { id: acme.id },
      query: { state: 'installed' },
    });
    expect(installed.total).toBe(1);
    expect(await overview()).toMatchObject({
      devicesRequiring: 0,
      installed: 1,
      required: 0,
      mostRequired: [],
    });
    // The CLI shows the same, from the same operations.
    const r = await exec(STEWARD, ['update', 'custom', 'compliance', acme.id, '--json'], {
      env: {
        STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: api.token ?? '',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      summary: { counts: { installed: 1, required: 0, notScanned: 0 } },
      devices: { total: 1, items: [{ deviceId, state: 'installed' }] },
    });
  }, 300_000);

  it('an expedited scan scans and sends a full inventory at once', async () => {
    const since = new Date().toISOString();
    await api.requestDeviceAction(deviceId, 'updates:scan-expedited');
    // The scan, recorded as expedited, and a new inventory, both from this one request.
    const scan = await waitFor(
      'the expedited scan',
      async () => {
        const row = (await api.call(ops.updateCompliance.scanAudit, { query: { deviceId } }))
          .items[0];
        return row?.kind === 'expedited' && (row.scannedAt ?? '') >= since ? row : undefined;
      },
      120_000,
      250,
    );
    expect(scan).toMatchObject({ state: 'current', error: null });
    const after = await waitFor(
      'the inventory',
      async () => {
        const d = await api.getDevice(deviceId);
        return (d.lastInventoryAt ?? '') >= since ? d : undefined;
      },
      120_000,
      250,
    );
    expect(after.lastSoftwareInventoryAt).not.toBeNull();
  });

  it('sends changed rules to the agent as a new catalog version', async () => {
    const before = await api.call(ops.updateCompliance.scanAudit, { query: { deviceId } });
    const made = await api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Marker',
        vendor: 'Site',
        product: 'Marker',
        version: '1',
        detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/etc/marker' }] },
      },
    });
    const audit = await api.call(ops.updateCompliance.scanAudit, { query: { deviceId } });
    // The device's last scan was of an older catalog: stale until it scans again.
    expect(audit.items[0]?.currentCatalogVersion).toBeGreaterThan(
      before.items[0]?.currentCatalogVersion ?? 0,
    );
    expect(audit.items[0]?.state).toBe('stale-catalog');
    await scanUntil({ [made.id]: 'required' });
    // Rules changed (the file now counts under another path): the agent evaluates the new ones.
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/marker-2'), 'x');
    await api.call(ops.customUpdates.updateCustomUpdate, {
      params: { id: made.id },
      body: {
        detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/etc/marker-2' }] },
      },
    });
    await scanUntil({ [made.id]: 'installed' });
    const after = await api.call(ops.updateCompliance.scanAudit, { query: { deviceId } });
    expect(after.items[0]?.state).toBe('current');
  }, 300_000);
});
