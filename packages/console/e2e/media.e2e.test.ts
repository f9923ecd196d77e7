/**
 * Software library > Task-sequence media in a real browser against a real site (ADR 0097):
 * choose the capture kind, name the captured image, set a password, build; the list shows the
 * build's progress until ready, what the media carry and the lock of a password; the site's
 * record says the same. Skipped when the site cannot build ISO images.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '@steward/protocol';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { openDatabase, type Db } from '../../server/src/db/database.js';
import { isoToolsMissing } from '../../server/src/media/iso-builder.js';
import { insertMediaBootImage } from '../../server/test/support/media.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

const noIso = isoToolsMissing();

let site: Site;
let db: Db;
let browser: Browser;
let context: BrowserContext;
let page: Page;

describe.skipIf(noIso !== undefined)('console: task-sequence media', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    await insertMediaBootImage(
      site.api,
      db.kysely,
      Buffer.from('e2e kernel'),
      Buffer.from('e2e initramfs'),
    );
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await db?.kysely.destroy();
    await site?.stop();
  });

  it('builds password-protected capture media from the form', async () => {
    await page.getByTestId('nav-media').click();
    await page.getByText('No media').waitFor();
    await page.getByTestId('media-name').fill('capture-usb');
    await page.getByTestId('media-kind').click();
    await page.getByRole('option', { name: /^Capture:/ }).click();
    await page.getByTestId('media-capture-name').fill('Reference laptop');
    await page.getByTestId('media-boot-image').click();
    await page.getByRole('option', { name: /media-test version 1/ }).click();
    // A short password is refused in the form, before anything is sent.
    await page.getByTestId('media-password').fill('short');
    await page.getByText('8 to 128 characters').waitFor();
    await page.getByTestId('media-password').fill('e2e media password');
    await page.getByTestId('media-create').click();
    const row = page.getByTestId('media-row-capture-usb');
    await row.getByText('captures as Reference laptop').waitFor();
    await row.getByTestId('media-download-capture-usb').waitFor({ timeout: 120_000 });
    await row.getByLabel('password protected').waitFor();
    await page.screenshot({ path: join(SHOTS, 'media-capture.png'), fullPage: true });
    const m = await waitFor(
      'the media ready',
      async () => {
        const [one] = await site.api.call(ops.media.list, {});
        return one?.status === 'ready' ? one : undefined;
      },
      60_000,
    );
    expect(m).toMatchObject({
      name: 'capture-usb',
      kind: 'capture',
      captureImageName: 'Reference laptop',
      passwordProtected: true,
    });
  });
});
