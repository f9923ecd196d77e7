/**
 * The software-distribution journey in a real browser against a real site and a real agent:
 * create a package, upload an archive, add a program, distribute it to the site server's
 * distribution point, deploy it with the wizard to All Systems, watch the deployment succeed, and
 * find the file the program wrote on the machine. Screenshots go to test-results/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let work: string;
let archive: string;
let marker: string;
const packageName = `E2E tool ${Date.now()}`;
const programName = 'Install';

async function shot(name: string): Promise<void> {
  // Let transitions and chart animations settle so the picture shows the final state.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `software-${name}.png`), fullPage: true });
}

/** Picks an option of an open Mantine combobox by its visible text. */
async function pickOption(text: string | RegExp): Promise<void> {
  await page.getByRole('option', { name: text }).first().click();
}

/** A tar.gz with a run.sh that writes a marker file outside the package and exits 0. */
function buildArchive(): void {
  const src = join(work, 'src');
  mkdirSync(src);
  writeFileSync(
    join(src, 'run.sh'),
    `#!/bin/sh\necho "installed by steward" > '${marker}'\nexit 0\n`,
    { mode: 0o755 },
  );
  writeFileSync(join(src, 'README.txt'), 'A package built by the console journey.\n');
  archive = join(work, 'tool.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', src, 'run.sh', 'README.txt']);
}

describe('software distribution in the console', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    work = mkdtempSync(join(tmpdir(), 'steward-e2e-software-'));
    marker = join(work, 'marker.txt');
    buildArchive();
    site = await createTestSite({ withEnrolledDevices: 1 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('creates a package', async () => {
    await page.getByTestId('nav-packages').click();
    await page.getByTestId('library-stats').waitFor();
    await shot('01-packages-empty');
    await page.getByTestId('new-package').click();
    await page.getByTestId('package-name').fill(packageName);
    await page.getByTestId('package-publisher').fill('Steward e2e');
    await page.getByTestId('package-version').fill('1.0');
    await page.getByTestId('package-save').click();
    await page.getByTestId('package-title').filter({ hasText: packageName }).waitFor();
    expect(await page.getByTestId('package-current-version').count()).toBe(0);
  });

  it('uploads an archive as the first content version', async () => {
    await page.getByTestId('update-content').click();
    await page.getByTestId('archive-file').setInputFiles(archive);
    await shot('02-upload-archive');
    await page.getByTestId('archive-upload-submit').click();
    await page.locator('[data-testid="version-row"][data-version="1"]').waitFor();
    expect(await page.getByTestId('package-current-version').textContent()).toBe('v1');

    await page.getByTestId('version-files-button').first().click();
    const files = page.getByTestId('version-file-row');
    await files.first().waitFor();
    expect(await files.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('run.sh')]),
    );
    await shot('03-version-files');
    await page.keyboard.press('Escape');
  });

  it('creates the program that runs it', async () => {
    await page.getByTestId('ptab-programs').click();
    await page.getByTestId('new-program').click();
    await page.getByTestId('program-name').fill(programName);
    await page.getByTestId('program-command').fill('sh run.sh');
    await shot('04-program-form');
    await page.getByTestId('program-save').click();
    await page.locator(`[data-testid="program-row"][data-program-name="${programName}"]`).waitFor();
    await shot('05-programs');
  });

  it('distributes the content to the site server and waits until it is installed', async () => {
    await page.getByTestId('ptab-content').click();
    await page.getByTestId('distribute').click();
    await page.getByTestId('distribute-dps').click();
    await pickOption(/site server/);
    await page.keyboard.press('Escape');
    await shot('06-distribute');
    await page.getByTestId('distribute-submit').click();
    await page
      .locator('[data-testid="content-dp-row"][data-state="installed"]')
      .waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('content-percent').textContent()).toBe('100%');
    await shot('07-content-status');
  });

  it('deploys the program to All Systems with the wizard', async () => {
    await page.getByTestId('nav-deployments').click();
    await page.getByTestId('new-deployment').click();

    await page.getByTestId('wizard-program').click();
    await pickOption(programName);
    await page.getByTestId('wizard-program-facts').waitFor();
    await shot('08-wizard-program');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-collection').click();
    await pickOption(/^All Systems/);
    await page.getByTestId('wizard-next').click();

    // A required deployment needs a schedule: the wizard refuses to go on without one.
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-error-triggers').waitFor();
    await page.getByTestId('wizard-add-asap').click();
    await shot('09-wizard-schedule');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-name').fill(`${packageName} to All Systems`);
    await shot('10-wizard-behaviour');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-review').waitFor();
    await shot('11-wizard-review');
    await page.getByTestId('wizard-create').click();
    await page.getByTestId('deployment-title').filter({ hasText: packageName }).waitFor();
  });

  it('watches the deployment until the device succeeded, and finds the marker file', async () => {
    try {
      await expect
        .poll(() => page.getByTestId('state-count-succeeded').getAttribute('data-count'), {
          timeout: 150_000,
          interval: 1000,
        })
        .toBe('1');
    } catch (err) {
      // Say what the device and its agent were doing, not only that the count stayed at 0.
      const [d] = await site.api.listDeployments();
      const states = d ? await site.api.deploymentDevices(d.id) : undefined;
      await shot('12-deployment-not-succeeded');
      throw new Error(
        `${String(err)}\ndevice states: ${JSON.stringify(states)}\nagent output: ${
          site.agents[0]?.proc?.output().slice(-4000) ?? ''
        }`,
      );
    }
    expect(await page.getByTestId('summary-succeeded').textContent()).toBe('1');
    expect(await page.getByTestId('summary-failed').textContent()).toBe('0');
    await page.getByTestId('deployment-timeline').locator('.recharts-surface').first().waitFor();
    await page.getByTestId('state-donut').locator('.recharts-surface').first().waitFor();

    // The agent really ran run.sh from the downloaded content (success is reported after exit).
    expect(existsSync(marker)).toBe(true);
    expect(readFileSync(marker, 'utf8')).toBe('installed by steward\n');
    await shot('12-deployment-succeeded');

    await page.getByTestId('state-count-succeeded').click();
    const row = page.locator('[data-testid="deployment-device-row"][data-state="succeeded"]');
    await row.waitFor();
    expect(await row.getByTestId('exit-code').textContent()).toBe('0');
    await row.getByTestId('device-expand').click();
    await page.getByTestId('deployment-device-details').waitFor();
    await shot('13-deployment-drill-down');
  });

  it('shows the deployment on the device and in the reports', async () => {
    await page.locator('[data-testid="deployment-device-row"] a').first().click();
    await page.locator('[data-testid="device-deployment-row"][data-state="succeeded"]').waitFor();
    await shot('14-device-deployments');

    await page.getByTestId('nav-deployments').click();
    const listed = page.locator(
      `[data-testid="deployment-row"][data-deployment-name="${packageName} to All Systems"]`,
    );
    await listed.waitFor();
    await expect
      .poll(() => listed.getByTestId('deployment-success').getAttribute('data-value'))
      .toBe('100');
    await shot('15-deployments');

    await page.getByTestId('nav-software-reports').click();
    await page.getByTestId('report-summary-row').first().waitFor();
    await shot('16-report-summary');
    await page.getByTestId('rtab-failures').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('rtab-distribution').click();
    await page.getByTestId('report-distribution-row').first().waitFor();
    await shot('17-report-distribution');
    await page.getByTestId('rtab-completion').click();
    await page
      .getByTestId('report-completion-chart')
      .locator('.recharts-surface')
      .first()
      .waitFor();
    await shot('18-report-dp-completion');
  });

  it('administers distribution points, groups and boundaries', async () => {
    await page.getByTestId('nav-distribution-points').click();
    await page.getByTestId('dp-row').first().waitFor();
    await page.getByTestId('new-dp').click();
    await page.getByTestId('dp-name').fill('Branch office DP');
    await page.getByTestId('dp-create').click();
    await page.getByTestId('dp-registration').waitFor();
    expect(await page.getByTestId('dp-command').textContent()).toMatch(
      /^steward server --roles dp --data \S+ --dp-token \S+ --public-url \S+$/,
    );
    await shot('19-dp-registration');
    await page.getByTestId('dp-registration-done').click();
    await page
      .locator('[data-testid="dp-row"][data-dp-name="Branch office DP"] [data-testid="dp-state"]')
      .filter({ hasText: 'Pending' })
      .waitFor();
    await shot('20-distribution-points');
    // The site server DP's page: true figures (it holds the library) and what it holds.
    const siteServer = page.locator('[data-testid="dp-row"][data-dp-name="site-server"]');
    expect(await siteServer.getByTestId('dp-description').textContent()).toMatch(/site server/);
    await siteServer.getByRole('link', { name: 'site-server' }).click();
    await page.getByTestId('dp-page').waitFor();
    expect(await page.getByTestId('dp-stored').textContent()).not.toBe('0 B');
    await page
      .locator(
        `[data-testid="dp-content-row"][data-package-name="${packageName}"][data-state="installed"]`,
      )
      .waitFor();
    await shot('20b-distribution-point');
    await page.getByTestId('nav-distribution-points').click();

    await page.getByTestId('nav-dp-groups').click();
    await page.getByTestId('new-dp-group').click();
    await page.getByTestId('dp-group-name').fill('Branches');
    await page.getByTestId('dp-group-create').click();
    const group = page.locator('[data-testid="dp-group"][data-group-name="Branches"]');
    await group.waitFor();

    // Seed 004: a DP added to a group does not get the group's packages until asked.
    await page.getByTestId('nav-packages').click();
    await page.locator(`[data-testid="package-row"][data-package-name="${packageName}"] a`).click();
    await page.getByTestId('ptab-content').click();
    await page.getByTestId('distribute').click();
    await page.getByTestId('distribute-groups').click();
    await pickOption(/^Branches/);
    await page.keyboard.press('Escape');
    await page.getByTestId('distribute-submit').click();
    await page.getByTestId('distribute-submit').waitFor({ state: 'detached' });
    await page.getByTestId('nav-dp-groups').click();
    await group.getByTestId('dp-group-add-select').click();
    await pickOption('Branch office DP');
    await page.keyboard.press('Escape');
    await group.getByTestId('dp-group-add').click();
    await group.getByTestId('dp-group-missing').waitFor();
    expect(await group.getByTestId('dp-group-missing').textContent()).toContain(packageName);
    await shot('21-dp-group-missing-content');
    await group.getByTestId('dp-group-distribute-new').click();
    await group.getByTestId('dp-group-missing').waitFor({ state: 'detached' });
    await shot('22-dp-groups');

    await page.getByTestId('nav-boundaries').click();
    await page.getByTestId('new-boundary').click();
    await page.getByTestId('boundary-name').fill('Loopback');
    await page.getByTestId('boundary-value').fill('127.0.0.0/8');
    await page.getByTestId('boundary-create').click();
    await page.getByTestId('boundary-row').first().waitFor();
    await shot('23-boundaries');
    await page.getByTestId('btab-resolve').click();
    await page.getByTestId('resolve-ip').fill('127.0.0.1');
    await page.getByTestId('resolve-submit').click();
    await page.getByTestId('resolve-result').waitFor();
    await shot('24-boundary-resolver');
  });

  it('adds a maintenance window to a collection with a week preview', async () => {
    await page.getByTestId('nav-collections').click();
    await page
      .locator('[data-testid="collection-row"][data-collection-name="All Systems"]')
      .click();
    await page.getByTestId('ctab-windows').click();
    await page.getByTestId('new-window').click();
    await page.getByTestId('window-name').fill('Nightly');
    await page.getByTestId('window-save').click();
    await page.getByTestId('window-row').first().waitFor();
    const days = page.getByTestId('window-preview-day');
    expect(await days.count()).toBe(7);
    await shot('25-maintenance-windows');
  });
});
