/**
 * Software library › Operating systems › User state in a real browser against a real site
 * (issue 11, ADR 0096): the empty records list, a computer association made with the form
 * (a self-association refused with its message shown), listed and exported as CSV, the device
 * Users tab's user-state section linking to the list filtered to that device, and the DP
 * page's state migration point section saved from its declared settings.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '@steward/protocol';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let oldId = '';
let newId = '';

describe('console: user state', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    const [oldPc, newPc] = await enrolVirtualDevices(site, ['us-old-pc', 'us-new-pc']);
    oldId = oldPc?.id ?? '';
    newId = newPc?.id ?? '';
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('associates two computers, refuses a self-association and exports the associations', async () => {
    await page.getByTestId('nav-user-state').click();
    await page.getByTestId('user-state-page').waitFor();
    await page.getByText('No user-state records').waitFor();

    await page.getByTestId('association-source').fill('us-old-pc');
    await page.getByTestId('association-destination').fill('us-old-pc');
    await page.getByTestId('association-create').click();
    await page
      .getByTestId('association-error')
      .getByText(/associated with itself/)
      .waitFor();

    await page.getByTestId('association-destination').fill('us-new-pc');
    await page.getByTestId('association-create').click();
    await page.getByTestId('computer-associations-table').getByText('us-new-pc').waitFor();
    const made = await site.api.call(ops.userState.associations, {});
    expect(made).toEqual([
      expect.objectContaining({
        sourceComputerId: oldId,
        sourceKind: 'device',
        destinationComputerId: newId,
      }),
    ]);
    await page.screenshot({ path: join(SHOTS, 'user-state.png'), fullPage: true });

    await page.getByTestId('computer-associations-export').click();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('computer-associations-export-csv').click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^computer-associations-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]?.split(',').slice(0, 2)).toEqual(['id', 'sourceComputerId']);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([oldId]);
  });

  it("links a device's Users tab to its user-state records", async () => {
    await page.goto(`${site.adminUrl}/devices/${newId}?tab=users`);
    await page.getByTestId('device-user-state').getByText('No user state').waitFor();
    await page.getByTestId('device-user-state-link').click();
    await page.waitForURL(new RegExp(`/software/user-state\\?computer=${newId}$`));
    await page.getByText(`computer ${newId}`).waitFor();
  });

  it("saves a DP's state migration point role from the DP page", async () => {
    const reg = await site.api.createDistributionPoint({ name: 'branch-smp' });
    const dpId = reg.distributionPoint.id;
    await page.goto(`${site.adminUrl}/admin/distribution-points/${dpId}`);
    const section = page.getByTestId('dp-state-migration');
    await section.waitFor();
    // The multicast section above it uses the same declared-settings form.
    await page.getByTestId('dp-multicast-save').waitFor();
    await section.getByTestId('dp-state-migration-enabled').check({ force: true });
    await section.getByTestId('dp-state-migration-storageFolder').fill('/srv/steward/smp');
    await section.getByTestId('dp-state-migration-retentionDays').fill('7');
    await section.getByTestId('dp-state-migration-save').click();
    await page.getByText('State migration point saved').waitFor();
    const saved = await site.api.call(ops.dpStateMigration.get, { params: { id: dpId } });
    expect(saved).toMatchObject({
      enabled: true,
      storageFolder: '/srv/steward/smp',
      retentionDays: 7,
      updatedBy: site.adminUser,
    });
    await section.getByTestId('dp-state-migration-storageFolder').fill('relative/path');
    await expect(section.getByTestId('dp-state-migration-save').isDisabled()).resolves.toBe(true);
  });
});
