/**
 * An upgrade sequence deployed Available and started from the Software Center by a real agent
 * (issue 11, ADR 0102), both databases: the agent's assignments carry the upgrade package (the
 * step would otherwise fail without a report), the upgrade-os step runs its pre-checks on this
 * machine and stops at the first one, since the package starts from a release no machine runs
 * (so nothing here is changed: pre-checks only read), and the site attaches the report the
 * step raised to the run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops, StatusMessages, type TaskSequenceRun } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import {
  directCollection,
  agentCenter,
  createTestSite,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { upgradeSequence } from '../../../test-support/upgrade-package.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

describe.each(dialects)('an upgrade sequence run by an agent (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let dir: string;
  let key: SigningKey;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'steward-upgrade-run-'));
    key = createSigningKey(dir, 'Upgrade Run Archive');
    site = await createTestSite({ dialect });
  }, 240_000);
  afterAll(async () => {
    if (skip) return;
    await site.stop();
    disposeSigningKey(key);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'offers it in the Software Center, runs the pre-checks and reports on the run',
    async () => {
      const deviceId = site.devices[0]?.id ?? '';
      const stateDir = site.agents[0]?.stateDir ?? '';
      const pkg = await site.api.call(ops.upgradePackages.create, {
        body: {
          name: 'From a release nobody runs',
          fromRelease: { codename: 'steward-none', version: '1' },
          targetRelease: { codename: 'steward-next', version: '2' },
          sources: [
            { url: 'http://127.0.0.1:9/debian', suite: 'steward-next', components: ['main'] },
          ],
          keyring: armorKeyring(readFileSync(key.keyringFile)),
        },
      });
      const seq = await site.api.call(ops.taskSequences.create, {
        body: upgradeSequence('Upgrade in place', pkg.id),
      });
      const collectionId = await directCollection(site, 'To upgrade', deviceId);
      const d = await site.api.call(ops.taskSequenceDeployments.create, {
        body: { purpose: 'available', sequenceId: seq.id, collectionId },
      });
      await site.api.requestDeviceAction(deviceId, 'deployments:evaluate');
      await waitFor('the offer in the Software Center', async () => {
        const list = await agentCenter(stateDir, ['list']);
        const entries = Array.isArray(list['deployments']) ? list['deployments'] : [];
        return entries.some(
          (e: unknown) =>
            typeof e === 'object' && e !== null && 'deploymentId' in e && e.deploymentId === d.id,
        )
          ? true
          : undefined;
      });
      expect(await agentCenter(stateDir, ['run', d.id])).toMatchObject({ ok: true });
      const run = await waitFor(
        'the run to fail with its upgrade report',
        async () => {
          const r: TaskSequenceRun = await site.api.call(ops.taskSequenceDeployments.run, {
            params: { id: d.id, deviceId },
          });
          return r.state === 'failed' && (r.upgradeReports ?? []).length > 0 ? r : undefined;
        },
        120_000,
        250,
      );
      const report = run.upgradeReports?.[0];
      expect(report).toMatchObject({
        stepId: 'upgrade',
        report: {
          upgradePackageId: pkg.id,
          outcome: 'pre-check-failed',
          targetRelease: 'steward-next (2)',
          plan: null,
          sourcesRestored: false,
        },
      });
      expect(report?.report.preChecks.find((p) => p.check === 'current-release')).toMatchObject({
        ok: false,
      });
      const failedCheck = await site.api.listStatusMessages({
        deviceId,
        messageId: StatusMessages.OS_UPGRADE_PRE_CHECK_FAILED.id,
      });
      expect(failedCheck.items[0]?.insertionStrings.slice(0, 2)).toEqual([
        'steward-next (2)',
        'current-release',
      ]);
    },
    240_000,
  );
});
