/**
 * Columns and saved views (issue 12, ADR 0034) in a real browser against a real site: choose
 * columns (an inventory property among them), sort by it, compact rows, save a view, reload
 * (restored), open the share link in a fresh page (same list), open a link naming only the view,
 * and filter a collection's members with the device list's own filters.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function shot(name: string, on: Page = page): Promise<void> {
  await on.waitForTimeout(300);
  await on.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Polls until the matcher holds: the list refetches after a debounce, on a busy machine. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });

const DEVICES = [
  { hostname: 'sv-beta', model: 'Xeon Gold', serial: 'SN-2' },
  { hostname: 'sv-alpha', model: 'Core i5', serial: 'SN-3' },
  { hostname: 'sv-gamma', model: 'EPYC 7302', serial: 'SN-1' },
];

/** The names of the device rows, top to bottom. */
function rowNames(on: Page, table = 'device-table'): Promise<(string | null)[]> {
  return on
    .getByTestId(table)
    .getByTestId('device-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-name')));
}

function headers(on: Page): Promise<string[]> {
  return on.getByTestId('device-table').locator('thead th').allInnerTexts();
}

/** What a page shows of the list: the state a view and a link must bring back. */
async function listShown(on: Page) {
  await poll(() => rowNames(on)).toEqual(['sv-alpha', 'sv-gamma', 'sv-beta']);
  const cells = await on
    .getByTestId('device-table')
    .locator('td[data-column="inventory.cpu.model"]')
    .allInnerTexts();
  return {
    headers: (await headers(on)).map((h) => h.trim()),
    cells,
    search: await on.getByTestId('device-search').inputValue(),
    density: await on.getByTestId('device-table').getAttribute('data-density'),
  };
}

describe('columns and saved views', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    await enrolInventoryDevices(
      site.api,
      DEVICES.map((d) => ({
        hostname: d.hostname,
        classes: {
          cpu: [{ model: d.model, cores: 4 }],
          machine: [{ serialNumber: d.serial, type: 'server' }],
        },
      })),
    );
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  let link = '';
  let viewId = '';
  let expected: Awaited<ReturnType<typeof listShown>>;

  it('chooses columns (an inventory property), sorts by it, saves a view', async () => {
    await page.getByTestId('device-search').fill('sv-');
    await poll(() => rowNames(page)).toHaveLength(3);
    // The search reaches the address after its debounce.
    await poll(() => new URL(page.url()).searchParams.get('q')).toBe('sv-');

    await page.getByTestId('column-chooser').click();
    await page.getByTestId('add-column-serial').click();
    // The chosen columns live in the address; the next change must start from this one.
    await expect
      .poll(() =>
        page
          .getByTestId('chosen-column')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-column'))),
      )
      .toContain('serial');
    await page.getByTestId('add-inventory-column').click();
    await page.getByTestId('add-inventory-column').fill('cpu.model');
    await page.getByRole('option', { name: 'cpu.model', exact: true }).click();
    await expect
      .poll(() =>
        page
          .getByTestId('chosen-column')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-column'))),
      )
      .toEqual([
        'name',
        'os',
        'machineType',
        'status',
        'lastContact',
        'memory',
        'user',
        'serial',
        'inventory.cpu.model',
      ]);
    // Move the property before the serial number, and drop the memory column.
    await page.getByLabel('Move inventory.cpu.model up').click();
    await page.getByLabel('Remove memory').click();
    await page.keyboard.press('Escape');
    await poll(() => headers(page)).toContain('cpu.model');
    await shot('views-01-columns');

    await page.getByTestId('sort-inventory.cpu.model').click();
    await poll(() => rowNames(page)).toEqual(['sv-alpha', 'sv-gamma', 'sv-beta']);
    await page.getByTestId('density-toggle').click();
    await expect
      .poll(() => page.getByTestId('device-table').getAttribute('data-density'))
      .toBe('compact');
    expected = await listShown(page);
    expect(expected.cells).toEqual(['Core i5', 'EPYC 7302', 'Xeon Gold']);
    expect(expected.headers.slice(-2)).toEqual(['cpu.model', 'Serial number']);
    expect(expected.headers).not.toContain('Memory');

    await page.getByTestId('views-menu').click();
    await page.getByTestId('view-save-as').click();
    await page.getByTestId('view-name').fill('Servers by CPU');
    await page.getByTestId('view-shared').check();
    await page.getByTestId('view-save').click();
    await page.getByTestId('views-menu').filter({ hasText: 'Servers by CPU' }).waitFor();
    const saved = (await site.api.listViews()).find((v) => v.name === 'Servers by CPU');
    expect(saved).toMatchObject({ shared: true, owner: 'admin' });
    expect(saved?.state).toMatchObject({
      search: 'sv-',
      sort: 'inventory.cpu.model',
      density: 'compact',
      columns: [
        'name',
        'os',
        'machineType',
        'status',
        'lastContact',
        'user',
        'inventory.cpu.model',
        'serial',
      ],
    });
    viewId = saved?.id ?? '';
    link = page.url();
    expect(new URL(link).searchParams.get('view')).toBe(viewId);
    await shot('views-02-saved');
  });

  it('restores the list after a reload', async () => {
    await page.reload();
    expect(await listShown(page)).toEqual(expected);
    await page.getByTestId('views-menu').filter({ hasText: 'Servers by CPU' }).waitFor();
  });

  it('shows the same list to a fresh page opening the link', async () => {
    const fresh = await openPage(browser);
    try {
      await signIn(fresh.page, site);
      await fresh.page.goto(link);
      expect(await listShown(fresh.page)).toEqual(expected);
      await shot('views-03-shared-link', fresh.page);
      // A link naming only the view opens its list too.
      await fresh.page.goto(`${site.adminUrl}/devices?view=${encodeURIComponent(viewId)}`);
      await poll(() => new URL(fresh.page.url()).searchParams.get('q')).toBe('sv-');
      expect(await listShown(fresh.page)).toEqual(expected);
    } finally {
      await fresh.context.close();
    }
  });

  it('keeps a column chosen while the search box is still waiting to apply its text', async () => {
    const fresh = await openPage(browser);
    const on = fresh.page;
    try {
      // The page's clock is ours: it stands still while the search is typed and the column
      // added, so the column change surely lands inside the search's debounce; then it runs.
      await on.clock.install();
      await signIn(on, site);
      await on.goto(`${site.adminUrl}/devices`);
      await poll(() => rowNames(on)).toHaveLength(3);
      await on.getByTestId('column-chooser').click();
      await expect.poll(() => on.getByTestId('add-column-serial').isVisible()).toBe(true);
      await on.clock.pauseAt(Date.now() + 1_000);
      await on.getByTestId('device-search').fill('sv-b');
      await on.getByTestId('add-column-serial').click();
      await on.clock.runFor(1_000);
      await on.clock.resume();
      // The search landing afterwards must not write back the columns of when it was typed.
      await poll(() => new URL(on.url()).searchParams.get('q')).toBe('sv-b');
      await poll(() => rowNames(on)).toEqual(['sv-beta']);
      expect(
        await on
          .getByTestId('chosen-column')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-column'))),
      ).toContain('serial');
    } finally {
      await fresh.context.close();
    }
  });

  it("filters a collection's members with the device list's filters", async () => {
    await waitFor('All Systems to hold the devices', async () => {
      const m = await site.api.listDevices({ collection: 'all-systems', search: 'sv-' });
      return m.total === 3 ? m : undefined;
    });
    await page.goto(`${site.adminUrl}/collections/all-systems`);
    await poll(() => rowNames(page, 'member-table')).toHaveLength(3);
    await page.getByTestId('member-search').fill('sv-gam');
    await poll(() => rowNames(page, 'member-table')).toEqual(['sv-gamma']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('sv-gam');
    await shot('views-04-members-filtered');
  });
});
