/**
 * Issue 9 in the console: start a client push to real sshd hosts on loopback addresses
 * (test-support/sshd-hosts.ts) from Monitoring > Client push, watch the targets change state
 * live, then Monitoring > Client status: the production dashboard with the pushed device and its
 * install log, the failure chart with the failed push's reason, a scope changed with Browse, and
 * the pre-production dashboard showing a host in the pre-production collection in its true state.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ops } from '@steward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentTarball, makeTarballProduction } from '../../../test-support/agent-package.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { makeKeyPair, startSshHost, type SshHost } from '../../../test-support/sshd-hosts.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

/**
 * The version of the agent tarball a push installs, built here when the tree has none yet (the
 * int suite builds it too; this file must not depend on running after it).
 */
const pushedVersion = /^steward-agent-(.+)-linux\.tar\.gz$/.exec(ensureAgentTarball() ?? '')?.[1];

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
let siteServers: string;
const hosts: SshHost[] = [];

const count = async (state: string): Promise<number> =>
  Number(await page.getByTestId(`client-state-${state}`).getAttribute('data-count'));

describe.skipIf(pushedVersion === undefined)('console: client push and client status', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'steward-status-e2e-'));
    const key = makeKeyPair(dir, 'push');
    // One agent enrolled by hand: the site's own host, say, running the agent as a site role.
    site = await createTestSite({ withEnrolledDevices: 1 });
    // Client push copies the production version's tarball from the content library.
    await makeTarballProduction(site.api);
    await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'root key', user: 'root', privateKey: key.privateKey, serviceMode: 'none' },
    });
    await site.api.call(ops.clientPush.updateSettings, {
      body: { connectTimeoutSeconds: 5, enrolmentTimeoutSeconds: 150 },
    });
    hosts.push(await startSshHost({ authorizedKeys: [key.publicKey] }));
    hosts.push(
      await startSshHost({
        authorizedKeys: [key.publicKey],
        osRelease: 'ID=centos\nVERSION_ID="7"\n',
      }),
    );
    // A collection of the hand-enrolled host, made before the console lists collections.
    const first = site.devices[0];
    if (!first) throw new Error('no device');
    const c = await site.api.createCollection({
      name: 'Site servers',
      rules: [{ kind: 'direct', deviceId: first.id }],
    });
    siteServers = c.id;
    await waitFor(
      'collection evaluated',
      async () => (await site.api.getCollection(c.id)).memberCount === 1,
    );
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    for (const h of hosts) await h.stop();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts a push from the console and shows its targets change state live', async () => {
    const [good, centos] = hosts;
    if (!good || !centos) throw new Error('no hosts');
    await page.getByTestId('nav-client-push').click();
    await page.getByRole('button', { name: 'Start push' }).first().click();
    await page.getByTestId('push-account-select').click();
    await page.getByRole('option', { name: /root key/ }).click();
    await page.getByTestId('push-hosts').fill(`${good.target}\n${centos.target}`);
    await page.getByTestId('push-start-submit').click();
    const targets = page.getByTestId('push-targets');
    await targets.waitFor();
    // The states the page shows for the good host, read from the page as it refreshes itself.
    const row = targets.locator('tr', { hasText: good.address });
    const seen: string[] = [];
    await waitFor(
      'the pushed host to succeed',
      async () => {
        const state = (await row.locator('[data-testid^="push-state-"]').textContent()) ?? '';
        if (seen[seen.length - 1] !== state) seen.push(state);
        return state === 'succeeded' || state === 'failed' ? state : undefined;
      },
      240_000,
      250,
    );
    expect(seen[seen.length - 1], seen.join(' → ')).toBe('succeeded');
    // The page moved through the attempt without a reload: it showed a state before success.
    expect(seen.length, seen.join(' → ')).toBeGreaterThan(1);
    await expect
      .poll(() => targets.locator('tr', { hasText: centos.address }).textContent())
      .toContain('PUSH_UNSUPPORTED_OS');
    await page.screenshot({ path: join(SHOTS, 'client-status-01-push.png'), fullPage: true });
  }, 300_000);

  it('shows the production dashboard with the pushed device, its install log and the failure chart', async () => {
    await page.getByTestId('nav-client-status').click();
    await page.getByTestId('client-dashboard-production').waitFor();
    // Both agents run the production version: the hand-enrolled one and the pushed one.
    await expect.poll(() => count('compliant'), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('client-state-counts').getAttribute('data-total')).toBe('2');
    await page.getByTestId('client-state-compliant').click();
    // The pushed device's install log is the push attempt's log.
    const [job] = await site.api.call(ops.clientPush.listJobs, {});
    const detail = await site.api.call(ops.clientPush.getJob, { params: { id: job?.id ?? '' } });
    const pushedId = detail.targets.find((t) => t.state === 'succeeded')?.deviceId ?? '';
    await page.getByTestId(`client-status-row-${pushedId}`).click();
    const log = page.getByTestId('client-install-log');
    await expect.poll(() => log.textContent()).toContain('install: step=');
    expect(await log.textContent()).toContain(`Client push to ${pushedVersion ?? ''}: succeeded`);
    await page.keyboard.press('Escape');
    await log.waitFor({ state: 'hidden' });

    const chart = page.getByTestId('client-failure-chart');
    await expect.poll(() => chart.getAttribute('data-failed')).toBe('1');
    await page.getByTestId('failure-reason-PUSH_UNSUPPORTED_OS').waitFor();
    await page.getByTestId('failure-period').getByText('Month', { exact: true }).click();
    await expect.poll(() => chart.getAttribute('data-failed')).toBe('1');
    await page.getByTestId('failure-reason-PUSH_UNSUPPORTED_OS').waitFor();
    await page.screenshot({ path: join(SHOTS, 'client-status-02-production.png'), fullPage: true });
  }, 120_000);

  it('changes the scope with Browse, reads the pre-production host in its true state, and shows the reports', async () => {
    const site01 = site.devices[0];
    if (!site01) throw new Error('no device');
    await page.getByTestId('browse-collection').click();
    await page.getByTestId('browse-collection-row').filter({ hasText: 'Site servers' }).click();
    await expect
      .poll(() => page.getByTestId('scope-collection').textContent())
      .toBe('Site servers');
    await expect
      .poll(() => page.getByTestId('client-state-counts').getAttribute('data-total'))
      .toBe('1');

    // The site server's host is the pre-production collection: it runs the pre-production
    // version (the same build), so it reads Compliant there with the rollout in its reason.
    await site.api.call(ops.agentVersions.updateSettings, {
      body: { preproductionVersion: pushedVersion ?? '', preproductionCollectionId: siteServers },
    });
    await page.getByTestId('tab-pre-production').click();
    const pre = page.getByTestId('client-dashboard-pre-production');
    await pre.waitFor();
    // The scope chosen with Browse stays when the other dashboard opens.
    await expect.poll(() => pre.getByTestId('scope-collection').textContent()).toBe('Site servers');
    await expect.poll(() => count('compliant'), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('client-state-compliant').click();
    const row = page.getByTestId(`client-status-row-${site01.id}`);
    await expect
      .poll(() => row.textContent())
      .toContain(`runs pre-production version ${pushedVersion ?? ''}`);
    await page.screenshot({
      path: join(SHOTS, 'client-status-03-pre-production.png'),
      fullPage: true,
    });

    // The reports: status by collection, and the failed push with its reason.
    await page.getByTestId('tab-client-reports').click();
    const reports = page.getByTestId('client-status-reports');
    await reports.getByText('Pre-production', { exact: true }).click();
    await expect
      .poll(() => page.getByTestId(`report-collection-${siteServers}`).textContent())
      .toMatch(/^Site servers1.*100\.0%$/);
    await expect
      .poll(() => page.getByTestId('report-client-failures').textContent())
      .toContain('PUSH_UNSUPPORTED_OS');
    await page.screenshot({ path: join(SHOTS, 'client-status-04-reports.png'), fullPage: true });
  }, 120_000);
});
