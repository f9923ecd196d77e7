/**
 * Monitoring > Discovery in a real browser against a real site: start a sweep of loopback
 * addresses only (127.0.0.48/29, an OpenSSH-style listener on 127.0.0.50), watch it end, filter
 * the discovered machines, push the agent to one. Screenshots go to test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '@steward/protocol';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { makeKeyPair } from '../../../test-support/sshd-hosts.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ssh: Server;
const sockets = new Set<Socket>();

describe('console: network discovery', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ssh = createServer((s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      s.end('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n');
    });
    await new Promise<void>((resolve) => ssh.listen(22, '127.0.0.50', resolve));
    site = await createTestSite({ withEnrolledDevices: 0 });
    // Names from /etc/hosts only: the resolver in /etc/resolv.conf is off this machine.
    await site.api.call(ops.discovery.updateSettings, { body: { nameLookup: 'hosts-file' } });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await page.goto(site.adminUrl);
    await signIn(page, site);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    // The push's SSH client may still hold a connection to the fake listener: close it too.
    for (const s of sockets) s.destroy();
    await new Promise((r) => ssh?.close(r));
  });

  it('starts a sweep, shows its progress and the machines it found', async () => {
    await page.getByTestId('nav-discovery').click();
    await page.getByTestId('discovery-page').waitFor();
    await page.getByTestId('discovery-targets').fill('127.0.0.48/29');
    await page.getByTestId('discovery-ports').fill('22');
    await page.getByTestId('discovery-icmp').uncheck();
    await page.getByTestId('discovery-start-button').click();
    await expect
      .poll(() => page.getByTestId('discovery-sweep-state').textContent(), { timeout: 60_000 })
      .toBe('completed');
    expect(await page.getByTestId('discovery-progress-text').textContent()).toContain(
      '8 / 8 addresses · 1 found',
    );
    const row = page.getByTestId('discovery-machine-127.0.0.50');
    await row.waitFor();
    expect(await row.textContent()).toContain('Ubuntu 22.04');
    expect(await row.textContent()).toContain('no agent');
    await page.screenshot({ path: join(SHOTS, 'discovery-01-sweep.png'), fullPage: true });

    const filter = page.getByTestId('discovery-agent-filter');
    await filter.getByText('Has agent', { exact: true }).click();
    await page.getByTestId('discovery-empty').waitFor();
    await filter.getByText('No agent', { exact: true }).click();
    await row.waitFor();
  });

  it('pushes the agent to a selected machine with no agent (the shared bulk bar)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-e2e-push-'));
    try {
      const key = makeKeyPair(dir, 'push');
      await site.api.call(ops.clientPush.createAccount, {
        body: { name: 'e2e root', user: 'root', privateKey: key.privateKey, serviceMode: 'none' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.reload();
    const row = page.getByTestId('discovery-machine-127.0.0.50');
    await row.getByTestId('select-row').check();
    await page.getByTestId('discovered-bulk-bar').waitFor();
    expect(await page.getByTestId('bulk-selected-count').textContent()).toBe('1 machines selected');
    await page.getByTestId('bulk-action-push').click();
    expect(await page.getByTestId('bulk-confirm-question').textContent()).toBe(
      'Push the agent to 1 machines?',
    );
    // The account is required: the confirm button waits for it.
    expect(await page.getByTestId('bulk-confirm-button').isDisabled()).toBe(true);
    await page.getByTestId('bulk-push-account').click();
    await page.getByRole('option', { name: 'e2e root (root)' }).click();
    await page.screenshot({ path: join(SHOTS, 'discovery-02-push.png'), fullPage: true });
    await page.getByTestId('bulk-confirm-button').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe('Done: 1');
    // The summary links to the push job; its page shows the target (the listener is no sshd).
    await page.getByTestId('bulk-result-follow').click();
    await page.getByTestId('client-push').waitFor();
    await expect
      .poll(() => page.getByTestId('push-targets').textContent(), { timeout: 30_000 })
      .toContain('127.0.0.50');
    const jobs = await site.api.call(ops.clientPush.listJobs, {});
    expect(jobs[0]?.source).toBe('discovered');
  });

  it("shows a collection's discovered members with no agent", async () => {
    const col = await site.api.call(ops.collections.create, {
      body: { name: 'with a discovered machine', rules: [] },
    });
    await site.api.call(ops.discovery.addCollectionMembers, {
      params: { id: col.id },
      body: { addresses: ['127.0.0.50'] },
    });
    await page.goto(`${site.adminUrl}/collections/${col.id}`);
    const row = page.getByTestId('collection-discovered-127.0.0.50');
    await row.waitFor();
    expect(await row.textContent()).toContain('no agent');
    await page.screenshot({ path: join(SHOTS, 'discovery-03-collection.png'), fullPage: true });
  });

  it('selects all machines matching the filter (more than a page) and adds them to a collection', async () => {
    // 64 more loopback addresses, found by ICMP (loopback answers on every address).
    const sweep = await site.api.call(ops.discovery.startSweep, {
      body: { subnets: ['127.0.0.64/26'], ports: [], icmp: true },
    });
    await expect
      .poll(
        async () =>
          (await site.api.call(ops.discovery.getSweep, { params: { id: sweep.id } })).state,
        { timeout: 60_000 },
      )
      .toBe('completed');
    const col = await site.api.call(ops.collections.create, {
      body: { name: 'found by sweep', rules: [] },
    });
    const matching = await site.api.call(ops.discovery.listMachines, {
      query: { search: '127.0.0.', hasAgent: false, limit: 1 },
    });
    expect(matching.total).toBeGreaterThan(50);
    await page.getByTestId('nav-discovery').click();
    await page.getByTestId('discovery-search').fill('127.0.0.');
    await page.getByTestId('discovery-agent-filter').getByText('No agent', { exact: true }).click();
    await expect
      .poll(() => page.getByTestId('pager-summary').textContent())
      .toBe(`1–50 of ${matching.total}`);
    await page.getByTestId('select-page').check();
    await page.getByTestId('select-all-matching').click();
    expect(await page.getByTestId('bulk-selected-count').textContent()).toBe(
      `${matching.total} machines selected`,
    );
    await page.getByTestId('bulk-action-collection:add').click();
    expect(await page.getByTestId('bulk-confirm-question').textContent()).toBe(
      `Add ${matching.total} machines?`,
    );
    await page.getByTestId('bulk-collection').click();
    await page.getByRole('option', { name: 'found by sweep' }).click();
    await page.getByTestId('bulk-confirm-button').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-result-done').textContent()).toBe(
      `Done: ${matching.total}`,
    );
    await page.screenshot({ path: join(SHOTS, 'discovery-04-bulk-add.png'), fullPage: true });
    await page.getByTestId('bulk-result-close').click();
    const members = await site.api.call(ops.discovery.listCollectionMembers, {
      params: { id: col.id },
    });
    expect(members).toHaveLength(matching.total);
    const audit = await site.api.listAudit({ action: 'discovered.bulk.collection:add' });
    expect(audit.filter((e) => e.action === 'discovered.bulk.collection:add')).toHaveLength(1);
  });

  it('refuses a sweep of a /8 with its error code', async () => {
    await page.getByTestId('nav-discovery').click();
    await page.getByTestId('discovery-targets').fill('10.0.0.0/8');
    await page.getByTestId('discovery-start-button').click();
    await expect
      .poll(() => page.getByTestId('discovery-start-error').textContent())
      .toContain('DISCOVERY_TOO_MANY_ADDRESSES');
  });
});
