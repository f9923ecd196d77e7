/**
 * Task-sequence deployments (issue 11, ADR 0076) on a real server, both databases: deployed to
 * a collection with its settings checked; the built-in unknown-computer collections; and the PXE
 * decision from real data, asked over the real PXE HTTP path (a DP's PXE listener whose decider
 * calls the site's DP API with a registered DP's credentials): an unknown computer's required
 * deployment boots its sequence's boot image, an imported computer's available one asks the PXE
 * password, a known device's deployment is found by its inventory's MAC, and a machine with
 * nothing (or a disabled deployment) boots to the next device. No VM (pxe-vm.int.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps, ApiError, dpPxeDefaults, ops, type TaskSequenceBody } from '@steward/protocol';
import { decodeDpToken, fetchPinnedCa } from '@steward/protocol/node';
import { postToAgent } from '../../../test-support/agent-http.js';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { insertBuiltBootImage } from './support/boot-images.js';
import { SiteClient } from '../src/distribution/dp-process/site-client.js';
import { deciderOf } from '../src/distribution/dp-process/pxe.js';
import { startPxeServices, type RunningPxe } from '../src/pxe/pxe-services.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const canPxe = existsSync('/usr/lib/ipxe/undionly.kpxe');
const BOOT_KEY = 'k'.repeat(43);

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

function sequence(name: string, bootImageId: string | null): TaskSequenceBody {
  return {
    name,
    kind: 'install-os',
    bootImageId,
    steps: [
      {
        type: 'step',
        kind: 'run-command',
        id: 'hello',
        name: 'Hello',
        enabled: true,
        continueOnError: false,
        settings: { command: 'true' },
      },
    ],
  };
}

/** Registers a DP with the site as `steward server --roles dp` does, for its PXE decider. */
async function registeredDp(site: Site): Promise<SiteClient> {
  const reg = await site.api.createDistributionPoint({
    name: `pxe-dp-${randomUUID().slice(0, 8)}`,
  });
  const token = decodeDpToken(reg.registrationToken);
  if (!token.ok) throw new Error(token.error);
  const client = new SiteClient(
    token.value.url,
    await fetchPinnedCa(token.value.url, token.value.caFingerprint),
  );
  const res = await client.call(agentOps.distributionPoint.register, {
    body: {
      secret: token.value.secret,
      url: 'https://127.0.0.1:9',
      hostnames: ['127.0.0.1'],
      version: '0.0.0',
    },
  });
  client.setCredentials(res.dpId, res.dpKey);
  return client;
}

describe.each(dialects)('task-sequence deployments (%s)', (dialect) => {
  let site: Site;
  let db: Db;
  let bootImageId = '';
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
    // The deployments' targeted counts read All Systems, which takes the device in its own time.
    await waitFor('All Systems holds the enrolled device', async () =>
      (await site.api.collectionMembers('all-systems')).total === 1 ? true : undefined,
    );
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    bootImageId = await insertBuiltBootImage(db.kysely, {
      name: 'default-amd64',
      bootKey: BOOT_KEY,
    });
  });
  afterAll(async () => {
    await db?.kysely.destroy();
    await site?.stop();
  });

  it.skipIf(skip)(
    'deploys a sequence to a collection, checks its settings, lists its runs',
    async () => {
      const seq = await site.api.call(ops.taskSequences.create, {
        body: sequence('Say hello', null),
      });
      const noDeadline = await refusal(
        site.api.call(ops.taskSequenceDeployments.create, {
          body: { sequenceId: seq.id, collectionId: 'all-systems', purpose: 'required' },
        }),
      );
      expect(noDeadline.code).toBe('TASK_SEQUENCE_DEPLOYMENT_INVALID');
      const passwordNoPxe = await refusal(
        site.api.call(ops.taskSequenceDeployments.create, {
          body: {
            sequenceId: seq.id,
            collectionId: 'all-systems',
            purpose: 'available',
            pxePassword: 'secret-1',
          },
        }),
      );
      expect(passwordNoPxe.code).toBe('TASK_SEQUENCE_DEPLOYMENT_INVALID');
      const noVersion = await refusal(
        site.api.call(ops.taskSequenceDeployments.create, {
          body: {
            sequenceId: seq.id,
            version: 9,
            collectionId: 'all-systems',
            purpose: 'available',
          },
        }),
      );
      expect(noVersion.code).toBe('TASK_SEQUENCE_DEPLOYMENT_REFERENCE_NOT_FOUND');

      const d = await site.api.call(ops.taskSequenceDeployments.create, {
        body: {
          sequenceId: 'Say hello',
          collectionId: 'all-systems',
          purpose: 'required',
          deadline: '2030-01-01T00:00:00Z',
          rerun: 'if-failed',
        },
      });
      expect(d).toMatchObject({
        sequenceId: seq.id,
        version: 1,
        collectionName: 'All Systems',
        availableTo: 'clients',
        enabled: true,
        rerun: 'if-failed',
        pxePasswordSet: false,
        counts: { targeted: 1, running: 0, succeeded: 0, failed: 0 },
      });
      const off = await site.api.call(ops.taskSequenceDeployments.update, {
        params: { id: d.id },
        body: { enabled: false },
      });
      expect(off.enabled).toBe(false);
      const backwards = await refusal(
        site.api.call(ops.taskSequenceDeployments.update, {
          params: { id: d.id },
          body: { availableAt: '2031-01-01T00:00:00Z' },
        }),
      );
      expect(backwards.code).toBe('TASK_SEQUENCE_DEPLOYMENT_INVALID');
      const runs = await site.api.call(ops.taskSequenceDeployments.runs, { params: { id: d.id } });
      expect(runs.counts.targeted).toBe(1);
      expect(runs.runs.map((r) => [r.deviceId, r.state])).toEqual([
        [site.devices[0]?.id, 'targeted'],
      ]);
      const listed = await site.api.call(ops.taskSequenceDeployments.list, {
        query: { sequenceId: seq.id },
      });
      expect(listed.items.map((i) => i.id)).toEqual([d.id]);
      expect(
        (await refusal(site.api.call(ops.taskSequences.delete, { params: { id: seq.id } }))).code,
      ).toBe('TASK_SEQUENCE_DEPLOYED');
      const created = await site.api.call(ops.status.listMessages, { query: { messageId: 52520 } });
      expect(created.items.map((m) => m.insertionStrings[1])).toContain('Say hello');

      // The CLI reads the same operations.
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      const cli = await exec(STEWARD, ['task-sequence', 'deployment', 'list', '--json'], { env });
      expect(cli.code, cli.stderr).toBe(0);
      expect(
        (JSON.parse(cli.stdout) as { items: { id: string }[] }).items.map((i) => i.id),
      ).toEqual([d.id]);

      await site.api.call(ops.taskSequenceDeployments.delete, { params: { id: d.id } });
      await site.api.call(ops.taskSequences.delete, { params: { id: seq.id } });
    },
  );

  it.skipIf(skip || !canPxe)(
    'answers PXE from the deployments of unknown, imported and known machines',
    async () => {
      const collections = await site.api.call(ops.collections.list, {});
      expect(collections.map((c) => c.id)).toEqual(
        expect.arrayContaining(['all-unknown-computers', 'all-unknown-computers-amd64']),
      );
      const dp = await registeredDp(site);
      const tftp = mkdtempSync(join(site.dir, 'tftp-'));
      let pxe: RunningPxe | undefined;
      try {
        const settings = { ...dpPxeDefaults(), serverAddress: '127.0.0.1', enabled: true };
        pxe = await startPxeServices({
          serverAddress: '127.0.0.1',
          listenAddress: '127.0.0.1',
          tftpRoot: tftp,
          httpPort: 0,
          ports: { dhcp: 0, proxy: 0, tftp: 0, client: 0 },
          bios: true,
          uefi: true,
          responseDelaySeconds: 0,
          respondToUnknown: true,
          isKnown: () => false,
          decider: deciderOf(settings, pino({ level: 'silent' }), dp),
          images: {
            files: (name) =>
              name === 'default-amd64'
                ? { kernel: '/dev/null', initrd: '/dev/null', cmdline: 'console=ttyS0' }
                : undefined,
          },
        });
        const running = pxe;
        const script = async (mac: string, uuid?: string, password?: string) => {
          const url = running.scriptUrl(mac, uuid) + (password ? `&password=${password}` : '');
          const res = await fetch(url);
          expect(res.status).toBe(200);
          return res.text();
        };
        /**
         * The DP reuses the site's decision for a machine for PXE_DECISION_SETTLE_SECONDS: after
         * a change on the site, the script changes once that has passed (waited for, not timed).
         */
        const settled = (what: string, mac: string, uuid: string | undefined, re: RegExp) =>
          waitFor(`the DP to answer ${what}`, async () => {
            const text = await script(mac, uuid);
            return re.test(text) ? text : undefined;
          });
        const decidedFor = async (client: string) =>
          (
            await site.api.call(ops.status.listMessages, { query: { messageId: 52523 } })
          ).items.filter((m) => m.insertionStrings[0] === client).length;
        const UNKNOWN = { mac: '52:54:00:0d:00:01', uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' };

        // Nothing deployed: the machine boots to its next device.
        expect(await script(UNKNOWN.mac, UNKNOWN.uuid)).toMatch(/no PXE deployment.*\nexit\n$/s);

        // Its boot environment registers it: a record, a member of All Unknown Computers (amd64).
        const reg = await postToAgent(site.agentUrl, '/agent/v1/boot/register', {
          bootKey: BOOT_KEY,
          smbiosUuid: UNKNOWN.uuid,
          macs: [UNKNOWN.mac],
          arch: 'amd64',
          firmware: 'uefi',
          modaliases: [],
        });
        expect(reg.status).toBe(200);
        const seq = await site.api.call(ops.taskSequences.create, {
          body: sequence('Bare metal', bootImageId),
        });
        expect(seq.bootImageId).toBe(bootImageId);
        const required = await site.api.call(ops.taskSequenceDeployments.create, {
          body: {
            sequenceId: seq.id,
            collectionId: 'all-unknown-computers-amd64',
            purpose: 'required',
            availableTo: 'media-and-pxe',
          },
        });
        expect(required.bootImageId).toBe(bootImageId);
        const booted = await settled(
          'the required deployment',
          UNKNOWN.mac,
          UNKNOWN.uuid,
          /\/pxe\/v1\/images\/default-amd64\/kernel/,
        );
        expect(booted).not.toContain('prompt');
        // iPXE's quick repeat costs the site nothing: of two more requests at once, at most one
        // reaches it (the settle time may end between them), where each used to.
        const asked = await decidedFor(UNKNOWN.uuid);
        for (let i = 0; i < 2; i++)
          expect(await script(UNKNOWN.mac, UNKNOWN.uuid)).toContain('/kernel');
        expect(await decidedFor(UNKNOWN.uuid)).toBeLessThanOrEqual(asked + 1);
        const decided = await site.api.call(ops.status.listMessages, {
          query: { messageId: 52523 },
        });
        expect(decided.items[0]?.insertionStrings).toEqual([
          UNKNOWN.uuid,
          'unknown computer',
          'default-amd64',
          required.name,
          'required',
        ]);

        // Disabled: nothing left for it.
        await site.api.call(ops.taskSequenceDeployments.update, {
          params: { id: required.id },
          body: { enabled: false },
        });
        await settled('the disabled deployment', UNKNOWN.mac, UNKNOWN.uuid, /\nexit\n$/);

        // An imported computer's available deployment with a PXE password.
        const IMPORTED = '52:54:00:0d:00:02';
        await site.api.call(ops.importedComputers.create, {
          body: { name: 'new-laptop', mac: IMPORTED },
        });
        await site.api.call(ops.taskSequenceDeployments.create, {
          body: {
            sequenceId: seq.id,
            collectionId: 'all-imported-computers',
            purpose: 'available',
            availableTo: 'clients-media-and-pxe',
            pxePassword: 'open-sesame',
          },
        });
        const ask = await script(IMPORTED);
        expect(ask).toContain('read stwpw');
        expect(ask).not.toContain('open-sesame');
        expect(ask).not.toContain('/kernel');
        expect(await script(IMPORTED, undefined, 'wrong-one')).toMatch(/wrong PXE password.*exit/s);
        expect(await script(IMPORTED, undefined, 'open-sesame')).toContain(
          '/pxe/v1/images/default-amd64/kernel',
        );

        // A known device: found by a MAC of its inventory, deployed through All Systems.
        const mac = await waitFor('the device inventory has a MAC', async () => {
          const row = await db.kysely
            .selectFrom('device_inventory')
            .select('data')
            .where('class_name', '=', 'networkAdapter')
            .executeTakeFirst();
          const data: unknown = typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data;
          const macs = (Array.isArray(data) ? (data as { mac?: string | null }[]) : [])
            .map((a) => a.mac)
            .filter((m): m is string => !!m && m !== '00:00:00:00:00:00');
          return macs[0];
        });
        expect(await script(mac)).toMatch(/no PXE deployment for this device/);
        await site.api.call(ops.taskSequenceDeployments.create, {
          body: {
            sequenceId: seq.id,
            collectionId: 'all-systems',
            purpose: 'available',
            availableTo: 'clients-media-and-pxe',
          },
        });
        const offered = await settled('the new deployment', mac, undefined, /prompt --key 0x197e/);
        expect(offered).toContain('/pxe/v1/images/default-amd64/kernel');
      } finally {
        await pxe?.stop();
        dp.close();
      }
    },
  );
});
