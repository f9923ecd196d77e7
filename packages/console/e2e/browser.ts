/**
 * What the browser journeys share: Debian's Chromium launched headless through playwright-core,
 * a page in a fixed light viewport, the admin sign-in, and where screenshots go.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Site } from '../../../test-support/site.js';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const SHOTS = join(REPO, 'test-results', 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context and page with the viewport, colour scheme and timeout the journeys use. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** Signs in as the site's admin and waits until the console shows who is signed in. */
export async function signIn(page: Page, site: Site): Promise<void> {
  await page.goto(site.adminUrl);
  await page.getByTestId('sign-in-form').waitFor();
  await page.getByTestId('sign-in-user').fill(site.adminUser);
  await page.getByTestId('sign-in-password').fill(site.adminPassword);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('signed-in-user').filter({ hasText: site.adminUser }).waitFor();
}
