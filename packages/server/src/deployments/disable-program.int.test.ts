import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { openDatabase } from '../db/database.js';
import {
  pgReachable,
  createTestSite,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../../test-support/site.js';
import { insertPackage } from '../../test/support/deployments.js';
import { join } from 'node:path';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg)
  console.warn('PostgreSQL is unreachable: the postgres case of disable-program is SKIPPED');

describe.each(dialects)('disabling a program on %s', (dialect) => {
  let site: Site;
  beforeAll(async () => {
    if (dialect === 'postgres' && !hasPg) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'nudges every targeted device through the push channel at once',
    async () => {
      const deviceId = site.devices[0]?.id ?? '';
      // The agent's own log says why a nudge did not arrive.
      onTestFailed(() => console.warn(site.agents[0]?.proc?.output().slice(-4000)));
      // The package and its content version are written as the content library writes them.
      const db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
      try {
        await insertPackage(db.kysely, 'tools');
      } finally {
        await db.close();
      }
      const first = await site.api.createProgram('tools', { name: 'first', commandLine: 'true' });
      const program = await site.api.createProgram('tools', {
        name: 'main',
        commandLine: 'sleep 600',
        dependsOnProgramId: first.id,
      });
      await waitFor('All Systems membership', async () =>
        (await site.api.collectionMembers('all-systems')).items.some((d) => d.id === deviceId),
      );
      // A live push connection, proven by a delivered request rather than by recent presence.
      const probe = await site.api.requestDeviceAction(deviceId, 'policy:fetch');
      await waitFor(
        'push connection',
        async () =>
          (await site.api.deviceActions(deviceId)).find((a) => a.id === probe.id)?.deliveredAt,
        90_000,
      );
      // Deployed through its dependency: disabling `first` must reach it too.
      await site.api.createDeployment({
        programId: program.id,
        collectionId: 'all-systems',
        purpose: 'required',
        triggers: [{ type: 'at', start: '2099-01-01T00:00' }],
      });
      // The deployment's own nudge is recorded before createDeployment answers.
      const known = new Set((await site.api.deviceActions(deviceId)).map((a) => a.id));
      const disabled = await site.api.setProgramDisabled(first.id, true);
      expect(disabled.disabled).toBe(true);
      const nudge = await waitFor(
        'the disable nudge delivered',
        async () =>
          (await site.api.deviceActions(deviceId)).find(
            (a) =>
              !known.has(a.id) &&
              a.action === 'deployments:evaluate' &&
              a.requestedBy === 'admin' &&
              a.deliveredAt !== null,
          ),
        90_000,
      );
      expect(nudge.state).not.toBe('not-connected');
      const messages = await site.api.listStatusMessages({ messageId: 50111 });
      expect(messages.items[0]?.insertionStrings).toEqual(['tools', 'first', 'disabled', 'admin']);
    },
  );
});
