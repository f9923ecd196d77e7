/**
 * The browser figures of issue 12 for bulk actions, with 10,000 devices: the device list, a
 * filter, and select-all + add to a collection, timed in the browser from the click to what the
 * page shows. Opt-in (STEWARD_BULK_SCALE=1); writes bench/results/console-bulk.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, REPO, type Site } from '../../../test-support/site.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';
import { launchBrowser, openPage, signIn } from './browser.js';

const COUNT = 10_000;
let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** Milliseconds from `act` until `done` resolves. */
async function timed(act: () => Promise<void>, done: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await act();
  await done();
  return Date.now() - started;
}

describe.skipIf(!process.env.STEWARD_BULK_SCALE)('bulk actions with 10,000 devices', () => {
  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 0 });
    const names = Array.from({ length: COUNT }, (_, i) => `node-${String(i).padStart(5, '0')}`);
    await enrolVirtualDevices(site, names, 32);
    await site.api.createCollection({ name: 'Half', rules: [] });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 1_800_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('lists, filters, selects all matching and adds them to a collection', async () => {
    const summary = page.getByTestId('pager-summary');
    const list = await timed(
      () => page.goto(`${site.adminUrl}/devices`).then(() => undefined),
      () => expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('of 10,000'),
    );
    const filter = await timed(
      () => page.getByTestId('device-search').fill('node-04'),
      () => expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('of 1,000'),
    );
    await page.getByTestId('select-page').check();
    await page.getByTestId('select-all-matching').click();
    await expect
      .poll(() => page.getByTestId('bulk-selected-count').textContent(), { timeout: 20_000 })
      .toBe('1,000 devices selected');
    await page.getByTestId('bulk-action-collection:add').click();
    await page.getByTestId('bulk-collection').click();
    await page.getByRole('option', { name: /Half/ }).click();
    const bulk = await timed(
      () => page.getByTestId('bulk-confirm-button').click(),
      () => page.getByTestId('bulk-result').waitFor({ timeout: 120_000 }),
    );
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 1,000');
    // And all 10,000: clear the filter, select all matching, fetch policy.
    await page.getByTestId('bulk-result-close').click();
    await page.getByTestId('device-search').fill('');
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('of 10,000');
    await page.getByTestId('select-page').check();
    await page.getByTestId('select-all-matching').click();
    await page.getByTestId('bulk-action-policy:fetch').click();
    const all = await timed(
      () => page.getByTestId('bulk-confirm-button').click(),
      () => page.getByTestId('bulk-result').waitFor({ timeout: 120_000 }),
    );
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 10,000');
    writeFileSync(
      join(REPO, 'bench', 'results', 'console-bulk.json'),
      `${JSON.stringify(
        {
          what: 'console pages with 10,000 devices, timed in the browser (issue 12, bulk actions)',
          devices: COUNT,
          database: 'sqlite',
          cpus: cpus().length,
          note: 'the machine was shared with other test runs',
          ms: {
            'device list (first page shown)': list,
            'filter to 1,000 (typed to the total shown)': filter,
            'select all 1,000 matching + add to a collection (confirm to summary)': bulk,
            'select all 10,000 + fetch policy (confirm to summary)': all,
          },
        },
        null,
        2,
      )}\n`,
    );
  }, 600_000);
});
