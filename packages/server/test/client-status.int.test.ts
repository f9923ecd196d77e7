/**
 * Client deployment status (issue 9) through the real CLI against a real site with a real agent,
 * on SQLite and PostgreSQL: the agent's host placed in the pre-production collection (a site-role
 * host, as the seeds warn) reads its true state with its reason, and leaves the production
 * dashboard; the failure chart and both reports answer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type ClientFailureChart,
  type ClientStatusByCollectionRow,
  type ClientStatusDevice,
  type ClientStatusSummary,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { registerStandInVersion } from '../../../test-support/agent-versions.js';

const pgUp = await pgReachable();
const dialects: TestDialect[] = ['sqlite', 'postgres'];

describe.each(dialects)('client deployment status on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let site: Site;
    let env: NodeJS.ProcessEnv;
    let version: string;
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await exec(STEWARD, [...args, '--json'], { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as T;
    };

    beforeAll(async () => {
      site = await createTestSite({ dialect, withEnrolledDevices: 1 });
      env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
        NO_COLOR: '1',
      };
      version = site.devices[0]?.agentVersion ?? '';
      // The version the agent runs, registered through the real upload path.
      await registerStandInVersion(site.api, version);
    }, 180_000);
    afterAll(async () => {
      await site?.stop();
    });

    it('reads a device with no production version set as Not started, with the reason', async () => {
      const s = await json<ClientStatusSummary>(['client-status']);
      expect(s).toMatchObject({ expectedVersion: null, total: 1 });
      expect(s.counts['not-started']).toBe(1);
      const [d] = await json<ClientStatusDevice[]>(['client-status', '--state', 'not-started']);
      expect(d?.reason).toContain('no production client version is set');
    });

    it('reads the agent Compliant on production once its version is production', async () => {
      expect(version).not.toBe('');
      await site.api.call(ops.agentVersions.updateSettings, {
        body: { productionVersion: version },
      });
      const s = await json<ClientStatusSummary>(['client-status', '--rollout', 'production']);
      expect(s).toMatchObject({ expectedVersion: version, total: 1 });
      expect(s.counts.compliant).toBe(1);
    });

    it('shows a site-role host in the pre-production collection in its true state, with its rollout', async () => {
      const device = site.devices[0];
      if (!device) throw new Error('no device');
      const c = await site.api.createCollection({
        name: 'Site servers',
        rules: [{ kind: 'direct', deviceId: device.id }],
      });
      await waitFor(
        'collection evaluated',
        async () => (await site.api.getCollection(c.id)).memberCount === 1,
      );
      await site.api.call(ops.agentVersions.updateSettings, {
        body: { preproductionVersion: version, preproductionCollectionId: c.id },
      });
      const pre = await json<ClientStatusSummary>([
        'client-status',
        '--rollout',
        'pre-production',
        '--collection',
        'Site servers',
      ]);
      expect(pre).toMatchObject({
        collectionName: 'Site servers',
        expectedVersion: version,
        total: 1,
      });
      expect(pre.counts.compliant).toBe(1);
      const [d] = await json<ClientStatusDevice[]>([
        'client-status',
        '--rollout',
        'pre-production',
        '--state',
        'compliant',
      ]);
      expect(d).toMatchObject({ deviceId: device.id, agentVersion: version });
      expect(d?.reason).toContain(`runs pre-production version ${version}`);
      // It follows pre-production only: the production dashboard no longer counts it.
      const prod = await json<ClientStatusSummary>(['client-status']);
      expect(prod.total).toBe(0);
      const rows = await json<ClientStatusByCollectionRow[]>([
        'client-status',
        'by-collection',
        '--rollout',
        'pre-production',
      ]);
      expect(rows.find((r) => r.collectionName === 'Site servers')).toMatchObject({
        total: 1,
        compliantPercent: 100,
      });
    });

    it('answers the failure chart by week and the failed deployments report', async () => {
      const chart = await json<ClientFailureChart>([
        'client-status',
        'failures',
        '--period',
        'week',
      ]);
      expect(chart.period).toBe('week');
      expect(chart.buckets).toHaveLength(13);
      expect(new Date(chart.buckets[12]?.start ?? '').getUTCDay()).toBe(1);
      expect(await json<unknown[]>(['client-status', 'failed'])).toEqual([]);
      const bad = await exec(STEWARD, ['client-status', 'failures', '--period', 'year'], { env });
      expect(bad.code).toBe(2);
      const missing = await exec(STEWARD, ['client-status', '--collection', 'nope'], { env });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('COLLECTION_NOT_FOUND');
    });
  });
});
