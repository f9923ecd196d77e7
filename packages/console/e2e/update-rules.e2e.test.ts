/**
 * The console for automatic deployment rules against a real site and a real agent process
 * (issue 10, ADR 0072/0082): a local signed apt repository synced into the catalog, then in the
 * browser: a new rule is written in the form (filter by title, one target collection), its
 * preview shows the update the filter matches now, it is created, run with "Run now", and its
 * run history links to the update deployment the run made, whose page opens; the run history
 * and the rollups export from their Export menus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '@steward/protocol';
import type { TestPackage } from '../../../test-support/apt-repo.js';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import {
  deviceCollection,
  disposeUpstream,
  localUpstream,
  syncedSource,
  type LocalUpstream,
} from '../../../test-support/update-fixture.js';
import { launchBrowser, openPage, signIn, SHOTS } from './browser.js';

const OLD: TestPackage = { name: 'hello-rule-e2e', version: '1.0-1' };
const NEW: TestPackage = { name: 'hello-rule-e2e', version: '2.0-1' };
const OTHER: TestPackage = { name: 'tzdata-rule-e2e', version: '2031a-1' };

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let up: LocalUpstream;

describe('console: automatic deployment rules', () => {
  beforeAll(async () => {
    up = await localUpstream('steward-e2e-upd-rules-', 'stable-security', [OLD, NEW, OTHER]);
    const box = createDpkgSandbox(up.dir, 'root');
    installPackages(up.dir, box, [OLD]);
    site = await createTestSite({ env: { STEWARD_AGENT_SYSTEM_ROOT: box.root } });
    await syncedSource(site.api, up, 'Local security', 2);
    await deviceCollection(site.api, 'Pilot servers', [site.devices[0]?.id ?? '']);
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    await disposeUpstream(up);
  });

  it('creates a rule in the form and previews what its filter matches now', async () => {
    await page.goto(`${site.adminUrl}/software/updates?tab=rules`);
    await page.getByTestId('rule-new').click();
    // Required fields are named beside the disabled button until they are filled.
    await expect(page.getByTestId('form-missing').textContent()).resolves.toContain('Name');
    await page.getByTestId('rule-name').fill('Hello security');
    await page.getByTestId('rule-filter-text').fill('hello-rule');
    await page
      .getByTestId('rule-preview-total')
      .filter({ hasText: '1 current updates match now' })
      .waitFor();
    const preview = page.getByTestId('rule-preview-table').getByTestId('update-row');
    await expect(preview.getAttribute('data-package')).resolves.toBe('hello-rule-e2e');
    await page.getByTestId('rule-collection-0').click();
    await page.getByRole('option', { name: /Pilot servers/ }).click();
    await page.getByTestId('rule-runAfterSync').uncheck({ force: true });
    await page.getByTestId('rule-notifyUsers').uncheck({ force: true });
    await page.screenshot({ path: join(SHOTS, 'update-rule-form.png'), fullPage: true });
    await page.getByTestId('rule-save').click();
    await page.getByTestId('page-title').filter({ hasText: 'Hello security' }).waitFor();
    // A new rule starts from security updates; the title narrows it.
    await expect(page.getByTestId('rule-filter').textContent()).resolves.toBe(
      'security · “hello-rule”',
    );
    const rule = await site.api.call(ops.updateRules.getUpdateRule, {
      params: { id: 'Hello security' },
    });
    expect(rule).toMatchObject({
      filter: { classifications: ['security'], text: 'hello-rule' },
      runAfterSync: false,
      notifyUsers: false,
      lastRun: null,
    });
  }, 120_000);

  it('runs it now; the run history links to the deployment it made', async () => {
    await page.getByTestId('rule-run').click();
    const run = page.getByTestId('rule-run-row');
    await run.getByTestId('rule-run-outcome').filter({ hasText: 'Succeeded' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'update-rule.png'), fullPage: true });
    await run.getByTestId('rule-run-deployment').click();
    await page.getByTestId('update-deployment-title').waitFor();
    const d = await site.api.call(ops.updateDeployments.listUpdateDeployments, {});
    expect(d.items.map((x) => [x.collectionName, x.groupName])).toEqual([
      ['Pilot servers', 'Hello security'],
    ]);
    expect(page.url()).toContain(`/software/update-deployments/${d.items[0]?.id ?? ''}`);

    // The list shows its last run and result; disable from the row.
    await page.goto(`${site.adminUrl}/software/updates?tab=rules`);
    const row = page.getByTestId('rule-row').filter({ hasText: 'Hello security' });
    await row.getByTestId('rule-run-outcome').filter({ hasText: 'Succeeded' }).waitFor();
    // The switch follows the saved rule, so it flips once the site has answered.
    await row.getByTestId('rule-enabled').click({ force: true });
    await waitFor('the rule disabled', async () => {
      const r = await site.api.call(ops.updateRules.getUpdateRule, {
        params: { id: 'Hello security' },
      });
      return r.enabled ? undefined : r;
    });
  }, 180_000);

  it("exports the rule's run history and the rollups from their Export menus", async () => {
    const rule = await site.api.call(ops.updateRules.getUpdateRule, {
      params: { id: 'Hello security' },
    });
    await page.goto(`${site.adminUrl}/software/update-rules/${rule.id}`);
    await page.getByTestId('rule-run-row').first().waitFor();
    await page.getByTestId('rule-runs-export').click();
    const [runs] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('rule-runs-export-json').click(),
    ]);
    expect(runs.suggestedFilename()).toMatch(/^update-rule-runs-\d{4}-\d{2}-\d{2}\.json$/);
    const runRows: unknown = JSON.parse(readFileSync(await runs.path(), 'utf8'));
    expect(runRows).toEqual([
      expect.objectContaining({ ruleId: rule.id, outcome: 'succeeded', matched: 1, added: 1 }),
    ]);

    await page.goto(`${site.adminUrl}/software/updates?tab=rollups`);
    await page.getByTestId('rollup-row').filter({ hasText: 'Local security' }).waitFor();
    await page.getByTestId('rollups-export').click();
    const [rollups] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('rollups-export-csv').click(),
    ]);
    expect(rollups.suggestedFilename()).toMatch(/^update-rollups-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await rollups.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]?.split(',').slice(0, 3)).toEqual(['sourceId', 'sourceName', 'suite']);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['Local security']);
  }, 120_000);
});
