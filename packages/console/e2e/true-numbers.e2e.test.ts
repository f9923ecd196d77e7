/**
 * Issue 12, "True numbers", in a real browser against a real site with two real agent
 * processes: Online drops on the pages that show it when an agent stops (no reload: the pages
 * refresh themselves), the client activity chart has its axes, the collection history is
 * grouped by evaluation and filtered, a disabled Save says which field is missing, query
 * suggestions are not clipped by their card, and the status badges and device tabs fit at
 * 1024, 1280 and 1440 px. Screenshots go to test-results/screenshots/true-numbers-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  // Let transitions and chart animations settle so the picture shows the final state.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `true-numbers-${name}.png`), fullPage: true });
}

/**
 * The badges (matching `selector`) whose text is cut off: the label's text is wider than the
 * badge shows. Empty when every one is whole; `['none found']` when there is none.
 */
function truncatedBadges(selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const all = [...document.querySelectorAll<HTMLElement>(sel)];
    if (all.length === 0) return ['none found'];
    return all.flatMap((badge) => {
      const label = badge.querySelector<HTMLElement>('.mantine-Badge-label') ?? badge;
      const range = document.createRange();
      range.selectNodeContents(label);
      const text = range.getBoundingClientRect().width;
      const shown = label.getBoundingClientRect().width;
      return text > shown + 1 || badge.scrollWidth > badge.clientWidth + 1
        ? [`${label.textContent ?? ''}: text ${text}px, shown ${shown}px`]
        : [];
    });
  }, selector);
}

/** How many distinct rows (top offsets) the elements matching `selector` are laid out on. */
function rowsOf(selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const tops = [...document.querySelectorAll<HTMLElement>(sel)].map((el) =>
      Math.round(el.getBoundingClientRect().top),
    );
    return new Set(tops).size;
  }, selector);
}

describe('true numbers', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 2 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('shows Online drop on Client activity and the device list when an agent stops', async () => {
    const [a] = site.agents;
    if (!a) throw new Error('no agent');
    await waitFor('both agents online', async () => (await site.api.clientActivity()).online === 2);
    await page.getByTestId('nav-client-activity').click();
    await expect.poll(() => page.getByTestId('stat-online-value').textContent()).toBe('2');
    await shot('01-activity-online-2');

    await a.stop();
    // No reload: the page reads Online again by itself and shows the drop.
    await expect
      .poll(() => page.getByTestId('stat-online-value').textContent(), { timeout: 45_000 })
      .toBe('1');
    await shot('02-activity-online-1');

    await page.goto(`${site.adminUrl}/devices?status=online`);
    await page.getByTestId('device-row').first().waitFor();
    expect(await page.getByTestId('device-row').count()).toBe(1);
    const stopped = await site.api.getDevice(a.deviceId);
    await page.goto(`${site.adminUrl}/devices`);
    const row = page.locator(`[data-testid="device-row"][data-device-name="${stopped.name}"]`);
    await row.getByTestId('badge-offline').waitFor();
    a.start();
    await row.getByTestId('badge-online').waitFor({ timeout: 45_000 });
  });

  it('draws the client activity chart with both axes labelled', async () => {
    await page.getByTestId('nav-client-activity').click();
    const chart = page.getByTestId('activity-chart');
    await chart.locator('.recharts-surface').first().waitFor();
    const text = (await chart.locator('svg').first().textContent()) ?? '';
    expect(text).toContain('Clients');
    expect(text).toContain('Day (UTC)');
    // Value axis ticks (0 and at least one more) and at least one day label.
    expect(await chart.locator('.recharts-yAxis .recharts-cartesian-axis-tick').count()).toBe(5);
    expect(
      await chart.locator('.recharts-xAxis .recharts-cartesian-axis-tick').count(),
    ).toBeGreaterThan(0);
    await shot('03-activity-chart');
  });

  it('groups the membership history by evaluation and filters it', async () => {
    const [d0, d1] = site.devices;
    if (!d0 || !d1) throw new Error('two devices expected');
    const c = await site.api.createCollection({
      name: 'True numbers',
      rules: [{ kind: 'direct', deviceId: d0.id }],
    });
    await site.api.updateCollection(c.id, {
      name: 'True numbers',
      rules: [{ kind: 'query', query: 'os.family = "debian"' }],
    });
    await waitFor('two evaluations', async () => {
      const h = await site.api.collectionMembershipHistory(c.id);
      return h.length >= 2;
    });
    await page.goto(`${site.adminUrl}/collections/${c.id}?tab=history`);
    const groups = page.getByTestId('membership-evaluation');
    await expect.poll(() => groups.count()).toBe(2);
    expect(await groups.first().getByTestId('membership-evaluation-added').textContent()).toBe(
      'added 1',
    );
    await shot('04-history-grouped');
    // Both real agents run on this machine, so both devices carry its name: the name filter is
    // shown matching both, then nothing; the kind filter leaves no removal.
    await page.getByTestId('membership-history-device').fill(d1.name);
    await expect.poll(() => groups.count()).toBe(2);
    await page.getByTestId('membership-history-device').fill('no-such-device');
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('membership-history-device').fill('');
    await expect.poll(() => groups.count()).toBe(2);
    await page.getByTestId('membership-history-change').getByText('Removed').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('membership-history-change').getByText('Added').click();
    await expect.poll(() => groups.count()).toBe(2);
    await shot('05-history-filtered');
  });

  it('says which required field is empty next to a disabled Save', async () => {
    await page.goto(`${site.adminUrl}/admin/distribution-points`);
    await page.getByTestId('new-dp').click();
    const save = page.getByTestId('dp-create');
    await expect.poll(() => save.isDisabled()).toBe(true);
    expect(await page.getByTestId('form-missing').textContent()).toBe('Required: Name');
    await shot('06-required-field');
    await page.getByTestId('dp-name').fill('dp-branch');
    await page.getByTestId('form-missing').waitFor({ state: 'detached' });
    expect(await save.isDisabled()).toBe(false);
    await page.keyboard.press('Escape');
  });

  it('shows query suggestions in full, outside the rules card', async () => {
    await page.goto(`${site.adminUrl}/collections/new`);
    await page.getByTestId('add-query-rule').click();
    const editor = page.getByTestId('query-editor-0');
    await editor.click();
    await editor.pressSequentially('any(');
    const popup = page.getByTestId('query-completions');
    await popup.waitFor();
    const items = popup.getByTestId('query-completion');
    expect(await items.count()).toBeGreaterThan(5);
    // The last suggestion is what the pointer would hit at its place: nothing covers or clips it.
    const last = await items.last().boundingBox();
    if (!last) throw new Error('no box for the last suggestion');
    const hit = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid="query-completions"]'),
      [last.x + last.width / 2, last.y + last.height / 2] as const,
    );
    expect(hit).not.toBeNull();
    expect(await popup.textContent()).toContain('Installed packages');
    await shot('07-query-suggestions');
  });

  it.each([1024, 1280, 1440])('fits status badges and device tabs at %i px', async (width) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${site.adminUrl}/devices`);
    await page.getByTestId('device-row').first().waitFor();
    expect(await truncatedBadges('[data-testid="device-row"] .mantine-Badge-root')).toEqual([]);
    // Each row's badges sit side by side: one line per row.
    const rows = await page.getByTestId('device-row').count();
    expect(await rowsOf('[data-testid="device-row"] .mantine-Badge-root')).toBe(rows);
    await shot(`08-devices-${width}`);

    await page.getByTestId('device-link').first().click();
    await page.getByTestId('summary-tab').waitFor();
    expect(await truncatedBadges('[data-testid^="badge-"]')).toEqual([]);
    if (width >= 1440) expect(await rowsOf('[role="tab"]')).toBe(1);
    await shot(`09-device-${width}`);
  });
});
