/**
 * Bulk selection and actions in a real browser (issue 12, ADR 0031): filter the device list,
 * select the page, then every device matching the filter, add them to a collection through the
 * confirmation that names the count, read the summary, and find exactly those devices as the
 * collection's members. The devices are enrolled through the real agent endpoint.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { createScriptProgram, shellScript } from '../../../test-support/software.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let lab: { id: string; name: string }[];

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('bulk actions in the console', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    lab = await enrolVirtualDevices(site, names('lab', 130));
    await enrolVirtualDevices(site, names('desk', 40));
    await site.api.createCollection({ name: 'Lab machines', rules: [] });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('selects all devices matching a filter and adds them to a collection', async () => {
    await page.goto(`${site.adminUrl}/devices?q=lab-`);
    await expect
      .poll(() => page.getByTestId('pager-summary').textContent(), { timeout: 30_000 })
      .toContain('of 130');
    expect(await page.getByTestId('device-row').count()).toBe(50);

    // The page, then everything the filter matches.
    await page.getByTestId('select-page').check();
    await expect
      .poll(() => page.getByTestId('bulk-selected-count').textContent(), { timeout: 20_000 })
      .toBe('50 devices selected');
    const banner = page.getByTestId('selection-banner');
    await expect
      .poll(() => banner.textContent(), { timeout: 20_000 })
      .toContain('All 50 on this page are selected');
    await page.getByTestId('select-all-matching').click();
    await expect
      .poll(() => page.getByTestId('bulk-selected-count').textContent(), { timeout: 20_000 })
      .toBe('130 devices selected');
    await expect
      .poll(() => banner.textContent(), { timeout: 20_000 })
      .toContain('All 130 devices matching this filter');
    await shot('bulk-01-all-matching-selected');

    await page.getByTestId('bulk-action-collection:add').click();
    await expect
      .poll(() => page.getByTestId('bulk-confirm-question').textContent(), { timeout: 20_000 })
      .toBe('Add 130 devices?');
    await page.getByTestId('bulk-collection').click();
    await page.getByRole('option', { name: /Lab machines/ }).click();
    await shot('bulk-02-confirm');
    await page.getByTestId('bulk-confirm-button').click();

    const result = page.getByTestId('bulk-result');
    await result.waitFor();
    expect(await page.getByTestId('bulk-result-matched').textContent()).toBe('Selected: 130');
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 130');
    expect(await page.getByTestId('bulk-result-failed').textContent()).toBe('Failed: 0');
    await shot('bulk-03-summary');
    await page.getByTestId('bulk-result-close').click();
    await result.waitFor({ state: 'detached' });
    expect(await page.getByTestId('bulk-action-bar').count()).toBe(0);

    // Exactly those devices, as direct members.
    const members = await site.api.collectionMembers('Lab machines', { limit: 1000 });
    expect(members.total).toBe(130);
    expect(new Set(members.items.map((d) => d.id))).toEqual(new Set(lab.map((d) => d.id)));
    const audit = await site.api.listAudit({ action: 'device.bulk.collection:add' });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({
      count: 130,
      selection: { filter: { search: 'lab-' } },
    });
  });

  it("removes ticked members from the collection's members tab", async () => {
    const c = await site.api.getCollection('Lab machines');
    await page.goto(`${site.adminUrl}/collections/${c.id}`);
    const rows = page.getByTestId('member-table').getByTestId('device-row');
    await rows.first().waitFor();
    await rows.nth(0).getByTestId('select-row').check();
    await rows.nth(1).getByTestId('select-row').check();
    await expect
      .poll(() => page.getByTestId('bulk-selected-count').textContent(), { timeout: 20_000 })
      .toBe('2 devices selected');
    await page.getByTestId('bulk-action-collection:remove').click();
    await expect
      .poll(() => page.getByTestId('bulk-confirm-question').textContent(), { timeout: 20_000 })
      .toBe('Remove 2 devices?');
    await page.getByTestId('bulk-confirm-button').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 2');
    await shot('bulk-04-members-removed');
    await page.getByTestId('bulk-result-close').click();
    expect((await site.api.collectionMembers('Lab machines', { limit: 1 })).total).toBe(128);
  });

  it("reruns a deployment on every device matching its devices list's filter", async () => {
    const { program } = await createScriptProgram(site.api, {
      packageName: 'bulk-rerun',
      script: shellScript('true'),
    });
    const dep = await site.api.createDeployment({
      programId: program.id,
      collectionId: (await site.api.getCollection('Lab machines')).id,
      purpose: 'required',
      triggers: [{ type: 'asap' }],
    });
    await page.goto(`${site.adminUrl}/deployments/${dep.id}`);
    await page.getByTestId('dtab-devices').click();
    await page.getByPlaceholder('Search host names').fill('lab-00');
    const matching = (await site.api.deploymentDevices(dep.id, { search: 'lab-00', limit: 1 }))
      .total;
    expect(matching).toBeGreaterThan(50);
    await expect
      .poll(() => page.getByTestId('pager-summary').textContent(), { timeout: 20_000 })
      .toBe(`1–50 of ${matching}`);
    await page.getByTestId('deployment-devices').getByTestId('select-page').check();
    await page.getByTestId('select-all-matching').click();
    expect(await page.getByTestId('bulk-selected-count').textContent()).toBe(
      `${matching} devices selected`,
    );
    await page.getByTestId('bulk-action-rerun').click();
    expect(await page.getByTestId('bulk-confirm-question').textContent()).toBe(
      `Rerun on ${matching} devices?`,
    );
    await page.getByTestId('bulk-confirm-button').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe(`Done: ${matching}`);
    await shot('bulk-05-deployment-rerun');
    await page.getByTestId('bulk-result-close').click();
    const audit = (await site.api.listAudit({ action: 'deployment.rerun' })).filter(
      (e) => e.action === 'deployment.rerun' && e.targetId === dep.id,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ devices: matching, filter: { search: 'lab-00' } });
  });
});
