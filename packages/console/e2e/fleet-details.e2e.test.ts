/**
 * Issue 12's "true numbers" details in a real browser against a real site (quiet enrolled
 * devices, no agent processes): an Available deployment shows what matters for an offer
 * (offered to, installed by users; no success rate, no overdue); the deployment list's state
 * summary, schedule and created columns and its sorting; a phased rollout links its phase
 * collections and program and its last phase says the rollout completes; the boundary form
 * shows the site's message, not a raw code; the audit log names its targets with links and
 * filters by user, action, text and date range; the device list's compact rows.
 * Screenshots go to test-results/screenshots/fleet-details-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Collection, type Deployment, type Program } from '@steward/protocol';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { createScriptProgram, shellScript } from '../../../test-support/software.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let program: Program;
let pilots: Collection;
let desks: Collection;
let offer: Deployment;
let required: Deployment;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `fleet-details-${name}.png`), fullPage: true });
}

/** The names of the deployment rows shown, top to bottom, among `names`. */
async function deploymentOrder(names: readonly string[]): Promise<string[]> {
  const shown = await page
    .getByTestId('deployment-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-deployment-name') ?? ''));
  return shown.filter((n) => names.includes(n));
}

/** A day in the browser's time zone as its date inputs take it (yyyy-mm-dd), `days` from today. */
function browserDay(days: number): Promise<string> {
  return page.evaluate((d) => {
    const t = new Date(Date.now() + d * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  }, days);
}

/** The user and action cells of the audit rows shown. */
function auditRows(): Promise<{ user: string; action: string; text: string }[]> {
  return page.getByTestId('audit-row').evaluateAll((rows) =>
    rows.map((r) => ({
      user: r.querySelector('td:nth-child(2)')?.textContent ?? '',
      action: r.querySelector('td:nth-child(3)')?.textContent ?? '',
      text: r.textContent ?? '',
    })),
  );
}

describe('fleet details in the console', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    const devices = await enrolVirtualDevices(site, ['fd-pilot-1', 'fd-desk-1', 'fd-desk-2']);
    const [pilot, desk1, desk2] = devices;
    if (!pilot || !desk1 || !desk2) throw new Error('three devices expected');
    pilots = await site.api.createCollection({
      name: 'FD pilots',
      rules: [{ kind: 'direct', deviceId: pilot.id }],
    });
    desks = await site.api.createCollection({
      name: 'FD desks',
      rules: [
        { kind: 'direct', deviceId: desk1.id },
        { kind: 'direct', deviceId: desk2.id },
      ],
    });
    ({ program } = await createScriptProgram(site.api, {
      packageName: 'fd-editor',
      script: shellScript('true'),
    }));
    // Created in this order: the list's default sort (newest first) shows them reversed.
    offer = await site.api.createDeployment({
      name: 'Alpha offer',
      programId: program.id,
      collectionId: desks.id,
      purpose: 'available',
      triggers: [],
    });
    required = await site.api.createDeployment({
      name: 'Beta required',
      programId: program.id,
      collectionId: desks.id,
      purpose: 'required',
      triggers: [{ type: 'asap' }],
    });
    await site.api.createDeployment({
      name: 'Gamma required',
      programId: program.id,
      collectionId: pilots.id,
      purpose: 'required',
      triggers: [{ type: 'asap' }],
    });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('shows an Available deployment as an offer: offered to, installed by users, no rate or overdue', async () => {
    await page.goto(`${site.adminUrl}/deployments/${offer.id}`);
    await expect
      .poll(() => page.getByTestId('summary-targeted').textContent(), { timeout: 20_000 })
      .toBe('2');
    const body = page.locator('main');
    await expect(body.textContent()).resolves.toContain('Offered to');
    await expect(body.textContent()).resolves.toContain('Installed by users');
    expect(await page.getByTestId('summary-succeeded').textContent()).toBe('0');
    expect(await page.getByTestId('summary-overdue').count()).toBe(0);
    expect(await page.getByTestId('summary-success').count()).toBe(0);
    expect(await page.getByTestId('overdue-count').count()).toBe(0);
    const donut = await page.getByTestId('state-donut').textContent();
    expect(donut).toContain('0 installed');
    expect(donut).not.toContain('% ok');
    await shot('01-available');

    // A required deployment of the same program is judged by its rate and its overdue devices.
    await page.goto(`${site.adminUrl}/deployments/${required.id}`);
    await page.getByTestId('summary-overdue').waitFor();
    await page.getByTestId('summary-success').waitFor();
    await expect(page.getByTestId('state-donut').textContent()).resolves.toContain('% ok');
  });

  it('lists deployments with their states, schedule and creation, and sorts them', async () => {
    const names = ['Alpha offer', 'Beta required', 'Gamma required'];
    await page.goto(`${site.adminUrl}/deployments`);
    const table = page.getByTestId('deployment-table');
    await table.getByTestId('deployment-row').first().waitFor();
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['States', 'Schedule', 'Created']));
    // Every row has its state bar once the summaries are in.
    await expect
      .poll(() => table.getByTestId('deployment-states').count(), { timeout: 20_000 })
      .toBe(3);
    const row = (name: string) =>
      table.locator(`[data-testid="deployment-row"][data-deployment-name="${name}"]`);
    expect(await row('Alpha offer').getByTestId('deployment-schedule').textContent()).toBe(
      'Offered now',
    );
    expect(await row('Beta required').getByTestId('deployment-schedule').textContent()).not.toBe(
      'No schedule',
    );
    // An offer counts installs in the Success column, a required deployment a rate.
    expect(await row('Alpha offer').getByTestId('deployment-installed').textContent()).toBe(
      '0 installed by users',
    );
    expect(await row('Alpha offer').getByTestId('deployment-success').count()).toBe(0);
    expect(await row('Beta required').getByTestId('deployment-success').count()).toBe(1);
    expect((await row('Gamma required').locator('td').last().textContent())?.trim()).not.toBe('');

    // Newest first by default; then by name, both ways; then by purpose.
    expect(await deploymentOrder(names)).toEqual([
      'Gamma required',
      'Beta required',
      'Alpha offer',
    ]);
    await page.getByTestId('sort-name').click();
    expect(await deploymentOrder(names)).toEqual([
      'Alpha offer',
      'Beta required',
      'Gamma required',
    ]);
    expect(await page.getByTestId('sort-name').locator('xpath=..').getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await page.getByTestId('sort-name').click();
    expect(await deploymentOrder(names)).toEqual([
      'Gamma required',
      'Beta required',
      'Alpha offer',
    ]);
    await page.getByTestId('sort-purpose').click();
    expect((await deploymentOrder(names))[0]).toBe('Alpha offer');
    await page.getByTestId('sort-targeted').click();
    // Most devices targeted first: the two desks before the one pilot.
    expect((await deploymentOrder(names)).at(-1)).toBe('Gamma required');
    await shot('02-deployment-list');
  });

  it('links a phased rollout to its phase collections and program; its last phase completes it', async () => {
    const rollout = await site.api.createPhasedDeployment({
      name: 'FD rollout',
      programId: program.id,
      phases: [
        { collectionId: pilots.id, successPercent: 95, soakMinutes: 60 },
        { collectionId: desks.id, successPercent: 95, soakMinutes: 0 },
      ],
      haltOnFailurePercent: 50,
      deployment: { triggers: [{ type: 'asap' }] },
    });
    await page.goto(`${site.adminUrl}/phased-deployments/${rollout.id}`);
    const phases = page.getByTestId('phase');
    await expect.poll(() => phases.count(), { timeout: 20_000 }).toBe(2);
    expect(await phases.nth(0).getByTestId('phase-rule').textContent()).toMatch(
      /^Next phase after 95% succeeded and 60 minutes of soak/,
    );
    const last = await phases.nth(1).getByTestId('phase-rule').textContent();
    expect(last).toMatch(/^Last phase: the rollout completes at 95% succeeded/);
    expect(last).not.toContain('Next phase');
    const links = phases.getByTestId('phase-collection');
    expect(await links.allTextContents()).toEqual(['FD pilots', 'FD desks']);
    expect(await links.nth(1).getAttribute('href')).toBe(`/collections/${desks.id}`);
    const programLink = page.getByTestId('phased-program');
    expect(await programLink.textContent()).toContain(program.name);
    expect(await programLink.getAttribute('href')).toBe(
      `/software/packages/${program.packageId}?tab=programs`,
    );
    await shot('03-phased');
    await links.nth(0).click();
    await page.waitForURL(new RegExp(`/collections/${pilots.id}$`));
  });

  it("shows the site's message in the boundary form, not a raw error code", async () => {
    await page.goto(`${site.adminUrl}/admin/boundaries`);
    await page.getByTestId('new-boundary').click();
    await page.getByTestId('boundary-name').fill('FD bad subnet');
    await page.getByTestId('boundary-value').fill('10.1.0.0/40');
    await page.getByTestId('boundary-create').click();
    const error = page.locator('.mantine-TextInput-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('prefix /40 is longer than 32 bits in "10.1.0.0/40"');
    expect(await page.locator('.mantine-Modal-content').textContent()).not.toContain(
      'INVALID_BOUNDARY',
    );
    await shot('04-boundary-error');
    expect(await site.api.listBoundaries()).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('names audit targets with links and filters by user, action, text and date range', async () => {
    await site.api.createUser({
      name: 'fd-auditor',
      password: 'fd-auditor-password',
      role: 'full-administrator',
    });
    const other = new ApiClient({ baseUrl: site.adminUrl });
    other.setToken((await other.login('fd-auditor', 'fd-auditor-password')).token);
    const audited = await other.createCollection({ name: 'FD audited', rules: [] });

    await page.goto(`${site.adminUrl}/admin/audit-log`);
    await page.getByTestId('audit-row').first().waitFor();
    const all = (await auditRows()).length;
    // The target by its name, linked to its page.
    const target = page
      .getByTestId('audit-row')
      .filter({ hasText: 'collection.create' })
      .getByTestId('audit-target')
      .filter({ hasText: 'FD audited' });
    expect(await target.getAttribute('href')).toBe(`/collections/${audited.id}`);

    await page.getByTestId('audit-user').click();
    await page.getByRole('option', { name: 'fd-auditor', exact: true }).click();
    // Their sign-in and the collection they made, and nobody else's entries.
    const theirs = (await site.api.listAudit({ user: 'fd-auditor' })).length;
    expect(theirs).toBeGreaterThan(0);
    expect(theirs).toBeLessThan(all);
    await expect
      .poll(async () => (await auditRows()).map((r) => r.user), { timeout: 20_000 })
      .toEqual(Array.from({ length: theirs }, () => 'fd-auditor'));
    await page.getByTestId('audit-user').click();
    await page.getByRole('option', { name: 'fd-auditor', exact: true }).click();
    await expect.poll(async () => (await auditRows()).length, { timeout: 20_000 }).toBe(all);

    // The three deployments made here and the rollout's first phase.
    const created = (await site.api.listAudit({ action: 'deployment.create' })).length;
    expect(created).toBe(4);
    await page.getByTestId('audit-action').click();
    await page.getByRole('option', { name: 'deployment.create', exact: true }).click();
    await expect
      .poll(async () => (await auditRows()).map((r) => r.action), { timeout: 20_000 })
      .toEqual(Array.from({ length: created }, () => 'deployment.create'));
    await page.getByTestId('audit-action').click();
    await page.getByRole('option', { name: 'deployment.create', exact: true }).click();

    await page.getByTestId('audit-search').fill(audited.id);
    const matching = (await site.api.listAudit({ text: audited.id })).length;
    expect(matching).toBeGreaterThan(0);
    expect(matching).toBeLessThan(all);
    await expect
      .poll(async () => (await auditRows()).map((r) => r.text.includes(audited.id)), {
        timeout: 20_000,
      })
      .toEqual(Array.from({ length: matching }, () => true));
    await page.getByTestId('audit-search').fill('');
    await expect.poll(async () => (await auditRows()).length, { timeout: 20_000 }).toBe(all);

    // Everything happened today: up to yesterday shows nothing, from today everything.
    await page.getByTestId('audit-to').fill(await browserDay(-1));
    await page.getByText('No entries match these filters').waitFor();
    await page.getByTestId('audit-to').fill('');
    await page.getByTestId('audit-from').fill(await browserDay(0));
    await expect.poll(async () => (await auditRows()).length, { timeout: 20_000 }).toBe(all);
    await page.getByTestId('audit-from').fill(await browserDay(1));
    await page.getByText('No entries match these filters').waitFor();
    await shot('05-audit-filtered');
  });

  it('shows compact rows on the device list', async () => {
    await page.goto(`${site.adminUrl}/devices`);
    const table = page.getByTestId('device-table');
    await table.getByTestId('device-row').first().waitFor();
    expect(await table.getAttribute('data-density')).toBe('comfortable');
    const height = async () =>
      (await table.getByTestId('device-row').first().boundingBox())?.height ?? 0;
    const comfortable = await height();
    await page.getByTestId('density-toggle').click();
    await expect.poll(() => table.getAttribute('data-density')).toBe('compact');
    expect(await page.getByTestId('density-toggle').getAttribute('aria-pressed')).toBe('true');
    const compact = await height();
    expect(compact).toBeGreaterThan(0);
    expect(compact).toBeLessThan(comfortable - 4);
    await shot('06-compact-rows');
    await page.getByTestId('density-toggle').click();
    await expect.poll(() => table.getAttribute('data-density')).toBe('comfortable');
  });
});
