/**
 * Monitoring > Client health and the client activity chart in a real browser against a real site
 * whose clock the test moves (STEWARD_TEST_CLOCK_FILE): the one enrolled agent is stopped and the
 * site's clock moved 8 days on, so the device is inactive by all five signals and its inventory
 * is overdue. No activity check is run (its probe would connect to the machine's own
 * non-loopback addresses). Screenshots go to test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_FILE_VARIABLE } from '@steward/protocol/node';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let clockDir: string;

const shot = (name: string) =>
  page.screenshot({ path: join(SHOTS, `client-health-${name}.png`), fullPage: true });

describe('console: client health', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    clockDir = mkdtempSync(join(tmpdir(), 'steward-clock-'));
    const clockFile = join(clockDir, 'now');
    writeFileSync(clockFile, new Date().toISOString());
    site = await createTestSite({ env: { [CLOCK_FILE_VARIABLE]: clockFile } });
    await site.agents[0]?.stop();
    writeFileSync(clockFile, new Date(Date.now() + 8 * 86400_000).toISOString());
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('lists the inactive client with its five signals, and its overdue inventory', async () => {
    await page.getByTestId('nav-client-health').click();
    const row = page.getByTestId('report-inactive-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain(site.devices[0]?.name ?? '?');
    expect(await row.first().getByTestId('activity-check-outcome').count()).toBe(0);
    await shot('01-inactive');
    await page.getByTestId('htab-inventory').click();
    await page.getByTestId('report-inventory-row').first().waitFor();
    expect(await page.getByTestId('report-inventory-row').first().textContent()).toContain(
      'Site default',
    );
    await shot('02-inventory-overdue');
    await page.getByTestId('htab-client-check').click();
    await page.getByTestId('client-check-summary').waitFor();
    await expect
      .poll(() => page.getByTestId('client-check-reported').textContent())
      .toMatch(/of 1 members of All Systems reported a client check/);
    await shot('03-client-check-summary');
  });

  it('draws active and inactive clients per day with axis titles', async () => {
    await page.getByTestId('nav-client-activity').click();
    await expect.poll(() => page.getByTestId('stat-inactive-value').textContent()).toBe('1');
    const chart = page.getByTestId('activity-chart');
    await chart.locator('.recharts-surface').first().waitFor();
    expect(await chart.textContent()).toContain('Day (UTC)');
    expect(await chart.textContent()).toContain('Clients');
    await shot('04-activity-daily');
  });

  it("shows the device's signals on its Client health tab, with the Inactive badge", async () => {
    await page.goto(`${site.adminUrl}/devices/${site.devices[0]?.id ?? ''}?tab=client-health`);
    const section = page.getByTestId('device-activity');
    await section.waitFor();
    await section.getByTestId('badge-inactive').waitFor();
    expect(await section.textContent()).toContain('Software inventory');
    await shot('05-device-activity');
  });
});
