/**
 * The console's session as a script in the page would see it: no token in storage or in
 * readable cookies, a session that survives a reload through its HttpOnly cookie, a CSP that
 * blocks nothing the console needs, and the API docs at /api/docs usable with that session
 * ("try it out" on an operation that changes something, so the CSRF header is needed).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** CSP violations the page reported (recorded by a script the CSP does not apply to). */
function violations(): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

describe('console session security', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await context.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('keeps the session where page scripts cannot read it, across a reload', async () => {
    await signIn(page, site);
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      storage: JSON.stringify({ ...window.localStorage, ...window.sessionStorage }),
    }));
    expect(visible.cookie).toContain('steward_csrf=');
    expect(visible.cookie).not.toContain('steward_session');
    const session = (await context.cookies()).find((c) => c.name === 'steward_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(visible.storage).not.toContain(session?.value ?? '<none>');
    await page.reload();
    await page.getByTestId('signed-in-user').filter({ hasText: site.adminUser }).waitFor();
    await page.goto(`${site.adminUrl}/collections`);
    await page.getByTestId('signed-in-user').waitFor();
    expect(await violations()).toEqual([]);
  });

  it('lets a signed-in user try the API from /api/docs, CSRF header included', async () => {
    await page.goto(`${site.adminUrl}/api/docs`);
    const op = page.locator('.opblock-post', {
      has: page.locator('.opblock-summary-path', { hasText: '/api/v1/collections/{id}/evaluate' }),
    });
    await op.locator('.opblock-summary').first().click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.locator('input[placeholder="id"]').fill('all-systems');
    await op.getByRole('button', { name: 'Execute' }).click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent()).toContain('200');
    await page.screenshot({ path: join(SHOTS, 'api-docs-try-it-out.png'), fullPage: false });
    expect(await violations()).toEqual([]);
    const audit = await site.api.listAudit({ limit: 10, targetType: 'collection' });
    expect(audit[0]).toMatchObject({ action: 'collection.evaluate', userName: site.adminUser });
  });

  it('signs out: the session cookie is gone and the session ended at the site', async () => {
    await page.goto(site.adminUrl);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor();
    const names = (await context.cookies()).map((c) => c.name);
    expect(names).not.toContain('steward_session');
    expect(names).not.toContain('steward_csrf');
    const audit = await site.api.listAudit({ limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'user.logout', userName: site.adminUser });
  });
});
