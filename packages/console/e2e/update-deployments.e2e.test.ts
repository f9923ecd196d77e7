/**
 * The console for update deployments against a real site and a real agent process (issue 10,
 * ADR 0056/0073): a local signed apt repository synced into the catalog, an update group whose
 * site-signed content is published and distributed to the site's DP, and an agent whose dpkg
 * sandbox holds the old version. Walks the deploy wizard on the group page (rehearsal first, a
 * deadline two minutes away) -> the status page shows what would be installed and nothing
 * changes -> "Install for real" -> the agent installs with the real apt-get and dpkg and the
 * chart counts it installed -> the Deployments tab lists it -> disable.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../test-support/apt-repo.js';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { distributeAndWait } from '../../../test-support/software.js';
import { launchBrowser, openPage, signIn, SHOTS } from './browser.js';

const OLD: TestPackage = { name: 'hello-e2e', version: '1.0-1' };
const NEW: TestPackage = { name: 'hello-e2e', version: '2.0-1' };
/** A run waits for its deadline, then downloads, scans and installs: minutes on a busy machine. */
const RUN = { timeout: 240_000 };

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
let root: string;
let key: SigningKey;
let repo: { url: string; server: Server };
let groupId: string;

function installedVersion(): string {
  return execFileSync(
    'dpkg-query',
    [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', '${Version}', 'hello-e2e'],
    { encoding: 'utf8' },
  );
}

/** Two minutes from now as a wall time in UTC (the deployment's default time base). */
function soon(): string {
  const at = new Date(Date.now() + 2 * 60_000);
  return at.toISOString().slice(0, 16);
}

describe('console: update deployments', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-e2e-upd-deploy-'));
    key = createSigningKey(dir);
    const archive = join(dir, 'archive');
    writeSuite(archive, { suite: 'stable-security', key, packages: [OLD, NEW] });
    repo = await serveDirectory(archive);
    const box = createDpkgSandbox(dir, 'root');
    installPackages(dir, box, [OLD]);
    root = box.root;
    site = await createTestSite({
      env: {
        STEWARD_AGENT_SYSTEM_ROOT: root,
        STEWARD_AGENT_REBOOT_COMMAND: JSON.stringify(['true']),
      },
    });
    const source = await site.api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Local security',
        url: repo.url,
        suite: 'stable-security',
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    await site.api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
    const update = await waitFor('the catalog', async () => {
      const page = await site.api.call(ops.updateCatalog.listUpdates, { query: {} });
      return page.items.find((u) => u.version === NEW.version);
    });
    const group = await site.api.call(ops.updateGroups.createGroup, {
      body: { name: 'January security', updateIds: [update.id] },
    });
    groupId = group.id;
    const content = await site.api.call(ops.updateGroups.publishContent, {
      params: { id: group.id },
    });
    await distributeAndWait(site.api, content.packageName, ['site-server']);
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    const c = await site.api.createCollection({
      name: 'Patched servers',
      rules: [{ kind: 'direct', deviceId: device.id }],
    });
    await waitFor(
      'the collection',
      async () => (await site.api.getCollection(c.id)).memberCount === 1,
    );
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    await new Promise((r) => repo?.server.close(r));
    if (key) disposeSigningKey(key);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deploys a group with the wizard as a rehearsal: what would change, nothing changed', async () => {
    await page.goto(`${site.adminUrl}/software/update-groups/${encodeURIComponent(groupId)}`);
    await page.getByTestId('update-group-deploy').click();
    await page.getByTestId('update-deploy-name').fill('January rollout');
    await page.getByTestId('update-deploy-collection').click();
    await page.getByRole('option', { name: /Patched servers/ }).click();
    await page.getByTestId('update-deploy-deadline').fill(soon());
    await page.getByTestId('update-deploy-rehearsal').check({ force: true });
    await page.getByTestId('update-deploy-notifyUsers').uncheck({ force: true });
    await page.getByTestId('update-deploy-submit').click();
    await page
      .getByTestId('update-deployment-title')
      .filter({ hasText: 'January rollout' })
      .waitFor();

    const row = page.getByTestId('update-deployment-device');
    await row
      .getByTestId('update-deployment-output')
      .filter({ hasText: 'would install' })
      .waitFor(RUN);
    await expect(row.getByTestId('update-deployment-output').textContent()).resolves.toContain(
      'hello-e2e=2.0-1',
    );
    expect(installedVersion()).toBe('1.0-1');
    // The rehearsal's restart prediction (ADR 0099): hello-e2e is no kernel/libc/systemd.
    await expect(row.getByTestId('restart-need-services').textContent()).resolves.toContain(
      'no restart (predicted)',
    );
    await page.screenshot({ path: join(SHOTS, 'update-deployment-rehearsal.png'), fullPage: true });
  }, 300_000);

  it('installs for real from the status page; the chart counts the device installed', async () => {
    await page.getByTestId('update-deployment-for-real').click();
    await page.getByTestId('update-deployment-for-real-confirm').click();
    await page
      .getByTestId('update-deployment-state-installed')
      .and(page.locator('[data-count="1"]'))
      .waitFor(RUN);
    expect(installedVersion()).toBe('2.0-1');
    const byUpdate = page.getByTestId('update-deployment-update');
    await expect(byUpdate.getByTestId('update-count-installed').textContent()).resolves.toBe(
      'Installed: 1',
    );
    await page.screenshot({ path: join(SHOTS, 'update-deployment-status.png'), fullPage: true });
  }, 300_000);

  it('lists it under Deployments, and disables it from its page', async () => {
    await page.goto(`${site.adminUrl}/software/updates?tab=deployments`);
    const listed = page.getByTestId('update-deployment-row').filter({ hasText: 'January rollout' });
    await listed.waitFor();
    await expect(
      listed.getByTestId('update-deployment-done').getAttribute('data-done'),
    ).resolves.toBe('1');
    await page.getByTestId('sort-name').click();
    await page.screenshot({ path: join(SHOTS, 'update-deployments.png'), fullPage: true });
    await listed.getByRole('link', { name: 'January rollout' }).click();
    await page.getByTestId('update-deployment-disable').click();
    await page.getByTestId('update-deployment-enable').waitFor();
    const d = await site.api.call(ops.updateDeployments.getUpdateDeployment, {
      params: { id: 'January rollout' },
    });
    expect(d.enabled).toBe(false);
  }, 120_000);

  it('deploys a ticked update in one step from the catalog (Deploy selected)', async () => {
    await page.goto(`${site.adminUrl}/software/updates`);
    const table = page.getByTestId('updates-table');
    const row = table.getByTestId('update-row').filter({ hasText: '2.0-1' });
    await row.getByTestId('select-row').check();
    await page.getByTestId('update-selection-deploy').click();
    await page.getByTestId('update-deploy-name').fill('Hotfix e2e');
    await page.getByTestId('update-deploy-collection').click();
    await page.getByRole('option', { name: /Patched servers/ }).click();
    await page.getByTestId('update-deploy-notifyUsers').uncheck({ force: true });
    await page.getByTestId('update-deploy-submit').click();
    await page.getByTestId('update-deployment-title').filter({ hasText: 'Hotfix e2e' }).waitFor();
    const d = await site.api.call(ops.updateDeployments.getUpdateDeployment, {
      params: { id: 'Hotfix e2e' },
    });
    // Its own group, named after it, holding exactly the ticked update.
    expect(d).toMatchObject({ groupName: 'Hotfix e2e', updates: [{ version: '2.0-1' }] });
    expect(d.updates).toHaveLength(1);
  }, 120_000);
});
