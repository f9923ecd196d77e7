/**
 * Custom updates deployed (issue 10, ADR 0083), with real parts: a server process, its DP, a
 * real `steward-agent run` whose machine is a dpkg sandbox root. A custom update is detected by
 * a file's SHA-256; its install program, in a content package distributed to the DP, copies the
 * payload it carries into place, and its uninstall program removes it. The update joins an
 * update group, the group is published and deployed; the agent downloads the program's content
 * from the DP (token, hashes verified), runs it, and its scan afterwards decides Installed by the
 * rules. A rollback runs the uninstall program and compliance flips back to Required.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type ApiClient,
  type CustomUpdateDevice,
  type UpdateDeployment,
  type UpdateDeploymentDevice,
} from '@steward/protocol';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import { createTestSite, pgReachable, waitFor, type Site } from '../../../test-support/site.js';
import {
  createPackageFromFiles,
  distributeAndWait,
  sha256Hex,
  shellScript,
} from '../../../test-support/software.js';

const PAYLOAD = 'acme agent 2.1\n';
const START = Date.parse('2031-05-05T08:00:00.000Z');
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres case of custom-update-deploy is SKIPPED');

describe.each(dialects)('custom updates deployed on %s', (dialect) => {
  let dir: string;
  let root: string;
  let site: Site;
  let api: ApiClient;
  let deviceId: string;
  let collectionId: string;
  let clockFile: string;
  const setClock = (ms: number) => writeFileSync(clockFile, new Date(ms).toISOString());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-custom-deploy-'));
    const box = createDpkgSandbox(dir, 'root');
    // A Debian machine always has packages: the scan refuses an empty dpkg database.
    installPackages(dir, box, [{ name: 'base-thing', version: '1.0-1' }]);
    root = box.root;
    mkdirSync(join(root, 'opt'), { recursive: true });
    // One clock, moved by the test, for the server and the agent (a deadline that comes).
    clockFile = join(dir, 'clock');
    setClock(START);
    site = await createTestSite({
      dialect,
      env: { STEWARD_TEST_CLOCK_FILE: clockFile, STEWARD_AGENT_SYSTEM_ROOT: root },
    });
    api = site.api;
    deviceId = site.devices[0]?.id ?? '';
    const c = await api.createCollection({
      name: 'Acme machines',
      rules: [{ kind: 'direct', deviceId }],
    });
    collectionId = c.id;
    await waitFor('the collection', async () => (await api.getCollection(c.id)).memberCount === 1);
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function customState(id: string): Promise<CustomUpdateDevice | undefined> {
    const page = await api.call(ops.customUpdates.customUpdateDevices, {
      params: { id },
      query: {},
    });
    return page.items[0];
  }

  async function settled(d: UpdateDeployment, done: (row: UpdateDeploymentDevice) => boolean) {
    let last = '';
    try {
      return await waitFor(
        `deployment ${d.name} settled`,
        async () => {
          const page = await api.call(ops.updateDeployments.updateDeploymentDevices, {
            params: { id: d.id },
            query: {},
          });
          const row = page.items[0];
          last = JSON.stringify(row);
          return row && done(row) ? row : undefined;
        },
        120_000,
        250,
      );
    } catch (err) {
      throw new Error(`${String(err)}; last row ${last}`);
    }
  }

  it('installs from the DP, flips to Installed by detection, rolls back to Required', async () => {
    const target = join(root, 'opt/acme/agent');
    // The programs' package: the payload travels in it, so an install proves the download.
    await createPackageFromFiles(api, 'acme-agent-2.1', [
      {
        path: 'install.sh',
        content: shellScript(`mkdir -p '${root}/opt/acme'\ncp payload.txt '${target}'`),
      },
      { path: 'uninstall.sh', content: shellScript(`rm -f '${target}'`) },
      { path: 'payload.txt', content: PAYLOAD },
    ]);
    const install = await api.createProgram('acme-agent-2.1', {
      name: 'Install',
      commandLine: 'sh install.sh',
      maxRunMinutes: 5,
    });
    const uninstall = await api.createProgram('acme-agent-2.1', {
      name: 'Uninstall',
      commandLine: 'sh uninstall.sh',
      maxRunMinutes: 5,
    });
    await distributeAndWait(api, 'acme-agent-2.1', ['site-server']);
    const acme = await api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Acme Agent 2.1',
        vendor: 'Acme',
        product: 'Agent',
        version: '2.1',
        // Applies where dpkg has base-thing (a package rule), installed when the file is 2.1's.
        applicability: {
          match: 'all',
          rules: [{ kind: 'package', package: 'base-thing', minVersion: '1.0' }],
        },
        detection: {
          match: 'all',
          rules: [{ kind: 'file-sha256', path: '/opt/acme/agent', sha256: sha256Hex(PAYLOAD) }],
        },
        installProgramId: install.id,
        uninstallProgramId: uninstall.id,
      },
    });

    // A group of the custom update only: published (an empty signed repository) and deployed.
    await expect(
      api.call(ops.updateGroups.createGroup, {
        body: { name: 'Unknown', updateIds: ['no-such-update'] },
      }),
    ).rejects.toMatchObject({ code: 'UPDATE_GROUP_UPDATE_NOT_FOUND' });
    const group = await api.call(ops.updateGroups.createGroup, {
      body: { name: 'Acme', updateIds: [acme.id] },
    });
    expect(group).toMatchObject({ updateIds: [], customUpdateIds: [acme.id] });
    const content = await api.call(ops.updateGroups.publishContent, {
      params: { id: group.id },
    });
    expect(content.binaries).toBe(0);
    await distributeAndWait(api, content.packageName, ['site-server']);

    await api.requestDeviceAction(deviceId, 'updates:scan');
    await waitFor('Required before the install', async () =>
      (await customState(acme.id))?.state === 'required' ? true : undefined,
    );

    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId: group.id,
        collectionId,
        deadline: wall(START + 10 * 60_000),
        notifyUsers: false,
        rehearsal: true,
      },
    });
    expect(d.updates).toEqual([
      { updateId: acme.id, kind: 'custom', package: 'Acme Agent', version: '2.1', removed: false },
    ]);
    // Before the deadline nothing runs; past it the rehearsal does: detection only.
    await settled(d, (r) => r.state === 'received');
    setClock(START + 11 * 60_000);
    const rehearsed = await settled(d, (r) => r.state === 'succeeded' || r.state === 'failed');
    expect(rehearsed, JSON.stringify(rehearsed)).toMatchObject({ state: 'succeeded' });
    expect(rehearsed.outputTail).toContain('would install Acme Agent 2.1 (custom)');
    expect(existsSync(target)).toBe(false);

    await api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: d.id },
      body: { rehearsal: false },
    });
    const done = await settled(
      d,
      (r) =>
        r.state === 'failed' ||
        (r.state === 'succeeded' && r.outputTail?.startsWith('rehearsal') === false),
    );
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'succeeded' });
    expect(done.outputTail).toContain('installed Acme Agent 2.1');
    expect(readFileSync(target, 'utf8')).toBe(PAYLOAD);
    // The scan after the install: the rules say Installed, per device and per update.
    await waitFor('compliance Installed', async () =>
      (await customState(acme.id))?.state === 'installed' ? true : undefined,
    );
    await settled(d, (r) => r.updates[0]?.state === 'installed');
    const status = await api.call(ops.updateDeployments.updateDeploymentStatus, {
      params: { id: d.id },
    });
    expect(status.byUpdate).toEqual([
      { updateId: acme.id, package: 'Acme Agent', version: '2.1', counts: { installed: 1 } },
    ]);
    // The deployment status view agrees with the status API, the row saying its kind.
    await api.call(ops.sqlReports.createCustom, {
      body: {
        id: 'custom-deployment-status',
        title: 'Custom updates in update deployments',
        sql: `select device_id, update_id, package, version, state, kind
from v_update_deployment_status where update_deployment_id = '${d.id}'`,
      },
    });
    const statusRows = await api.call(ops.sqlReports.run, {
      params: { id: 'custom-deployment-status' },
      body: {},
    });
    expect(statusRows.rows).toEqual([
      [deviceId, acme.id, 'Acme Agent', '2.1', 'installed', 'custom'],
    ]);

    // The report view and the query language's update class see it too.
    await api.call(ops.sqlReports.createCustom, {
      body: {
        id: 'custom-compliance',
        title: 'Custom updates per device',
        sql: `select device_id, package, version, state, basis, kind from v_update_compliance
where kind = 'custom' order by package`,
      },
    });
    const viewRows = async () =>
      (await api.call(ops.sqlReports.run, { params: { id: 'custom-compliance' }, body: {} })).rows;
    expect(await viewRows()).toEqual([
      [deviceId, 'Acme Agent', '2.1', 'installed', 'scan', 'custom'],
    ]);
    const installedQuery = await api.createCollection({
      name: 'Acme installed',
      rules: [
        {
          kind: 'query',
          query: 'any(update, kind = "custom" and package = "Acme Agent" and state = "installed")',
        },
      ],
    });
    await waitFor('the query collection', async () =>
      (await api.getCollection(installedQuery.id)).memberCount === 1 ? true : undefined,
    );

    // Roll back: the uninstall program runs, and the rules say Required again.
    await api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: d.id },
      body: { allowDowngrades: true },
    });
    const back = await settled(
      d,
      (r) => r.state === 'failed' || (r.outputTail?.includes('uninstalled') ?? false),
    );
    expect(back, JSON.stringify(back)).toMatchObject({ state: 'succeeded' });
    expect(existsSync(target)).toBe(false);
    await waitFor('compliance Required after the rollback', async () =>
      (await customState(acme.id))?.state === 'required' ? true : undefined,
    );
    expect(await viewRows()).toEqual([
      [deviceId, 'Acme Agent', '2.1', 'required', 'scan', 'custom'],
    ]);
  }, 360_000);
});
