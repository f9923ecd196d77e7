/**
 * Apply OS image by multicast (issue 11 gap 4, ADR 0088, ADR 0106), for real: a site, a DP
 * process in a network namespace with a bridge, and boot environments (`steward-agent
 * boot-env` processes) in client namespaces on that bridge. Three imported computers (matched
 * by their namespace's MAC, each with its own loop device as the root partition) run the same
 * deployed sequence: the apply step joins the DP's session and streams udp-receiver's output
 * into tar, hash-verified on the way; the DP's bridge sends about one copy of the image, not
 * three. With multicast turned off on the DP a fourth falls back to HTTP, and both paths are
 * in the site's status messages. Needs root (namespaces, loop devices) and udpcast.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, StatusMessages, type OsImage } from '@steward/protocol';
import { fetchPinnedCa } from '@steward/protocol/node';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  STEWARD_AGENT,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  createMulticastLan,
  multicastLanUnavailableReason,
  type MulticastLan,
} from '../../../test-support/multicast/lan.js';
import { startLanDp, type LanDp } from '../../../test-support/multicast/dp.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { insertBuiltBootImage } from './support/boot-images.js';
import { makeImageFolder } from './support/os-images.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const lanReason =
  multicastLanUnavailableReason() ??
  (existsSync('/dev/loop-control') ? undefined : 'no loop devices');
if (lanReason) console.warn(`osd-multicast: skipped: ${lanReason}`);
const PAYLOAD = 4 * 1024 * 1024;

describe.each(dialects)('apply an OS image by multicast (%s)', (dialect) => {
  const skip = lanReason !== undefined || (dialect === 'postgres' && !hasPg);
  let site: Site;
  let db: Db;
  let lan: MulticastLan | undefined;
  let dp: LanDp;
  let dir: string;
  const loops: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    dir = mkdtempSync(join(site.dir, 'osd-mc-'));
  }, 180_000);
  afterAll(async () => {
    for (const l of loops) spawnSync('losetup', ['-d', l], { stdio: 'ignore' });
    await lan?.dispose();
    await db?.kysely.destroy();
    await site?.stop();
  }, 180_000);

  /** A loop device holding an empty ext4: the "root partition" a partition step would make. */
  function rootPartition(name: string): string {
    const file = join(dir, `${name}.img`);
    execFileSync('truncate', ['-s', '64M', file]);
    const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
    loops.push(dev);
    execFileSync('mkfs.ext4', ['-q', '-F', dev]);
    return dev;
  }

  /** The MAC of the client namespace's interface (what its boot environment registers with). */
  const macOf = (ns: string) =>
    /link\/ether ([0-9a-f:]{17})/.exec(
      execFileSync('ip', ['-n', ns, 'link', 'show', 'eth0'], { encoding: 'utf8' }),
    )?.[1] ?? '';

  /** `steward-agent boot-env` in client namespace `i`; resolves with its exit code and output. */
  function bootEnvIn(i: number, config: string): Promise<{ code: number | null; out: string }> {
    const l = lan;
    if (!l) throw new Error('no LAN');
    const log = `boot-env${String(i)}.log`;
    const child: ChildProcess = l.spawnIn(
      l.clientNs[i] ?? '',
      process.execPath,
      [
        STEWARD_AGENT,
        'boot-env',
        '--config',
        config,
        '--state-dir',
        join(dir, `state${String(i)}`),
        '--target',
        join(dir, `target${String(i)}`),
        '--json',
      ],
      log,
    );
    return new Promise((resolve) =>
      child.on('close', (code) => resolve({ code, out: readFileSync(join(l.dir, log), 'utf8') })),
    );
  }

  /** The applied system on the loop device, read after the boot environment ended. */
  function appliedFile(dev: string, path: string): Buffer {
    const mnt = mkdtempSync(join(dir, 'check-'));
    execFileSync('mount', ['-o', 'ro', dev, mnt]);
    try {
      return readFileSync(join(mnt, path));
    } finally {
      execFileSync('umount', [mnt]);
    }
  }

  it.skipIf(skip)(
    'three boot environments apply one image from one session; with multicast off a fourth uses HTTP',
    async () => {
      const { api } = site;
      const reference = join(dir, 'ref');
      const manifest = makeImageFolder(reference, `Multicast Debian ${dialect}`, PAYLOAD);
      const imported = await exec(
        STEWARD,
        ['os-image', 'import', join(reference, 'image'), '--json'],
        {
          env: {
            STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
            STEWARD_SERVER: site.adminUrl,
            STEWARD_TOKEN: api.token ?? '',
          },
        },
      );
      expect(imported.code, imported.stderr).toBe(0);
      const image = JSON.parse(imported.stdout) as OsImage;
      const archive = manifest.fileSystems[0];
      if (!archive) throw new Error('no archive');

      lan = await createMulticastLan({
        clients: 4,
        sitePort: Number(new URL(site.agentUrl).port),
        tag: `o${dialect.slice(0, 1)}`,
        clientsReachSite: true,
      });
      dp = await startLanDp(site, lan, `osd-mc-${dialect}`);
      await api.call(ops.dpMulticast.update, {
        params: { id: dp.dpId },
        body: {
          enabled: true,
          addressFirst: '239.255.78.1',
          addressLast: '239.255.78.9',
          portFirst: 9500,
          portLast: 9520,
          minClients: 3,
          startTimeoutSeconds: 120,
          maxRateMbps: 50,
        },
      });
      await api.call(ops.osImages.distribute, {
        params: { id: image.id },
        body: { dpIds: [dp.dpId] },
      });
      await waitFor(
        'the image on the DP',
        async () =>
          (await api.call(ops.osImages.contentStatus, { params: { id: image.id } })).installed ===
          1,
        90_000,
        250,
      );
      await waitFor('the DP to take the multicast settings', () =>
        dp.log().includes('"enabled":true'),
      );

      // One sequence deployed to imported computers; each computer's root partition is its own.
      const bootKey = randomBytes(32).toString('base64url');
      const bootImageId = await insertBuiltBootImage(db.kysely, { bootKey });
      const seq = await api.call(ops.taskSequences.create, {
        body: {
          name: `Multicast apply ${dialect}`,
          kind: 'install-os',
          bootImageId,
          variables: {},
          steps: [step('apply', 'apply-os-image', { imageId: image.id })],
        },
      });
      await api.call(ops.taskSequenceDeployments.create, {
        body: {
          sequenceId: seq.id,
          collectionId: 'all-imported-computers',
          purpose: 'required',
          availableTo: 'media-and-pxe',
        },
      });
      const ca = await fetchPinnedCa(site.agentUrl, (await api.site()).caFingerprint);
      const config = join(dir, 'boot.json');
      writeFileSync(
        config,
        JSON.stringify({
          bootImageId,
          name: 'osd-mc',
          version: 1,
          siteUrl: site.agentUrl,
          caPem: ca,
          bootKey,
        }),
      );
      const devs = lan.clientNs.map((ns, i) => ({ ns, dev: rootPartition(`root${String(i)}`) }));
      for (const [i, c] of devs.entries())
        await api.call(ops.importedComputers.create, {
          body: {
            name: `mc-${dialect}-${String(i)}`,
            mac: macOf(c.ns),
            variables: { OSDRootPartition: c.dev },
          },
        });

      const sentBefore = lan.dpSentBytes();
      const three = await Promise.all([0, 1, 2].map((i) => bootEnvIn(i, config)));
      const sent = lan.dpSentBytes() - sentBefore;
      const sessions = await api.call(ops.dpMulticast.sessions, {
        params: { id: dp.dpId },
        query: {},
      });
      const [session, ...others] = sessions.items;
      expect(others).toEqual([]);
      for (const run of three) {
        expect(run.code, run.out).toBe(0);
        expect(run.out).toContain(
          `root.tar.zst: multicast, from osd-mc-${dialect} (session ${session?.id ?? ''})`,
        );
        expect(run.out).toContain('SHA-256 verified');
      }
      for (const c of devs.slice(0, 3)) {
        expect(appliedFile(c.dev, 'home/ada/notes.txt').toString()).toBe(
          `made for Multicast Debian ${dialect}\n`,
        );
        expect(appliedFile(c.dev, 'var/cache/payload.bin').length).toBe(PAYLOAD);
        expect(appliedFile(c.dev, 'etc/fstab').toString()).toMatch(/^UUID=\S+\t\/\text4/m);
      }
      // One transfer: udp-sender's own count, and every byte the DP put on the LAN (three
      // HTTP downloads would be three copies).
      const done = await waitFor(
        'the session finished on the site',
        async () =>
          (
            await api.call(ops.dpMulticast.sessions, { params: { id: dp.dpId }, query: {} })
          ).items.find((s) => s.id === session?.id && s.state === 'finished'),
        60_000,
      );
      expect(done).toMatchObject({ sha256: archive.sha256, receivers: 3 });
      expect(done.bytesSent).toBeGreaterThanOrEqual(archive.archiveBytes);
      expect(done.bytesSent).toBeLessThan(archive.archiveBytes * 1.5);
      expect(sent).toBeGreaterThan(archive.archiveBytes);
      expect(sent).toBeLessThan(archive.archiveBytes * 1.6);

      // Multicast off on the DP: the fourth cannot join and downloads by HTTP instead.
      await api.call(ops.dpMulticast.update, {
        params: { id: dp.dpId },
        body: { enabled: false },
      });
      await waitFor('the DP to turn multicast off', () =>
        (
          dp
            .log()
            .split('\n')
            .filter((l) => l.includes('multicast settings applied'))
            .at(-1) ?? ''
        ).includes('"enabled":false'),
      );
      const fourth = await bootEnvIn(3, config);
      expect(fourth.code, fourth.out).toBe(0);
      expect(fourth.out).toMatch(
        new RegExp(
          `root\\.tar\\.zst: http, from osd-mc-${dialect}, \\d+ bytes, SHA-256 verified \\(after: multicast: .*MULTICAST_UNAVAILABLE`,
        ),
      );
      expect(appliedFile(devs[3]?.dev ?? '', 'var/cache/payload.bin').length).toBe(PAYLOAD);

      // Which path each computer's apply took is in its status messages on the site.
      const messages = await api.listStatusMessages({
        messageId: StatusMessages.OS_IMAGE_ARCHIVE_APPLIED.id,
      });
      const methods = messages.items.map((m) => m.insertionStrings[3]).sort();
      expect(methods).toEqual(['http', 'multicast', 'multicast', 'multicast']);
      expect(
        messages.items.find((m) => m.insertionStrings[3] === 'http')?.insertionStrings[5],
      ).toContain('MULTICAST_UNAVAILABLE');
    },
    480_000,
  );
});
