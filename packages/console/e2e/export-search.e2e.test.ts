/**
 * Issue 12 journeys in a real browser against a real site holding 10,000 devices (inserted
 * directly into its database, beside the one real agent): export every device from the device
 * list as CSV and check the file; find a device with Ctrl+K and open it with Enter.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@steward/server';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

const BULK = 10_000;

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function insertDevices(s: Site): Promise<void> {
  const db = await openDatabase(s.dbUrl ?? join(s.dir, 'server', 'steward.db'));
  try {
    const at = new Date(Date.now() - 3600_000).toISOString();
    for (let i = 0; i < BULK; i += 500) {
      const rows = Array.from({ length: Math.min(500, BULK - i) }, (_, k) => {
        const n = i + k;
        return {
          id: `e2e-${String(n).padStart(5, '0')}`,
          name: n === 7777 ? 'finance-laptop-7777' : `fleet-${String(n).padStart(5, '0')}`,
          key_hash: 'x',
          enrolled_at: at,
          ip_addresses: `10.20.${Math.floor(n / 256)}.${n % 256}`,
          os_name: n === 1 ? '=cmd|calc' : 'Debian GNU/Linux 12 (bookworm)',
          last_logged_on_user: n === 7777 ? 'ada, "the" countess' : null,
          package_count: n,
          inventory_resync: 0,
          last_contact_at: at,
        };
      });
      await db.kysely.insertInto('device').values(rows).execute();
    }
  } finally {
    await db.close();
  }
}

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

describe('export and global search with 10,000 devices', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 1 });
    await insertDevices(site);
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('exports every device of the list as CSV: header, row count, a known row', async () => {
    await page
      .getByTestId('pager-summary')
      .filter({ hasText: /of 10[,.\u202f\u00a0]?001$/ })
      .waitFor();
    await page.getByTestId('device-export').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('device-export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^devices-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    const records = parseCsv(text);
    const header = records[0] ?? [];
    expect(header.slice(0, 2)).toEqual(['id', 'name']);
    expect(records).toHaveLength(1 + BULK + 1);
    const at = (name: string) => header.indexOf(name);
    const known = records.find((r) => r[0] === 'e2e-07777') ?? [];
    expect(known[at('name')]).toBe('finance-laptop-7777');
    expect(known[at('lastLoggedOnUser')]).toBe('ada, "the" countess');
    expect(known[at('ipAddresses')]).toBe('10.20.30.97');
    expect(known[at('packageCount')]).toBe('7777');
    const formula = records.find((r) => r[0] === 'e2e-00001') ?? [];
    expect(formula[at('osName')]).toBe("'=cmd|calc");
  });

  it('exports only the filtered devices when a filter is set', async () => {
    await page.getByTestId('device-search').fill('finance-laptop');
    await page.getByTestId('pager-summary').filter({ hasText: /of 1$/ }).waitFor();
    await page.getByTestId('device-export').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('device-export-json').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const rows: unknown = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(rows).toEqual([expect.objectContaining({ id: 'e2e-07777' })]);
    await page.getByTestId('device-search').fill('');
  });

  it('finds a device with Ctrl+K and opens it with Enter', async () => {
    await page.goto(`${site.adminUrl}/collections`);
    await page.getByTestId('global-search-open').waitFor();
    await page.keyboard.press('Control+K');
    const input = page.getByTestId('global-search-input');
    await input.waitFor();
    await input.fill('laptop-77');
    await page
      .getByTestId('global-search-hit')
      .filter({ hasText: 'finance-laptop-7777' })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'global-search.png') });
    await input.press('Enter');
    await page.waitForURL(/\/devices\/e2e-07777$/);
    await page.getByTestId('device-name').filter({ hasText: 'finance-laptop-7777' }).waitFor();
  });

  it('opens search with "/" and finds a device by address', async () => {
    await page.keyboard.press('/');
    const input = page.getByTestId('global-search-input');
    await input.waitFor();
    await input.fill('10.20.0.42');
    await page.getByTestId('global-search-hit').filter({ hasText: 'fleet-00042' }).waitFor();
    await input.press('Enter');
    await page.waitForURL(/\/devices\/e2e-00042$/);
  });
});
