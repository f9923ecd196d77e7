/**
 * Software library > Drivers and Monitoring > Reports in a real browser against a real site:
 * import a driver package built as a real .deb, open it, disable it; open a built-in report, read
 * its SQL, run it and see the update source it reports on.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops } from '@steward/protocol';
import { buildDriverPackage } from '../../../test-support/driver-package.js';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
} from '../../../test-support/apt-repo.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;

describe('console: drivers and reports', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'steward-e2e-drivers-'));
    site = await createTestSite({ withEnrolledDevices: 0 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a driver package, shows its modules, and disables it', async () => {
    const deb = buildDriverPackage(dir, {
      name: 'steward-e2e-nic',
      version: '1.2-1',
      description: 'An e2e test NIC driver',
      modules: [
        {
          path: 'lib/modules/6.1.0-18-amd64/updates/e2enic.ko',
          modinfo: [
            ['alias', 'pci:v00008086d000010D3sv*sd*bc*sc*i*'],
            ['firmware', 'e2enic/fw.bin'],
            ['name', 'e2enic'],
          ],
        },
      ],
      firmware: { 'lib/firmware/e2enic/fw.bin': 'fw' },
    });
    await page.getByTestId('nav-drivers').click();
    await page.getByText('No drivers').waitFor();
    await page.locator('input[type=file]').setInputFiles(deb);
    await page.getByTestId('driver-import').click();
    const row = page.getByTestId('driver-row-steward-e2e-nic');
    await row.getByText('1 modules · 1 aliases · 1 firmware').waitFor();
    await row.click();
    const modules = page.getByTestId('driver-modules');
    await modules.getByText('e2enic', { exact: true }).waitFor();
    await modules.getByText('pci:v00008086d000010D3sv*sd*bc*sc*i*').waitFor();
    await page.screenshot({ path: join(SHOTS, 'driver.png'), fullPage: true });
    await page.getByTestId('driver-enabled').click();
    await page.getByText('Disabled: never matched or applied').waitFor();
    await page.keyboard.press('Escape');
    await row.getByText('Disabled').waitFor();
    const d = await site.api.call(ops.drivers.get, { params: { id: 'steward-e2e-nic' } });
    expect(d.enabled).toBe(false);
  });

  it('opens a built-in report, shows its SQL and runs it', async () => {
    const key = createSigningKey(dir);
    try {
      await site.api.call(ops.updateCatalog.createSource, {
        body: {
          name: 'E2E source',
          url: 'http://127.0.0.1:9/never',
          suite: 'stable',
          components: ['main'],
          architectures: ['amd64'],
          enabled: false,
          keyring: armorKeyring(readFileSync(key.keyringFile)),
        },
      });
    } finally {
      disposeSigningKey(key);
    }
    await page.getByTestId('nav-reports').click();
    await page.getByText('Update infrastructure status (catalog sync').click();
    await page
      .getByTestId('report-sql')
      .getByText(/from v_update_source_sync/)
      .waitFor();
    await page.getByTestId('report-table').getByText('E2E source').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
  });
  it('runs an update report, and a collection query with an update criterion', async () => {
    // A real signed suite on loopback, synced: the report lists its update as not authorised.
    // Its own directory: the previous case's key file is in `dir`.
    const own = mkdtempSync(join(dir, 'updates-'));
    const key = createSigningKey(own);
    const root = join(own, 'archive');
    writeSuite(root, { suite: 'e2e', packages: [{ name: 'e2e-tool', version: '1.0-1' }], key });
    const http = await serveDirectory(root);
    try {
      const source = await site.api.call(ops.updateCatalog.createSource, {
        body: {
          name: 'E2E suite',
          url: http.url,
          suite: 'e2e',
          components: ['main'],
          architectures: ['amd64'],
          keyring: armorKeyring(readFileSync(key.keyringFile)),
        },
      });
      await site.api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
      await waitFor('the sync to succeed', async () => {
        const syncs = await site.api.call(ops.updateCatalog.listSyncs, {
          params: { id: source.id },
        });
        return syncs.items[0]?.state === 'succeeded';
      });
    } finally {
      await new Promise((r) => http.server.close(r));
      disposeSigningKey(key);
    }
    await page.getByTestId('nav-reports').click();
    await page.getByText('Updates not yet authorised (in no update group)').click();
    await page
      .getByTestId('report-sql')
      .getByText(/v_update_group_member/)
      .waitFor();
    await page.getByTestId('report-table').getByText('e2e-tool').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'report-not-authorised.png'), fullPage: true });

    // The query editor knows the update class and its properties; the site evaluates it.
    await page.goto(`${site.adminUrl}/collections/new`);
    await page.getByTestId('add-query-rule').click();
    const editor = page.getByTestId('query-editor-0');
    await editor.click();
    await editor.pressSequentially('any(update, sev');
    await page.getByTestId('query-completions').waitFor();
    expect(await page.getByTestId('query-completion').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('severityLevel')]),
    );
    await editor.fill('any(update, state = "required" and severityLevel >= 3)');
    await page.getByTestId('query-valid').waitFor();
    await expect
      .poll(() => page.getByTestId('preview-count').textContent(), { timeout: 30_000 })
      .toBe('0');
    await page.screenshot({ path: join(SHOTS, 'collection-update-query.png'), fullPage: true });
  });
});
