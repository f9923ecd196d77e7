/**
 * Issue 9 in the console: Administration > Client versions (promote with confirmation) and the
 * Devices page's install command, in a real browser against a real site.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ops } from '@steward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerStandInVersion } from '../../../test-support/agent-versions.js';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const register = (version: string) => registerStandInVersion(site.api, version);

describe('console: client versions and the install command', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 1 });
    await register('1.0.0');
    await register('1.1.0');
    await site.api.call(ops.agentVersions.updateSettings, {
      body: { productionVersion: '1.0.0', preproductionVersion: '1.1.0' },
    });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('shows the install one-liner with a fresh single-use token', async () => {
    await page.getByTestId('install-command').click();
    const text = page.getByTestId('install-command-text');
    await text.waitFor();
    const command = (await text.textContent()) ?? '';
    // The line pins the CA the site serves (its PEM's SHA-256) before it runs anything.
    const { caPemSha256 } = await site.api.site();
    expect(command).toContain(`echo "${caPemSha256}  $d/ca.pem" | sha256sum -c --status`);
    expect(command).toContain(
      `curl -fsS --cacert "$d/ca.pem" -o "$d/install.sh" '${site.agentUrl}/install.sh'`,
    );
    expect(command).toMatch(/ && sh "\$d\/install\.sh" --token 'stw1\.\S+'$/);
    const tokens = await site.api.listTokens();
    expect(tokens.some((t) => t.maxUses === 1 && t.uses === 0)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'c10-install-command.png') });
    await page.keyboard.press('Escape');
  });

  it('lists versions with their roles and promotes pre-production after confirmation', async () => {
    await page.getByTestId('nav-client-versions').click();
    await page.getByTestId('agent-version-1.1.0').waitFor();
    expect(await page.getByTestId('agent-version-1.1.0').textContent()).toContain('pre-production');
    await page.screenshot({ path: join(SHOTS, 'c10-client-versions.png'), fullPage: true });
    await page.getByTestId('promote-preproduction').click();
    await page.getByTestId('promote-preproduction-confirm').click();
    await expect
      .poll(async () => (await site.api.call(ops.agentVersions.getSettings, {})).productionVersion)
      .toBe('1.1.0');
    await expect
      .poll(() => page.getByTestId('agent-version-1.1.0').textContent())
      .toContain('production');
  });

  it("shows a device's client version and the reason of its upgrade attempt after Upgrade now", async () => {
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    await page.goto(`${site.adminUrl}/devices/${device.id}?tab=client-version`);
    await expect.poll(() => page.getByTestId('client-version-target').textContent()).toBe('1.1.0');
    expect(await page.getByTestId('client-version-rollout').textContent()).toBe('Production');
    // The test agent runs from the checkout, not from install-agent.sh: its attempt fails and says why.
    await page.getByTestId('action-upgrade-agent').click();
    const attempt = page.locator('[data-testid^="upgrade-attempt-"]', { hasText: 'failed' });
    await attempt.first().waitFor({ timeout: 60_000 });
    expect(await attempt.first().textContent()).toContain(
      'installed neither by install-agent.sh nor from the .deb',
    );
    await page.screenshot({ path: join(SHOTS, 'c10-device-client-version.png'), fullPage: true });
  });
});
