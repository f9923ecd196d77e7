/**
 * Software library > Upgrade packages in a real browser against a real site (issue 11, ADR
 * 0102): create one through the form, see it listed and open its details; once an upgrade task
 * sequence names it, its details list that sequence, and the editor shows the step's package by
 * name.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { upgradeSequence } from '../../../test-support/upgrade-package.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
let key: SigningKey;

describe('console: upgrade packages', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'steward-e2e-upgrade-'));
    key = createSigningKey(dir, 'E2E Trixie Archive');
    site = await createTestSite({ withEnrolledDevices: 0 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    if (key) disposeSigningKey(key);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates an upgrade package and shows the sequence that uses it', async () => {
    await page.getByTestId('nav-upgrade-packages').click();
    await page.getByText('No upgrade packages').waitFor();
    await page.getByTestId('up-new').click();
    await page.getByTestId('up-name').fill('Bookworm to trixie');
    await page.getByTestId('up-keyring').fill(armorKeyring(readFileSync(key.keyringFile)));
    await page.getByTestId('up-create').click();
    const row = page.getByTestId('up-row-Bookworm to trixie');
    await row.getByText('trixie (13)').waitFor();
    const pkg = await site.api.call(ops.upgradePackages.get, {
      params: { id: 'Bookworm to trixie' },
    });
    expect(pkg.sources).toEqual([
      { url: 'http://deb.debian.org/debian', suite: 'trixie', components: ['main'] },
    ]);
    expect(pkg.options.downloadOnlyFirst).toBe(true);
    await site.api.call(ops.taskSequences.create, {
      body: upgradeSequence('Upgrade to trixie', pkg.id),
    });
    await row.getByText('Bookworm to trixie').click();
    const details = page.getByTestId('up-details');
    await details.getByText('bookworm (12) → trixie (13)').waitFor();
    await details.getByText('Upgrade to trixie').waitFor();
    await page.screenshot({ path: join(SHOTS, 'upgrade-package.png'), fullPage: true });
    await details.getByText('Upgrade to trixie').click();
    await page.getByText('Upgrade operating system').first().click();
    await page
      .getByTestId('step-setting-upgradePackageId')
      .and(page.locator('input'))
      .first()
      .waitFor();
    expect(await page.getByTestId('step-setting-upgradePackageId').first().inputValue()).toContain(
      'Bookworm to trixie',
    );
  });
});
