/**
 * A phased automatic deployment rule halted by real failures (issue 10, ADR 0072): the rule is
 * phased across two collections (pre-production first); the first phase's device runs the
 * install through the real agent, whose dpkg fails on the update's postinst, and reports it
 * through the real status ingest. The phase's failures pass the rule's threshold, so the
 * rollout halts by itself before the second collection gets anything: the halt is a status
 * message, the rollout's state and reason are in the API, and the rule points at the rollout.
 * One clock, moved by the test, for the server and the agent (STEWARD_TEST_CLOCK_FILE).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type ApiClient } from '@steward/protocol';
import type { TestPackage } from '../../../test-support/apt-repo.js';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import { createTestSite, pgReachable, waitFor, type Site } from '../../../test-support/site.js';
import { distributeAndWait } from '../../../test-support/software.js';
import {
  deviceCollection,
  disposeUpstream,
  localUpstream,
  syncedSource,
  type LocalUpstream,
} from '../../../test-support/update-fixture.js';

const SUITE = 'bookworm-security';
const BROKEN_1: TestPackage = { name: 'broken-rule', version: '1.0-1' };
// 2.0's maintainer script fails: dpkg leaves it half-configured and the install fails.
const BROKEN_2: TestPackage = {
  name: 'broken-rule',
  version: '2.0-1',
  postinst: 'echo "broken-rule: configuration failed" >&2\nexit 1',
};
const MINUTE = 60_000;
const START = Date.parse('2031-06-02T08:00:00.000Z');
const PHASED_DEPLOYMENT_HALTED = 50121;

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres case of the phased halt is SKIPPED');

describe.each(dialects)(
  'a phased rule halted by failures reported by the agent on %s',
  (dialect) => {
    let up: LocalUpstream;
    let site: Site;
    let api: ApiClient;
    let clockFile: string;
    const setClock = (ms: number) => writeFileSync(clockFile, new Date(ms).toISOString());

    beforeAll(async () => {
      up = await localUpstream('steward-rule-halt-', SUITE, [BROKEN_1, BROKEN_2]);
      const box = createDpkgSandbox(up.dir, 'root');
      installPackages(up.dir, box, [BROKEN_1]);
      clockFile = join(up.dir, 'clock');
      setClock(START);
      site = await createTestSite({
        dialect,
        env: { STEWARD_TEST_CLOCK_FILE: clockFile, STEWARD_AGENT_SYSTEM_ROOT: box.root },
      });
      api = site.api;
      await syncedSource(api, up, 'Bookworm security', 1);
      const device = site.devices[0];
      if (!device) throw new Error('no device');
      await deviceCollection(api, 'Pre-production', [device.id]);
      await deviceCollection(api, 'Production', []);
    }, 240_000);

    afterAll(async () => {
      await site?.stop();
      await disposeUpstream(up);
    });

    it('halts the rollout in phase 1 when the pre-production device fails the install', async () => {
      const rule = await api.call(ops.updateRules.createUpdateRule, {
        body: {
          name: 'Broken phased',
          filter: { text: 'broken-rule' },
          collectionIds: ['Pre-production', 'Production'],
          phased: { successPercent: 100, soakMinutes: 0, haltOnFailurePercent: 10 },
          runAfterSync: false,
          deadlineAfterHours: 1,
          notifyUsers: false,
        },
      });
      const run = await api.call(ops.updateRules.runUpdateRule, { params: { id: rule.id } });
      expect(run).toMatchObject({ outcome: 'succeeded', added: 1 });
      const rolloutId = run.phasedDeploymentId ?? '';
      expect(rolloutId).not.toBe('');
      // The group's approved repository on the site's DP (content is distributed, not pushed).
      await distributeAndWait(api, `updates-${run.groupId ?? ''}`, ['site-server']);
      const [deploymentId] = run.deploymentIds;
      const deviceRow = async () =>
        (
          await api.call(ops.updateDeployments.updateDeploymentDevices, {
            params: { id: deploymentId ?? '' },
            query: {},
          })
        ).items[0];
      // Before the deadline the agent holds it; past it, it installs and dpkg fails.
      await waitFor('the agent to receive phase 1', async () =>
        (await deviceRow())?.state === 'received' ? true : undefined,
      );
      setClock(START + 61 * MINUTE);
      const failed = await waitFor(
        'the failure reported by the agent',
        async () => {
          const row = await deviceRow();
          return row?.state === 'failed' ? row : undefined;
        },
        180_000,
        500,
      );
      expect(failed.outputTail ?? '').toContain('broken-rule');

      // The phased deployments' scheduler sees 100% failed > 10% and halts the rollout.
      const halted = await waitFor(
        'the rollout to halt',
        async () => {
          const r = await api.call(ops.phasedDeployments.get, { params: { id: rolloutId } });
          return r.state === 'halted' ? r : undefined;
        },
        120_000,
        500,
      );
      expect(halted.currentPhase).toBe(0);
      expect(halted.haltReason).toBe('phase 1: 100% of devices failed (threshold 10%)');
      expect(halted.phases.map((p) => [p.collectionName, p.state])).toEqual([
        ['Pre-production', 'halted'],
        ['Production', 'waiting'],
      ]);
      // Production never got a deployment: the phase's deployment is disabled.
      expect(halted.phases[1]?.deploymentId ?? null).toBeNull();
      const phase1 = await api.call(ops.updateDeployments.getUpdateDeployment, {
        params: { id: deploymentId ?? '' },
      });
      expect(phase1).toMatchObject({ collectionName: 'Pre-production', enabled: false });
      const messages = (
        await api.call(ops.status.listMessages, { query: { messageId: PHASED_DEPLOYMENT_HALTED } })
      ).items.map((m) => m.text);
      expect(messages).toEqual([
        `Phased deployment "${halted.name}" halted in phase 1: phase 1: 100% of devices failed (threshold 10%)`,
      ]);
      // The rule leads to the halted rollout (what its console page shows).
      const after = await api.call(ops.updateRules.getUpdateRule, { params: { id: rule.id } });
      expect(after.lastRun?.phasedDeploymentId).toBe(rolloutId);
    }, 300_000);
  },
);
