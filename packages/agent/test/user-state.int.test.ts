/**
 * User state on a state migration point (issue 11, ADR 0096) with a real site, a real DP process
 * and the agent's real step code on folders, both databases: computer A captures its home
 * folders to the point (encrypted with the record's key: the archive on the DP is no plaintext
 * and a wrong key fails), an administrator associates A with B, B restores the files, owners
 * and accounts, the record goes requested -> captured -> restored -> expired, and the point
 * deletes the archive once retention expires it. Hard-link state is checked on the same file
 * system (inodes shared, nothing copied).
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type TaskSequenceBody } from '@steward/protocol';
import { decodeEnrolmentToken, fetchPinnedCa } from '@steward/protocol/node';
import { bootRun, deployBootSequence } from '../../../test-support/boot-run.js';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { startDp, type DpHandle } from '../../../test-support/software.js';
import { userStateCalls } from '../src/os-deploy/site-host.js';
import type { BootEnvHost } from '../src/os-deploy/host.js';
import {
  captureHardLinks,
  captureToPoint,
  HARD_LINK_STATE_DIR,
  restoreFromPoint,
  restoreHardLinks,
} from '../src/os-deploy/user-state-transfer.js';
import { decryptFile } from '../src/os-deploy/user-state-store.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const isRoot = process.getuid?.() === 0;

function step(id: string, kind: string, settings: object): TaskSequenceBody['steps'][number] {
  return {
    type: 'step',
    kind,
    id,
    name: id,
    enabled: true,
    continueOnError: false,
    settings,
  } as TaskSequenceBody['steps'][number];
}

const ALICE = 'alice:x:1001:1001:Alice:/home/alice:/bin/bash';
const MARKER = 'a line only alice wrote, never in clear on the point';

/** A small installed system: alice's home folder (hers, 0640) and her account. */
function systemWithAlice(root: string): void {
  mkdirSync(join(root, 'home/alice/docs'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'home/alice/docs/notes.txt'), `${MARKER}\n`.repeat(50), {
    mode: 0o640,
  });
  chownSync(join(root, 'home/alice/docs/notes.txt'), 1001, 1001);
  chownSync(join(root, 'home/alice'), 1001, 1001);
  writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/bash\n${ALICE}\n`);
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nalice:x:1001:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000::::::\nalice:$6$x:19000::::::\n');
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\nalice:!::\n');
}

function freshSystem(root: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000::::::\n');
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\n');
}

describe.each(dialects)('user state on a state migration point (%s)', (dialect) => {
  let site: Site;
  let dp: DpHandle;
  let dir: string;
  let folder: string;
  const skip = !isRoot || (dialect === 'postgres' && !hasPg);
  const signal = new AbortController().signal;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    dir = mkdtempSync(join(site.dir, 'user-state-'));
    folder = join(dir, 'smp-store');
    dp = await startDp(site, `smp-${dialect}`);
  });
  afterAll(async () => {
    await dp?.stop();
    await site?.stop();
  });

  /** A booted computer's run token (its sequence has state-migration-point steps). */
  async function runToken(bootKey: string, mac: string): Promise<{ id: string; token: string }> {
    const run = await bootRun(site, bootKey, mac);
    expect(run.token).not.toBeNull();
    return { id: run.computerId, token: run.token ?? '' };
  }

  it.skipIf(skip)(
    'captures on A to the point encrypted, restores on B through the association, then expires',
    async () => {
      const api = site.api;
      // The role, on the standalone DP.
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      const cli = async (args: string[]): Promise<unknown> => {
        const r = await exec(STEWARD, [...args, '--json'], { env });
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };
      const smpArgs = ['--folder', folder, '--retention-days', '0', '--min-free', '1'];
      const role = await cli(['dp', 'smp', 'set', dp.id, '--smp', ...smpArgs]);
      expect(role).toMatchObject({ enabled: true, storageFolder: folder, maxClients: 100 });
      // The site server's own DP is refused the role.
      const own = await exec(STEWARD, ['dp', 'smp', 'set', 'site-server', '--smp', '--json'], {
        env,
      });
      expect(own.stderr).toMatch(/SMP_SITE_SERVER_DP|own distribution point/);

      const bootKey = await deployBootSequence(site, `Replace ${dialect}`, [
        step('capture', 'capture-user-state', { store: 'state-migration-point' }),
        step('restore', 'restore-user-state', { store: 'state-migration-point' }),
      ]);
      const a = await runToken(bootKey, '52:54:00:5a:00:0a');
      const b = await runToken(bootKey, '52:54:00:5a:00:0b');
      const enrol = decodeEnrolmentToken(
        (await api.createToken({ description: 'ca' })).token ?? '',
      );
      if (!enrol.ok) throw new Error(enrol.error);
      const ca = await fetchPinnedCa(site.agentUrl, enrol.value.caFingerprint);
      const agent = new Agent({ ca });
      const hostOf = (token: string): BootEnvHost => ({
        targetDir: '/nonexistent',
        firmware: 'bios',
        modaliases: [],
        userState: userStateCalls(agent, site.agentUrl, token),
      });
      // The DP polls its role (every second here) before it takes uploads: the first capture
      // may meet SMP_UNAVAILABLE from the point, so it is retried until the DP has polled.

      // Capture on A.
      const rootA = join(dir, 'a');
      systemWithAlice(rootA);
      const workA = mkdtempSync(join(dir, 'work-a-'));
      let captured = '';
      await waitFor('a capture the point takes', async () => {
        try {
          captured = await captureToPoint(rootA, ['./home'], hostOf(a.token), { signal }, workA);
          return true;
        } catch (err) {
          if (!String(err).includes('SMP_UNAVAILABLE')) throw err;
          return false;
        }
      });
      expect(captured).toMatch(/users alice/);
      const all = await api.call(ops.userState.list, { query: { computer: a.id } });
      // Attempts the point refused before its first poll stay requested (never captured).
      let record = all.find((r) => r.state === 'captured');
      expect(record).toMatchObject({
        state: 'captured',
        sourceComputerId: a.id,
        destinationComputerId: a.id,
        dpId: dp.id,
      });
      if (!record) throw new Error('no record');

      // On the point: ciphertext only.
      const archive = join(folder, `${record.id}.state`);
      const bytes = readFileSync(archive);
      expect(bytes.length).toBe(record.sizeBytes);
      expect(bytes.subarray(0, 6).toString('ascii')).toBe('STWUS1');
      expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
      expect(bytes.includes(Buffer.from('ustar'))).toBe(false);
      expect(bytes.includes(Buffer.from('alice:x:1001'))).toBe(false);
      // A wrong key (or a changed byte) fails the tag check and leaves no plaintext.
      const copy = join(dir, 'copy.state');
      copyFileSync(archive, copy);
      await expect(
        decryptFile(copy, join(dir, 'out.tar'), randomBytes(32).toString('base64')),
      ).rejects.toThrow(/does not decrypt/);
      expect(existsSync(join(dir, 'out.tar'))).toBe(false);

      // B has nothing before the association.
      const rootB = join(dir, 'b');
      freshSystem(rootB);
      const workB = mkdtempSync(join(dir, 'work-b-'));
      await expect(restoreFromPoint(rootB, hostOf(b.token), { signal }, workB)).rejects.toThrow(
        /USER_STATE_NOT_CAPTURED|captured user state/,
      );
      // B may not read A's record with its own token either (the point checks the record).
      await expect(
        api.call(ops.userState.associate, { body: { source: a.id, destination: a.id } }),
      ).rejects.toMatchObject({ code: 'COMPUTER_ASSOCIATION_INVALID' });
      const association = await cli(['user-state', 'association', 'create', a.id, b.id]);
      expect(association).toMatchObject({ sourceKind: 'unknown', destinationComputerId: b.id });
      await expect(
        api.call(ops.userState.associate, { body: { source: a.id, destination: b.id } }),
      ).rejects.toMatchObject({ code: 'COMPUTER_ASSOCIATION_EXISTS' });
      record = await api.call(ops.userState.get, { params: { id: record.id } });
      expect(record.destinationComputerId).toBe(b.id);

      // Restore on B.
      const restored = await restoreFromPoint(rootB, hostOf(b.token), { signal }, workB);
      expect(restored).toMatch(/users added: alice/);
      const notes = join(rootB, 'home/alice/docs/notes.txt');
      expect(readFileSync(notes, 'utf8')).toBe(`${MARKER}\n`.repeat(50));
      expect(statSync(notes)).toMatchObject({ uid: 1001, gid: 1001 });
      expect(statSync(notes).mode & 0o777).toBe(0o640);
      expect(readFileSync(join(rootB, 'etc/passwd'), 'utf8')).toContain(ALICE);
      record = (await cli(['user-state', 'show', record.id])) as typeof record;
      expect(record.state).toBe('restored');
      const exported = await exec(STEWARD, ['export', 'user-state'], { env });
      expect(exported.stdout.split('\n')[0]).toMatch(/^id,sourceComputerId,/);
      expect(exported.stdout).toContain(`${record.id},${a.id}`);
      expect(record.restoredAt).not.toBeNull();
      expect(readdirSync(workA)).toEqual([]);
      // Each step of the record's life is a status message (52630-52634).
      for (const id of [52630, 52631, 52632, 52634]) {
        const found = await api.listStatusMessages({ messageId: id, limit: 10 });
        expect(found.items.length, String(id)).toBeGreaterThan(0);
      }
      const capturedMsg = await api.listStatusMessages({ messageId: 52631, limit: 10 });
      expect(capturedMsg.items[0]?.insertionStrings).toContain(record.id);

      // Retention 0 days: the job (run at the scheduler's start) expires it; the DP deletes it.
      await site.restartServer();
      await waitFor(
        'the record expires',
        async () =>
          (await site.api.call(ops.userState.get, { params: { id: record?.id ?? '' } })).state ===
          'expired',
      );
      // An upload a crash left behind, of a record the site does not list, goes too.
      const leftover = join(folder, '.0b8f1c2e-5d6a-4e7b-9c0d-1e2f3a4b5c6d.0badf00d.partial');
      writeFileSync(leftover, 'half an upload');
      await waitFor('the point deletes the archive', () => Promise.resolve(!existsSync(archive)));
      await waitFor('the point deletes the leftover', () => Promise.resolve(!existsSync(leftover)));
      const expiredMsg = await site.api.listStatusMessages({ messageId: 52633, limit: 10 });
      expect(expiredMsg.items[0]?.insertionStrings[0]).toBe(record.id);
      rmSync(copy, { force: true });
    },
  );
});

describe.skipIf(!isRoot)('hard-link user state (refresh, kept in place)', () => {
  it('links the files into a state folder on the same file system and back', async () => {
    const base = process.env.TMPDIR ?? '/tmp';
    const root = mkdtempSync(join(base, 'hard-links-'));
    try {
      systemWithAlice(root);
      const notes = join(root, 'home/alice/docs/notes.txt');
      const inode = statSync(notes).ino;
      const signal = new AbortController().signal;
      const out = await captureHardLinks(root, ['./home'], { signal });
      expect(out).toMatch(/users alice/);
      const kept = join(root, HARD_LINK_STATE_DIR, 'files/home/alice/docs/notes.txt');
      // The same inode under a second name: nothing copied.
      expect(statSync(kept).ino).toBe(inode);
      expect(statSync(kept).nlink).toBe(2);
      // The refresh replaces the system but keeps the state folder on the same file system.
      rmSync(join(root, 'home'), { recursive: true });
      rmSync(join(root, 'etc'), { recursive: true });
      freshSystem(root);
      const back = await restoreHardLinks(root, { signal });
      expect(back).toMatch(/users added: alice/);
      expect(statSync(notes).ino).toBe(inode);
      expect(statSync(notes)).toMatchObject({ uid: 1001, gid: 1001 });
      expect(readFileSync(notes, 'utf8')).toContain(MARKER);
      expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toContain(ALICE);
      expect(existsSync(join(root, HARD_LINK_STATE_DIR))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
