/**
 * The console's main journeys in a real browser (Debian's Chromium through playwright-core)
 * against a real site: a server process, a real agent process, a real database. Each step
 * saves a screenshot to test-results/screenshots/ for review.
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

async function shot(name: string, on: Page = page): Promise<void> {
  // Let transitions and chart animations settle so the picture shows the final state.
  await on.waitForTimeout(400);
  await on.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('console', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 1 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('refuses a wrong password with the error code, then signs in', async () => {
    await page.goto(site.adminUrl);
    await page.getByTestId('sign-in-form').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByTestId('sign-in-user').fill(site.adminUser);
    await page.getByTestId('sign-in-password').fill('not-the-password');
    await page.getByTestId('sign-in-submit').click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').textContent())
      .toContain('INVALID_CREDENTIALS');
    await shot('01-sign-in-error');

    await signIn(page, site);
    expect(new URL(page.url()).pathname).toBe('/devices');
  });

  it('lists the real device and filters the list', async () => {
    const device = site.devices[0];
    expect(device).toBeDefined();
    if (!device) return;
    const row = page.locator(`[data-testid="device-row"][data-device-name="${device.name}"]`);
    await row.waitFor();
    expect(await page.getByTestId('pager-summary').textContent()).toContain(
      `of ${site.devices.length}`,
    );
    await expect.poll(() => page.getByTestId('site-code').textContent()).toMatch(/\S/);
    await shot('02-devices');

    await page.getByTestId('device-search').fill('no-such-device-anywhere');
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('device-search').fill(device.name);
    await row.waitFor();
  });

  it('shows the device with real inventory: hardware, packages, status messages', async () => {
    const device = site.devices[0];
    if (!device) return;
    await page
      .locator(`[data-testid="device-row"][data-device-name="${device.name}"]`)
      .getByTestId('device-link')
      .click();
    await page.getByTestId('device-name').filter({ hasText: device.name }).waitFor();
    await page.getByTestId('summary-tab').waitFor();
    await shot('03-device-summary');

    await page.getByTestId('tab-hardware').click();
    await page.getByTestId('hw-os').waitFor();
    await page.getByTestId('machine-type-reason').waitFor();
    expect(await page.getByTestId('disk-row').count()).toBeGreaterThan(0);
    await shot('04-device-hardware');

    await page.getByTestId('tab-packages').click();
    await page.getByTestId('package-row').first().waitFor();
    const total = Number(
      ((await page.getByTestId('package-total').textContent()) ?? '').replace(/[^0-9]/g, ''),
    );
    expect(total).toBeGreaterThan(0);
    await shot('05-device-packages');

    await page.getByTestId('action-collect-inventory').click();
    const action = page
      .getByTestId('device-action')
      .filter({ has: page.locator('[data-state]') })
      .first();
    await action.waitFor();
    await expect
      .poll(
        () =>
          page
            .getByTestId('device-action')
            .first()
            .getByTestId('action-state')
            .getAttribute('data-state'),
        { timeout: 60_000 },
      )
      .toBe('completed');
    await page.getByTestId('tab-status').click();
    await page.getByTestId('status-message-row').first().waitFor();
    await shot('06-device-actions-status');
  });

  it('creates a collection from a query, with instant errors, completions and a live preview', async () => {
    const device = site.devices[0];
    if (!device) return;
    await page.getByTestId('nav-collections').click();
    await page.getByTestId('collection-table').waitFor();
    await shot('07-collections');

    await page.getByTestId('new-collection').click();
    const name = `Console e2e ${Date.now()}`;
    await page.getByTestId('collection-name').fill(name);
    const editor = page.getByTestId('query-editor-0');
    await editor.click();
    await editor.pressSequentially('memory.');
    await page.getByTestId('query-completions').waitFor();
    expect(await page.getByTestId('query-completion').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('totalMb')]),
    );
    await shot('08-query-completions');

    await editor.fill('memory.totalMB > 1 and device.nmae = "x"');
    await page.getByTestId('query-error').waitFor();
    expect(await page.getByTestId('query-error').textContent()).toMatch(/line 1, column \d+/);
    await shot('09-query-error');

    await editor.fill(`device.name = "${device.name}" and memory.totalMb > 0`);
    await page.getByTestId('query-valid').waitFor();
    await expect
      .poll(() => page.getByTestId('preview-count').textContent(), { timeout: 30_000 })
      .toBe('1');
    await shot('10-collection-preview');

    await page.getByTestId('collection-save').click();
    await page.getByTestId('collection-title').filter({ hasText: name }).waitFor();
    const member = page
      .getByTestId('member-table')
      .getByTestId('device-row')
      .filter({ hasText: device.name });
    await waitFor(
      'the new collection to list its member',
      async () => {
        if (await member.count()) return true;
        await page.getByTestId('collection-evaluate').click();
        await page.waitForTimeout(1000);
        return (await member.count()) > 0;
      },
      60_000,
      500,
    );
    expect(await page.getByTestId('collection-members-count').textContent()).toBe('1');
    await shot('11-collection-members');

    await page.getByTestId('ctab-revisions').click();
    await page.getByTestId('collection-revision').first().waitFor();
    await page.getByTestId('ctab-history').click();
    await page.getByTestId('membership-change').first().waitFor();
    await shot('12-collection-history');
  });

  it('renders client activity with counts and a chart', async () => {
    await page.getByTestId('nav-client-activity').click();
    await expect
      .poll(() => page.getByTestId('stat-total-value').textContent())
      .toBe(String(site.devices.length));
    await page.getByTestId('activity-chart').locator('.recharts-surface').first().waitFor();
    await page.getByTestId('activity-kinds').locator('.recharts-surface').first().waitFor();
    await shot('13-client-activity');
  });

  it('shows status messages live, with details on click', async () => {
    await page.getByTestId('nav-status-messages').click();
    await page.getByTestId('status-message-row').first().waitFor();
    expect(await page.getByTestId('live-state').textContent()).toBe('Live');
    const before = await page.getByTestId('status-message-row').count();
    // A new request to the agent produces new messages; the live tail must prepend them.
    const device = site.devices[0];
    if (device) await site.api.requestDeviceAction(device.id, 'policy:fetch');
    await expect
      .poll(() => page.getByTestId('status-message-row').count(), { timeout: 60_000 })
      .toBeGreaterThan(before);
    await shot('14-status-messages');

    await page.getByTestId('status-message-row').first().click();
    await page.getByTestId('drawer-text').waitFor();
    await shot('15-status-message-details');
    await page.keyboard.press('Escape');
  });

  it('creates an enrolment token and shows it once', async () => {
    await page.getByTestId('nav-tokens').click();
    await page.getByTestId('token-table').waitFor();
    await page.getByTestId('new-token').click();
    await page.getByTestId('token-description').fill('e2e token');
    await page.getByTestId('token-create-submit').click();
    await page.getByTestId('token-created').waitFor();
    expect(await page.getByTestId('token-command').textContent()).toMatch(
      /^steward-agent enroll --token \S+/,
    );
    await shot('16-enrolment-token');
    await page.getByTestId('token-created-done').click();
  });

  it('changes how long status messages are kept in the site settings', async () => {
    await page.getByTestId('nav-site-settings').click();
    const retention = page.getByTestId('site-setting-statusMessageRetentionDays');
    // The declared unit is shown in the field (SettingInput's suffix).
    await expect.poll(() => retention.inputValue()).toBe('90 days');
    await retention.fill('30');
    await page.getByTestId('site-settings-save').click();
    await expect
      .poll(async () => (await site.api.getSiteSettings()).statusMessageRetentionDays)
      .toBe(30);
    await shot('18b-site-settings');
    await site.api.updateSiteSettings({ statusMessageRetentionDays: 90 });
  });

  it('sets the policy interval in minutes on the client settings page (stored in seconds)', async () => {
    const before = (await site.api.getClientSettings()).policyIntervalSeconds;
    await site.api.updateClientSettings({ policyIntervalSeconds: 3600 });
    await page.getByTestId('nav-client-settings').click();
    const policy = page.getByTestId('setting-policyIntervalSeconds');
    // Declared in minutes (ClientSettingsOptions): an hour reads 60.
    await expect.poll(() => policy.inputValue()).toBe('60 min');
    await policy.fill('15');
    await page.getByTestId('client-settings-save').click();
    await expect
      .poll(async () => (await site.api.getClientSettings()).policyIntervalSeconds)
      .toBe(900);
    await site.api.updateClientSettings({ policyIntervalSeconds: before });
  });

  it('switches to the dark theme', async () => {
    await page.getByTestId('nav-devices').click();
    await page.getByTestId('device-row').first().waitFor();
    await page.getByTestId('theme-toggle').click();
    await expect
      .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
      .toBe('dark');
    await shot('17-devices-dark');
    await page.getByTestId('nav-inventory-classes').click();
    await page.getByTestId('builtin-classes').waitFor();
    await shot('18-inventory-classes-dark');
  });

  it('gives a read-only analyst a read-only console and explains what is forbidden', async () => {
    const name = `analyst${Date.now()}`;
    const password = 'analyst-password-1';
    await site.api.createUser({ name, password, role: 'read-only-analyst' });
    const analystContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
    });
    const p = await analystContext.newPage();
    try {
      await p.goto(`${site.adminUrl}/collections`);
      await p.getByTestId('sign-in-user').fill(name);
      await p.getByTestId('sign-in-password').fill(password);
      await p.getByTestId('sign-in-submit').click();
      // Back where the analyst was going, without the buttons the role cannot use.
      await p.getByTestId('collection-table').waitFor();
      expect(await p.getByTestId('new-collection').count()).toBe(0);
      expect(await p.getByTestId('nav-users').count()).toBe(0);
      expect(await p.getByTestId('nav-audit-log').count()).toBe(0);

      const device = site.devices[0];
      if (device) {
        await p.goto(`${site.adminUrl}/devices/${device.id}`);
        await p.getByTestId('device-facts').waitFor();
        expect(await p.getByTestId('action-collect-inventory').isDisabled()).toBe(true);
        expect(await p.getByTestId('action-revoke').count()).toBe(0);
      }
      await p.goto(`${site.adminUrl}/admin/users`);
      await p.getByTestId('forbidden-state').waitFor();
      await shot('19-read-only-forbidden', p);
    } finally {
      await analystContext.close();
    }
  });

  it('signs out back to the sign-in page', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
