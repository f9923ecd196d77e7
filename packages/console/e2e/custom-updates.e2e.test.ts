/**
 * The console for custom (third-party) updates against a real site (issue 10, ADR 0074/0083):
 * in the browser a custom update is written in the form (identity, detection rules of two
 * kinds, an install program from the content library); a duplicate identity is refused with
 * its message; the catalog's kind filter finds it; its edit page deletes another one after a
 * confirmation; it is added to an update group from the group's page, and the deploy wizard
 * names it with its program; the header search opens it, and after a scan its state count
 * lists the device in that state, exported as CSV.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '@steward/protocol';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, signIn, SHOTS } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let groupId = '';

async function customByTitle(title: string) {
  const list = await site.api.call(ops.customUpdates.listCustomUpdates, { query: {} });
  return list.items.find((u) => u.title === title);
}

describe('console: custom updates', () => {
  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 1 });
    await site.api.createPackage({ name: 'acme-agent-e2e' });
    await site.api.createProgram('acme-agent-e2e', {
      name: 'Install',
      commandLine: 'sh install.sh',
      maxRunMinutes: 5,
    });
    // An older version exists already: the form's first try names its identity.
    await site.api.call(ops.customUpdates.createCustomUpdate, {
      body: {
        title: 'Acme Agent 2.0',
        vendor: 'Acme',
        product: 'Agent',
        version: '2.0',
        detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/acme/2.0' }] },
      },
    });
    const group = await site.api.call(ops.updateGroups.createGroup, {
      body: { name: 'Third-party' },
    });
    groupId = group.id;
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('creates a custom update in the form; a taken identity is refused by its code', async () => {
    await page.goto(`${site.adminUrl}/software/updates?kind=custom`);
    await page.getByTestId('custom-update-new').click();
    await expect(page.getByTestId('form-missing').textContent()).resolves.toContain('Title');
    await page.getByTestId('custom-title').fill('Acme Agent 2.1');
    await page.getByTestId('custom-vendor').fill('Acme');
    await page.getByTestId('custom-product').fill('Agent');
    await page.getByTestId('custom-version').fill('2.0');
    await page.getByTestId('custom-severity').click();
    await page.getByRole('option', { name: 'high', exact: true }).click();
    // Detection: the package at 2.1, or the file the installer writes.
    await page.getByTestId('custom-detection-0-package').fill('acme-agent');
    await page.getByTestId('custom-detection-0-version').fill('2.1-1');
    await page.getByTestId('custom-detection-add').click();
    await page.getByTestId('custom-detection-1-path').fill('/opt/acme/2.1');
    await page.getByTestId('custom-detection-match').click();
    await page.getByRole('option', { name: 'Any of these rules holds' }).click();
    // Applicability: only machines with the agent's directory.
    await page.getByTestId('custom-applicable').check({ force: true });
    await page.getByTestId('custom-applicability-0-path').fill('/opt/acme');
    await page.getByTestId('custom-install-program').click();
    await page.getByRole('option', { name: 'acme-agent-e2e / Install' }).click();

    await page.getByTestId('custom-save').click();
    const refusal = page.getByTestId('custom-error');
    await refusal.waitFor();
    await expect(refusal.getAttribute('data-error-code')).resolves.toBe('CUSTOM_UPDATE_EXISTS');
    await expect(refusal.textContent()).resolves.toContain(
      'vendor, product and version exists already',
    );
    await page.getByTestId('custom-version').fill('2.1');
    await page.screenshot({ path: join(SHOTS, 'custom-update-form.png'), fullPage: true });
    await page.getByTestId('custom-save').click();
    await page.getByTestId('custom-updates-table').waitFor();

    const created = await waitFor('the custom update', () => customByTitle('Acme Agent 2.1'));
    expect(created).toMatchObject({
      vendor: 'Acme',
      product: 'Agent',
      version: '2.1',
      severity: 'high',
      detection: {
        match: 'any',
        rules: [
          { kind: 'package', package: 'acme-agent', minVersion: '2.1-1' },
          { kind: 'file-exists', path: '/opt/acme/2.1' },
        ],
      },
      applicability: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/acme' }] },
      installProgram: { name: 'Install', packageName: 'acme-agent-e2e' },
      uninstallProgram: null,
    });
  }, 120_000);

  it('the kind filter shows custom updates; the edit page deletes after confirmation', async () => {
    await page.goto(`${site.adminUrl}/software/updates`);
    // Apt by default: the custom list is not shown.
    await page.getByTestId('updates-table').or(page.getByText('No updates match')).waitFor();
    await expect(page.getByTestId('custom-updates-table').count()).resolves.toBe(0);
    await page.getByTestId('update-filter-kind').getByText('Custom updates').click();
    const row = page.getByTestId('custom-update-row').filter({ hasText: 'Acme Agent 2.1' });
    await row.waitFor();
    expect(new URL(page.url()).searchParams.get('kind')).toBe('custom');
    await expect(row.textContent()).resolves.toContain('Acme · Agent');
    await expect(page.getByTestId('custom-update-row').count()).resolves.toBe(2);
    await page.screenshot({ path: join(SHOTS, 'custom-updates-catalog.png'), fullPage: true });

    await page
      .getByTestId('custom-update-row')
      .filter({ hasText: 'Acme Agent 2.0' })
      .getByTestId('custom-update-link')
      .click();
    await page.getByTestId('custom-update-title').filter({ hasText: 'Acme Agent 2.0' }).waitFor();
    await expect(page.getByTestId('custom-detection-0-path').inputValue()).resolves.toBe(
      '/opt/acme/2.0',
    );
    await page.getByTestId('custom-delete').click();
    await page.getByTestId('custom-delete-confirm').click();
    await page.getByTestId('custom-updates-table').waitFor();
    await waitFor('the deletion', async () =>
      (await customByTitle('Acme Agent 2.0')) ? undefined : true,
    );
    // The list refetches after the deletion: the row goes, the other stays.
    await page
      .getByTestId('custom-update-row')
      .filter({ hasText: 'Acme Agent 2.0' })
      .waitFor({ state: 'detached' });
    await expect(page.getByTestId('custom-update-row').count()).resolves.toBe(1);
  }, 120_000);

  it('adds it to an update group; the deploy wizard names it with its program', async () => {
    await page.goto(`${site.adminUrl}/software/update-groups/${encodeURIComponent(groupId)}`);
    await page.getByTestId('update-group-title').waitFor();
    // An empty group cannot be deployed.
    await expect(page.getByTestId('update-group-deploy').isDisabled()).resolves.toBe(true);
    await page.getByTestId('group-custom-choose').click();
    await page.getByRole('option', { name: /Acme Agent 2\.1/ }).click();
    await page.getByTestId('group-custom-add').click();
    const member = page
      .getByTestId('update-group-custom-member')
      .filter({ hasText: 'Acme Agent 2.1' });
    await member.waitFor();
    const group = await site.api.call(ops.updateGroups.getGroup, { params: { id: groupId } });
    const acme = await customByTitle('Acme Agent 2.1');
    expect(group.customUpdateIds).toEqual([acme?.id]);
    expect(group.updateIds).toEqual([]);

    await page.getByTestId('update-group-deploy').click();
    const contents = page.getByTestId('update-deploy-contents');
    await expect(contents.textContent()).resolves.toContain('0 apt updates and 1 custom updates');
    await page
      .getByTestId('update-deploy-custom')
      .filter({ hasText: 'Acme Agent 2.1 (custom): installed by acme-agent-e2e / Install' })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'custom-update-group.png'), fullPage: true });
  }, 120_000);

  it('header search opens it; a state count lists its devices in that state, exportable', async () => {
    // The enrolled agent scans this machine: no /opt/acme here, so 2.1 does not apply.
    const acme = await customByTitle('Acme Agent 2.1');
    const id = acme?.id ?? '';
    await site.api.requestDeviceAction(site.devices[0]?.id ?? '', 'updates:scan');
    await waitFor('the scan of the custom update', async () => {
      const c = await site.api.call(ops.customUpdates.customUpdateCompliance, { params: { id } });
      return c.counts.notRequired === 1 ? true : undefined;
    });
    await page.goto(`${site.adminUrl}/software/updates`);
    // The shortcut is bound once the header has mounted (not at the load event).
    await page.getByTestId('global-search-open').waitFor();
    await page.keyboard.press('/');
    const input = page.getByTestId('global-search-input');
    await input.waitFor();
    await input.fill('acme agent 2.1');
    await page.getByTestId('global-search-hit').filter({ hasText: 'Acme Agent 2.1' }).waitFor();
    await input.press('Enter');
    await page.waitForURL(new RegExp(`/software/custom-updates/${id}$`));

    await page.locator('[data-testid="custom-state-not-required"][data-count="1"]').waitFor();
    await page.getByTestId('custom-state-not-required').click();
    await page.waitForURL(/\?state=not-required$/);
    const row = page.getByTestId('custom-device-row');
    await row.waitFor();
    await expect(row.count()).resolves.toBe(1);
    await page.getByTestId('custom-devices-export').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('custom-devices-export-csv').click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain('not-required');
    await page.screenshot({ path: join(SHOTS, 'custom-update-devices.png'), fullPage: true });
  }, 180_000);
});
