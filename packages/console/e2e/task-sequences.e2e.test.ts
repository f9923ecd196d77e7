/**
 * Software library › Operating systems in a real browser against a real site (issue 11): build a
 * task sequence in the editor (a group with a condition, two run-command steps, moved and
 * indented), see the site refuse it while a step is incomplete, save it as version 1, deploy it
 * to a collection with the wizard and open the deployment's live progress view; set a
 * collection's task-sequence variables; import computers by form and by CSV, a refused CSV
 * showing the line it stopped at; filter and export the sequences and deployments lists (CSV,
 * JSON) and find the sequence with global search (issue 12).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type SequenceItem } from '@steward/protocol';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sequenceId = '';
let labId = '';

/** The tree's rows in order, as `id@depth`. */
async function treeRows(p: Page): Promise<string[]> {
  return p
    .getByTestId('ts-tree')
    .locator('[data-testid^="ts-node-"]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${(e.getAttribute('data-testid') ?? '').replace('ts-node-', '')}@${e.getAttribute('data-depth') ?? ''}`,
      ),
    );
}

describe('console: task sequences', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    const devices = await enrolVirtualDevices(site, ['osd-a', 'osd-b']);
    const lab = await site.api.createCollection({
      name: 'OSD lab',
      rules: devices.map((d) => ({ kind: 'direct' as const, deviceId: d.id })),
    });
    labId = lab.id;
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('builds a sequence in the editor and saves it as version 1', async () => {
    await page.getByTestId('nav-task-sequences').click();
    await page.getByText('No task sequences').waitFor();
    await page.getByTestId('ts-new').click();
    await page.getByTestId('ts-name').fill('E2E build');

    // A group with a condition: Role equals lab.
    await page.getByTestId('ts-add-group').click();
    await page.getByTestId('ts-node-name').fill('Prepare');
    await page.getByTestId('condition-add').click();
    await page.getByTestId('condition-test-0-name').fill('Role');
    await page.getByTestId('condition-test-0-value').fill('lab');

    // Two run-command steps, added into the selected group.
    await page.getByTestId('ts-add-step').click();
    await page.getByTestId('ts-add-step-run-command').click();
    await page.getByTestId('ts-node-name').fill('Say hello');
    await page.getByTestId('step-setting-command').fill('echo hello');
    await page.getByTestId('ts-add-step').click();
    await page.getByTestId('ts-add-step-run-command').click();
    await page.getByTestId('ts-node-name').fill('Say goodbye');
    await page.getByTestId('ts-node-continue').click();
    expect(await treeRows(page)).toEqual(['group-1@0', 'run-command-1@1', 'run-command-2@1']);

    // Moved up, out of the group and back in.
    await page.getByTestId('ts-move-up').click();
    expect(await treeRows(page)).toEqual(['group-1@0', 'run-command-2@1', 'run-command-1@1']);
    await page.getByTestId('ts-outdent').click();
    expect(await treeRows(page)).toEqual(['group-1@0', 'run-command-1@1', 'run-command-2@0']);
    await page.getByTestId('ts-indent').click();
    expect(await treeRows(page)).toEqual(['group-1@0', 'run-command-1@1', 'run-command-2@1']);

    // The second step has no command yet: the site refuses the sequence and says why.
    await page.getByTestId('ts-local-problems').waitFor();
    await page.getByTestId('ts-save').click();
    const refused = page.getByTestId('ts-save-error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('TASK_SEQUENCE_INVALID');
    await refused
      .getByText(/run-command-2 \(run-command\): settings/)
      .first()
      .waitFor();

    await page.getByTestId('ts-node-run-command-2').click();
    await page.getByTestId('step-setting-command').fill('echo goodbye');
    await page.getByTestId('ts-save').click();
    await page.getByTestId('ts-version').filter({ hasText: 'Version 1' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'task-sequence-editor.png'), fullPage: true });

    const list = await site.api.call(ops.taskSequences.list, { query: {} });
    const saved = list.items.find((s) => s.name === 'E2E build');
    expect(saved?.version).toBe(1);
    sequenceId = saved?.id ?? '';
    const s = await site.api.call(ops.taskSequences.get, { params: { id: sequenceId } });
    const byId = new Map<string, SequenceItem>(s.steps.map((i) => [i.id, i]));
    expect(s.steps.map((i) => i.id)).toEqual(['group-1', 'run-command-1', 'run-command-2']);
    expect(byId.get('group-1')).toMatchObject({
      type: 'group',
      name: 'Prepare',
      condition: {
        type: 'block',
        match: 'all',
        tests: [{ type: 'variable', name: 'Role', op: 'equals', value: 'lab' }],
      },
    });
    expect(byId.get('run-command-1')).toMatchObject({
      parentId: 'group-1',
      name: 'Say hello',
      settings: { command: 'echo hello' },
      continueOnError: false,
    });
    expect(byId.get('run-command-2')).toMatchObject({
      parentId: 'group-1',
      name: 'Say goodbye',
      settings: { command: 'echo goodbye' },
      continueOnError: true,
    });

    await page.getByTestId('ts-tab-versions').click();
    await page.getByTestId('ts-version-1').waitFor();
    await page.getByTestId('ts-version-open-1').click();
    await page.getByTestId('ts-version-tree').getByText('Say goodbye').waitFor();
  });

  it('deploys it to a collection and opens the live progress view', async () => {
    await page.getByTestId('ts-deploy').click();
    await page.getByTestId('tsd-wizard').waitFor();
    // Next without a collection stays on the first step and says what is missing.
    await page.getByTestId('tsd-next').click();
    await page.getByText('Choose the collection').waitFor();
    await page.getByTestId('tsd-collection').click();
    await page.getByRole('option', { name: 'OSD lab (2)' }).click();
    await page.getByTestId('tsd-next').click();
    await page.getByTestId('tsd-available-to').click();
    await page.getByRole('option', { name: 'Clients, boot media and PXE' }).click();
    await page.getByTestId('tsd-next').click();
    await page.getByTestId('tsd-pxe-password').fill('lab-pass');
    await page.getByTestId('tsd-next').click();
    await page.getByTestId('tsd-create').click();

    await page.getByTestId('tsd-page').waitFor();
    const targeted = page.getByTestId('tsd-count-targeted');
    await expect.poll(() => targeted.getAttribute('data-count'), { timeout: 30_000 }).toBe('2');
    await page.getByTestId('tsd-run-osd-a').getByText('not started').waitFor();
    await page.getByTestId('tsd-run-osd-b').waitFor();
    await page.screenshot({ path: join(SHOTS, 'task-sequence-progress.png'), fullPage: true });

    const deployments = await site.api.call(ops.taskSequenceDeployments.list, {
      query: { sequenceId },
    });
    expect(deployments.items).toHaveLength(1);
    const d = deployments.items[0];
    expect(d).toMatchObject({
      version: 1,
      collectionName: 'OSD lab',
      purpose: 'available',
      availableTo: 'clients-media-and-pxe',
      pxePasswordSet: true,
      enabled: true,
    });

    // Disabled from the page, as the site then says.
    await page.getByTestId('tsd-enabled').click();
    await expect
      .poll(
        async () =>
          (await site.api.call(ops.taskSequenceDeployments.get, { params: { id: d?.id ?? '' } }))
            .enabled,
        { timeout: 20_000 },
      )
      .toBe(false);
  });

  it('lists, filters and exports the sequences and deployments, and finds them with global search', async () => {
    await page.goto(`${site.adminUrl}/software/task-sequences`);
    await page.getByTestId('ts-row-E2E build').waitFor();
    await page.getByTestId('ts-search').fill('no such sequence');
    await page.getByText('No task sequence matches these filters').waitFor();
    await page.getByTestId('ts-search').fill('e2e');
    await page.getByTestId('ts-row-E2E build').waitFor();
    await page.getByTestId('ts-export').click();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('ts-export-csv').click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^task-sequences-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]?.split(',').slice(0, 2)).toEqual(['id', 'name']);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([
      [sequenceId, 'E2E build'],
    ]);

    await page.goto(`${site.adminUrl}/software/task-sequence-deployments`);
    await page.getByTestId('tsd-list').getByText('E2E build').first().waitFor();
    await page.getByTestId('tsd-export').click();
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('tsd-export-json').click(),
    ]);
    const rows: unknown = JSON.parse(readFileSync(await json.path(), 'utf8'));
    expect(rows).toEqual([
      expect.objectContaining({ sequenceId, sequenceName: 'E2E build', collectionName: 'OSD lab' }),
    ]);

    await page.keyboard.press('Control+K');
    const input = page.getByTestId('global-search-input');
    await input.fill('e2e bui');
    await page.getByTestId('global-search-hit').filter({ hasText: 'E2E build' }).first().waitFor();
    await input.press('Enter');
    await page.waitForURL(new RegExp(`/software/task-sequences/${sequenceId}$`));
    await page.getByTestId('ts-name').waitFor();
  });

  it("sets a collection's task-sequence variables", async () => {
    await page.goto(`${site.adminUrl}/collections/${labId}?tab=ts-variables`);
    await page.getByTestId('collection-ts-variables').waitFor();
    await page.getByTestId('collection-vars-add').click();
    // The engine's built-ins (_STW...) cannot be set: a name starts with a letter.
    await page.getByTestId('collection-vars-name-0').fill('_STWRole');
    await page.getByText('A letter, then letters, digits or _').waitFor();
    expect(await page.getByTestId('collection-vars-save').isDisabled()).toBe(true);
    await page.getByTestId('collection-vars-name-0').fill('Role');
    await page.getByTestId('collection-vars-value-0').fill('lab');
    await page.getByTestId('collection-vars-save').click();
    await expect
      .poll(
        async () =>
          (await site.api.call(ops.taskSequences.collectionVariables, { params: { id: labId } }))
            .variables,
        { timeout: 20_000 },
      )
      .toEqual([{ name: 'Role', value: 'lab' }]);
  });

  it('imports computers by form and by CSV, and shows the line a refused CSV stopped at', async () => {
    await page.getByTestId('nav-imported-computers').click();
    await page.getByText('No imported computers').waitFor();
    await page.getByTestId('import-name').fill('lab-01');
    await page.getByTestId('import-mac').fill('52:54:00:00:00:01');
    await page.getByTestId('import-create').click();
    await page.getByTestId('imported-lab-01').waitFor();

    await page
      .getByTestId('import-csv')
      .fill('name,mac,Role\nlab-02,52:54:00:00:00:02,web\nlab-03,not-a-mac,db');
    await page.getByTestId('import-csv-upload').click();
    const refused = page.getByTestId('import-csv-error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('IMPORTED_COMPUTER_CSV_INVALID');
    await page.getByTestId('import-csv-line').getByText('lab-03,not-a-mac,db').waitFor();
    // All or none: lab-02 was not imported either.
    expect((await site.api.call(ops.importedComputers.list, {})).map((c) => c.name)).toEqual([
      'lab-01',
    ]);

    await page
      .getByTestId('import-csv')
      .fill('name,mac,Role\nlab-02,52:54:00:00:00:02,web\nlab-03,52:54:00:00:00:03,db');
    await page.getByTestId('import-csv-upload').click();
    await page.getByTestId('imported-lab-03').getByText('Role=db').waitFor();
    const names = (await site.api.call(ops.importedComputers.list, {})).map((c) => c.name);
    expect(names.sort()).toEqual(['lab-01', 'lab-02', 'lab-03']);
  });
});
