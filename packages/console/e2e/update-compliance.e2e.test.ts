/**
 * The console for software updates against a real site: a local signed apt repository synced
 * into the catalog, devices whose inventories hold older and newer openssl, advisories imported
 * from the checked-in fixtures (one uploaded, one read from a feed URL on 127.0.0.1). Walks the
 * catalog filter -> update page chart -> devices drill-down -> add to a group, the compliance
 * dashboard per CVE and per computer, the device's Updates tab and the scan audit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops, type InstalledPackage } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, REPO, SHOTS, signIn } from './browser.js';

const FIXTURES = join(REPO, 'packages/server/test/fixtures/advisories');
/** Lists load over a busy machine: poll as long as a locator waits. */
const POLL = { timeout: 30_000 };

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
let key: SigningKey;
let repo: { url: string; server: Server };
let feeds: { url: string; server: Server };

const pkg = (name: string, version: string): InstalledPackage => ({
  name,
  version,
  arch: 'amd64',
  manager: 'dpkg',
});

describe('console: update compliance', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-e2e-upd-'));
    key = createSigningKey(dir);
    const root = join(dir, 'archive');
    // A suite that names its release (bookworm), so advisories enrich its updates.
    writeSuite(root, {
      suite: 'bookworm-security',
      key,
      packages: [
        { name: 'libssl3', version: '3.0.16-1~deb12u1', source: 'openssl' },
        { name: 'openssl', version: '3.0.16-1~deb12u1' },
        { name: 'tzdata', version: '2025a-0+deb12u1' },
      ],
    });
    repo = await serveDirectory(root);
    feeds = await serveDirectory(FIXTURES);
    site = await createTestSite({ withEnrolledDevices: 0 });
    const source = await site.api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Local security',
        url: repo.url,
        suite: 'bookworm-security',
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    await site.api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
    await waitFor('the sync to succeed', async () => {
      const s = await site.api.call(ops.updateCatalog.getSource, { params: { id: source.id } });
      return s.lastSync?.state === 'succeeded' ? s : undefined;
    });
    // old-web needs openssl; new-web has it; db has none of it.
    await enrolInventoryDevices(site.api, [
      {
        hostname: 'old-web',
        classes: {},
        packages: [pkg('libssl3', '3.0.11-1~deb12u2'), pkg('openssl', '3.0.11-1~deb12u2')],
      },
      {
        hostname: 'new-web',
        classes: {},
        packages: [pkg('libssl3', '3.0.16-1~deb12u1'), pkg('openssl', '3.0.16-1~deb12u1')],
      },
      { hostname: 'db', classes: {}, packages: [pkg('postgresql-15', '15.10-0+deb12u1')] },
    ]);
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    await new Promise((r) => repo?.server.close(r));
    await new Promise((r) => feeds?.server.close(r));
    if (key) disposeSigningKey(key);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports advisories from a file and from a feed', async () => {
    await page.getByTestId('nav-advisories').click();
    await page.getByTestId('advisories-tab-feeds').click();
    await page.locator('input[type=file]').setInputFiles(join(FIXTURES, 'tracker.json'));
    await page.getByTestId('advisory-file-format').click();
    await page.getByRole('option', { name: /security tracker/ }).click();
    await page.getByTestId('advisory-file-import').click();
    const history = page.getByTestId('advisory-imports-table');
    await history.getByText(/3 CVEs, 4 fixes/).waitFor();

    await page.getByTestId('advisory-feed-add').click();
    await page.getByTestId('advisory-feed-name').fill('Local DSA');
    await page.getByTestId('advisory-feed-url').fill(`${feeds.url}/DSA-list`);
    await page.getByTestId('advisory-feed-format').click();
    await page.getByRole('option', { name: 'DSA list' }).click();
    await page.getByTestId('advisory-feed-save').click();
    const feed = page.getByTestId('advisory-feed-Local DSA');
    await feed.getByText('Not imported yet').waitFor();
    await page.getByTestId('advisory-feed-import-Local DSA').click();
    await feed.getByText(/^2 advisories/).waitFor();
    await expect.poll(() => history.getByTestId('advisory-import-row').count(), POLL).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'advisory-feeds.png'), fullPage: true });

    await page.getByTestId('advisories-tab-list').click();
    await page.getByTestId('advisory-filter-cve').fill('CVE-2024-5535');
    const list = page.getByTestId('advisories-table');
    await expect.poll(() => list.getByTestId('advisory-row').count(), POLL).toBe(1);
    await list.getByText('DSA-5844-1').click();
    await page
      .getByTestId('advisory-title')
      .getByText(/DSA-5844-1/)
      .waitFor();
    await page.getByTestId('advisory-fixes').getByText('3.0.15-1~deb12u1').waitFor();
  });

  it('filters the catalog by CVE, charts an update and adds it to a group', async () => {
    // A group to add to.
    await page.getByTestId('nav-software-updates').click();
    await page.getByTestId('updates-tab-groups').click();
    await page.getByTestId('update-group-new').click();
    await page.getByTestId('update-group-name').fill('December security');
    await page.getByTestId('update-group-create').click();
    await page.getByTestId('update-group-title').getByText('December security').waitFor();

    await page.getByTestId('nav-software-updates').click();
    const table = page.getByTestId('updates-table');
    await expect.poll(() => table.getByTestId('update-row').count(), POLL).toBe(2);
    await page.getByTestId('update-filter-cve').fill('CVE-2024-5535');
    await expect.poll(() => table.getByTestId('update-row').count(), POLL).toBe(1);
    const row = table.locator('[data-package="openssl"]');
    await row.getByText('high').waitFor();

    await row.getByTestId('update-link').click();
    await page.getByTestId('update-title').getByText('openssl 3.0.16-1~deb12u1').waitFor();
    await page.locator('[data-testid="update-state-required"][data-count="1"]').waitFor();
    expect(await page.getByTestId('update-state-installed').getAttribute('data-count')).toBe('1');
    expect(await page.getByTestId('update-state-not-required').getAttribute('data-count')).toBe(
      '1',
    );
    await page.getByTestId('update-state-required').click();
    const devices = page.getByTestId('update-devices');
    await expect.poll(() => devices.getByTestId('compliance-row').count(), POLL).toBe(1);
    await devices.getByText('old-web').waitFor();
    expect(await devices.getByTestId('compliance-row').getAttribute('data-state')).toBe('required');
    await page.screenshot({ path: join(SHOTS, 'update-page.png'), fullPage: true });

    await page.goBack();
    await table.locator('[data-package="openssl"]').getByTestId('select-row').check();
    await page.getByTestId('bulk-action-add-to-group').click();
    await page.getByTestId('bulk-update-group').click();
    await page.getByRole('option', { name: 'December security' }).click();
    await page.getByTestId('bulk-confirm-button').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 1');
    await page.getByTestId('bulk-result-follow').click();
    const members = page.getByTestId('update-group-members');
    await members.getByText('openssl').waitFor();
    expect(await members.getByTestId('update-group-member').count()).toBe(1);
  });

  it('drills down per CVE and per computer from the compliance dashboard', async () => {
    await page.getByTestId('nav-update-compliance').click();
    await page.getByTestId('compliance-cve').fill('CVE-2024-5535');
    await page.getByTestId('compliance-cve-open').click();
    await page.getByTestId('cve-title').getByText('CVE-2024-5535').waitFor();
    await page.locator('[data-testid="cve-state-affected"][data-count="1"]').waitFor();
    expect(await page.getByTestId('cve-state-fixed').getAttribute('data-count')).toBe('1');
    await page.getByTestId('cve-packages').getByText('bookworm').first().waitFor();
    await page.getByTestId('cve-state-affected').click();
    const devices = page.getByTestId('cve-devices');
    await expect.poll(() => devices.getByTestId('cve-device').count(), POLL).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'cve-view.png'), fullPage: true });

    // Per computer: the device's Updates tab, from the CVE view's device link.
    await devices.getByText('old-web').click();
    await page.getByTestId('device-name').getByText('old-web').waitFor();
    const updates = page.getByTestId('device-updates');
    await expect.poll(() => updates.getByTestId('compliance-row').count(), POLL).toBe(1);
    await updates.getByText('openssl').waitFor();
    await page.locator('[data-testid="device-last-scan"][data-state="never"]').waitFor();
    await page.getByTestId('device-updates-state').getByText('All', { exact: true }).click();
    await updates.getByText('openssl').waitFor();
    await page.getByTestId('action-update-scan').click();
    await page.getByText('Scan for updates requested.').waitFor();
    await page.screenshot({ path: join(SHOTS, 'device-updates.png'), fullPage: true });
  });

  it('shows scan freshness and the scan audit', async () => {
    await page.getByTestId('nav-update-compliance').click();
    // Only old-web needs an update (openssl): one device, one most-required update, severity high.
    await page.locator('[data-testid="compliance-devices"][data-requiring="1"]').waitFor();
    const most = page.getByTestId('most-required');
    await expect.poll(() => most.getByTestId('most-required-row').count(), POLL).toBe(1);
    await most.getByText('openssl').waitFor();
    expect(
      await page.getByTestId('compliance-by-severity-high').getAttribute('data-required'),
    ).toBe('1');
    await page.locator('[data-testid="scan-state-never"][data-count="3"]').waitFor();
    expect(await page.getByTestId('scan-state-current').getAttribute('data-count')).toBe('0');
    await page.screenshot({ path: join(SHOTS, 'update-compliance.png'), fullPage: true });
    await page.getByTestId('scan-state-never').click();
    const audit = page.getByTestId('scan-audit-table');
    await expect.poll(() => audit.getByTestId('scan-audit-row').count(), POLL).toBe(3);
    expect(await audit.locator('[data-state="never"]').count()).toBe(3);
    await page.getByTestId('scan-audit-export').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('scan-audit-export-csv').click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(4);
  });
});
