/**
 * OS deployment monitoring in a real browser against a real site (issue 11, ADR 0103): the real
 * `steward-agent boot-env` process of a bare-metal machine (an unknown computer, its identity
 * from a sysfs tree of its own) runs a deployed sequence while the deployment's progress view
 * is open; the row shows step 2 of 3 running while the run waits at a gate and changes to
 * succeeded, step 3 of 3, when the test opens it. The installed system enrols: the row becomes
 * the new device's and its OSD tab shows the whole run; its primary users are set there. And the
 * pages around it: the unknown computers list, the boot images, a default OS image build, and
 * a DP's PXE section.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type TaskSequenceDeployment } from '@steward/protocol';
import { runBootEnv, siteCaPem, type BootMachine } from '../../../test-support/boot-env-process.js';
import { deployBootSequence } from '../../../test-support/boot-run.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';
import { launchBrowser, openPage, SHOTS, signIn } from './browser.js';

const MACHINE: BootMachine = {
  smbiosUuid: '3f0a9c1e-5b2d-4e6f-8a7b-00000e2e0001',
  macs: ['52:54:00:e2:e0:01'],
};
const UUID = MACHINE.smbiosUuid ?? '';

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir = '';
let deployment: TaskSequenceDeployment;
let deviceId = '';

describe('console: OS deployment monitoring', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await createTestSite({ withEnrolledDevices: 0 });
    dir = mkdtempSync(join(site.dir, 'osd-e2e-'));
    execFileSync('mkfifo', [join(dir, 'gate')]);
    browser = await launchBrowser();
    ({ context, page } = await openPage(browser));
    await signIn(page, site);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
  });

  it('watches a bare-metal run advance in the deployment progress view', async () => {
    const bootKey = await deployBootSequence(site, 'Bare metal', [
      step('prepare', 'run-command', { command: 'echo prepared' }),
      step('wait', 'run-command', { command: `cat ${join(dir, 'gate')} >/dev/null` }),
      step('finish', 'run-command', { command: 'echo installed' }),
    ]);
    const list = await site.api.call(ops.taskSequenceDeployments.list, {});
    deployment = list.items[0] ?? deployment;
    await page.goto(`${site.adminUrl}/software/task-sequence-deployments/${deployment.id}`);
    await page.getByTestId('tsd-page').waitFor();

    const exited = runBootEnv({
      siteUrl: site.agentUrl,
      caPem: await siteCaPem(site.api),
      bootKey,
      dir,
      machine: MACHINE,
    });
    // The computer has no device yet: its row is named by its SMBIOS UUID.
    const row = page.getByTestId(`tsd-run-${UUID}`);
    await page.locator(`[data-testid="tsd-run-${UUID}"][data-state="running"]`).waitFor();
    await row.getByTestId('run-step').filter({ hasText: 'Step 2 of 3' }).waitFor();
    await row.getByText('wait', { exact: true }).waitFor();
    expect(await row.getByTestId('boot-run-badge').textContent()).toContain('unknown computer');
    await page.screenshot({ path: join(SHOTS, 'osd-progress-running.png'), fullPage: true });

    await writeFile(join(dir, 'gate'), 'go\n');
    await page.locator(`[data-testid="tsd-run-${UUID}"][data-state="succeeded"]`).waitFor();
    await row.getByTestId('run-step').filter({ hasText: 'Step 3 of 3' }).waitFor();
    expect((await exited).code).toBe(0);
    await page.getByTestId(`tsd-run-toggle-${UUID}`).click();
    const history = page.getByTestId('run-history');
    await history.getByText('finish').waitFor();
    expect(await history.locator('tbody tr').count()).toBe(3);
  });

  it('shows the run on the device the installed system enrolled as, with its primary users', async () => {
    [deviceId = ''] = await enrolInventoryDevices(site.api, [
      {
        hostname: 'new-pc',
        classes: {
          systemIdentity: [{ uuid: UUID }],
          networkAdapter: [{ name: 'eth0', mac: MACHINE.macs[0] ?? '' }],
        },
      },
    ]);
    // The progress view, still open, names the run by its device now.
    const row = page.getByTestId('tsd-run-new-pc');
    await row.waitFor();
    await row.getByRole('link', { name: 'new-pc' }).click();
    const run = page.getByTestId(`device-ts-run-${deployment.id}-boot`);
    await run.waitFor();
    expect(await run.getAttribute('data-state')).toBe('succeeded');
    await run.getByTestId('run-step').filter({ hasText: 'Step 3 of 3' }).waitFor();
    expect(await run.getByTestId('boot-run-badge').textContent()).toContain('enrolled');
    expect(await run.getByTestId('run-history').locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SHOTS, 'osd-device-tab.png'), fullPage: true });

    await page.goto(`${site.adminUrl}/devices/${deviceId}?tab=users`);
    const input = page.getByTestId('primary-users-input');
    await input.fill('ada');
    await input.press('Enter');
    await page.getByTestId('primary-users-save').click();
    await page.getByTestId('primary-users-table').getByText('ada').waitFor();
    const users = await site.api.call(ops.primaryUsers.list, { params: { id: deviceId } });
    expect(users.map((u) => [u.userName, u.source])).toEqual([['ada', 'administrator']]);
  });

  it('lists the unknown computer, the boot image and a default OS image build', async () => {
    await page.goto(`${site.adminUrl}/software/unknown-computers`);
    await page.getByTestId('unknown-computers').getByText(UUID).waitFor();

    const [image] = await site.api.call(ops.bootImages.list, {});
    await page.goto(`${site.adminUrl}/software/boot-images`);
    await page
      .getByTestId('boot-images')
      .getByText(image?.name ?? '?')
      .waitFor();

    // A default image build (debootstrap) from a mirror on loopback that answers nothing: the
    // build is listed as the site runs it, and ends failed.
    await page.goto(`${site.adminUrl}/software/os-images`);
    await page.getByTestId('os-image-build-release').fill('bookworm');
    await page.getByLabel('Mirror').fill('http://127.0.0.1:9/debian');
    await page.getByTestId('os-image-build').click();
    const builds = page.getByTestId('os-image-builds');
    await builds.getByRole('cell', { name: 'Debian bookworm' }).waitFor();
    const listed = await site.api.call(ops.osImages.listBuilds, {});
    expect(listed.map((b) => b.release)).toEqual(['bookworm']);
    await waitFor('the build to end', async () => {
      const [b] = await site.api.call(ops.osImages.listBuilds, {});
      return b?.status !== 'building';
    });
    // The page follows the build to its end. Its progress line is shown only while it runs,
    // which a mirror that answers nothing can end before the page's next poll: the end state is
    // what is asserted.
    await builds.getByText('failed', { exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'osd-os-image-build.png'), fullPage: true });
  });

  it("sets a DP's PXE section", async () => {
    const reg = await site.api.createDistributionPoint({ name: 'branch-pxe' });
    const id = reg.distributionPoint.id;
    await page.goto(`${site.adminUrl}/admin/distribution-points/${id}`);
    const pxe = page.getByTestId('dp-pxe');
    await pxe.waitFor();
    expect(await page.getByTestId('dp-pxe-state').textContent()).toBe('off');
    await page.getByTestId('dp-pxe-enabled').click();
    await page.getByTestId('dp-pxe-address').fill('192.0.2.10');
    await page.getByTestId('dp-pxe-save').click();
    await page.getByTestId('dp-pxe-state').filter({ hasText: 'answering PXE' }).waitFor();
    const saved = await site.api.call(ops.dpPxe.get, { params: { id } });
    expect(saved).toMatchObject({ enabled: true, serverAddress: '192.0.2.10' });
  });
});
