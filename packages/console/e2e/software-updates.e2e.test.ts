/**
 * Software library > Software updates in a real browser against a real site: add an update source
 * (a local signed apt repository on 127.0.0.1, its keyring pasted armoured), sync it from the
 * page, watch the catalog fill, filter it; then a suite signed by another key fails with its reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
} from '../../../test-support/apt-repo.js';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
let key: SigningKey;
let stranger: SigningKey;
let http: { url: string; server: Server };

describe('console: software updates', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'steward-e2e-apt-'));
    key = createSigningKey(dir);
    stranger = createSigningKey(dir, 'Somebody Else');
    const root = join(dir, 'archive');
    writeSuite(root, {
      suite: 'stable-security',
      key,
      byHash: true,
      packages: [
        { name: 'libssl3', version: '3.0.16-1~deb12u1', source: 'openssl' },
        { name: 'openssl', version: '3.0.16-1~deb12u1' },
        { name: 'tzdata', version: '2025a-0+deb12u1' },
      ],
    });
    writeSuite(root, {
      suite: 'foreign',
      key: stranger,
      packages: [{ name: 'x1', version: '1.0-1' }],
    });
    http = await serveDirectory(root);
    site = await createTestSite({ withEnrolledDevices: 0 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    await new Promise((r) => http?.server.close(r));
    if (key) disposeSigningKey(key);
    if (stranger) disposeSigningKey(stranger);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds a source, syncs it and shows its updates', async () => {
    await page.getByTestId('nav-software-updates').click();
    await page.getByTestId('update-source-add').click();
    await page.getByTestId('update-source-name').fill('Local security');
    await page.getByTestId('update-source-url').fill(http.url);
    await page.getByTestId('update-source-suite').fill('stable-security');
    // Save explains what is missing until the keyring is given.
    await page.getByText('Still needed: the archive keyring').waitFor();
    await page
      .getByTestId('update-source-keyring')
      .fill(armorKeyring(readFileSync(key.keyringFile)));
    await page.getByTestId('update-source-save').click();
    await page.getByTestId('update-source-Local security').waitFor();
    await page.getByTestId('update-source-sync-Local security').click();
    await page
      .getByTestId('update-source-Local security')
      .getByText('3 packages read: 2 new, 0 superseded')
      .waitFor({ timeout: 60_000 });
    const table = page.getByTestId('updates-table');
    await table.getByText('openssl', { exact: true }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.getByTestId('update-search').fill('libssl');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'software-updates.png'), fullPage: true });
  });

  it('shows why a sync failed: a suite signed by a key outside the keyring', async () => {
    await site.api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Foreign',
        url: http.url,
        suite: 'foreign',
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    await page.reload();
    await page.getByTestId('update-source-sync-Foreign').click();
    await page
      .getByTestId('update-source-Foreign')
      .getByText(/Failed \(no-public-key\)/)
      .waitFor({ timeout: 60_000 });
  });
});
