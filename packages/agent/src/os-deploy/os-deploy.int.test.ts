/**
 * The boot-environment steps on real disks (ADR 0077): a sparse file behind a loop device is
 * partitioned, gets file systems, an OS image applied, host name, DHCP and the agent's
 * first-boot install, survives a restart between steps (everything unmounted, the engine
 * resumed from its state file), and is captured back into a generalised image, all through
 * the task-sequence engine. Needs root and loop devices (the boot environment has both); GRUB
 * needs a real Debian image and is proven by the VM test.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnableSequence, type Step, sequenceItems } from '@steward/protocol';
import { type EngineEvent, resumeSequence, startSequence } from '../task-sequence/engine.js';
import { canUseLoopDevices, makeTestOsImage } from '../../test/os-deploy-fixture.js';
import { bootEnvExecutors } from './boot-env-executors.js';
import type { BootEnvHost, LocalOsImage } from './host.js';
import { unmountTarget } from './target.js';
import { type ArchiveSource, localImageSources } from './image-stream.js';

const canRun = canUseLoopDevices();
const sh = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8' });
const base = { enabled: true, continueOnError: false };
function step(id: string, kind: Step['kind'], settings: object): Step {
  return { type: 'step', kind, id, name: id, ...base, settings } as Step;
}

describe.skipIf(!canRun)('OS deployment steps on a loop device', () => {
  let dir: string;
  const loops: string[] = [];
  let image: LocalOsImage;

  function loopDisk(name: string, mib: number): string {
    const file = join(dir, `${name}.img`);
    sh('truncate', ['-s', `${String(mib)}M`, file]);
    const dev = sh('losetup', ['-f', '--show', '-P', file]).trim();
    loops.push(dev);
    return dev;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'os-deploy-'));
    image = await makeTestOsImage(join(dir, 'reference'), join(dir, 'image'));
  });

  afterAll(async () => {
    for (const t of ['target-uefi', 'target-bios', 'target-refresh'])
      await unmountTarget(join(dir, t));
    for (const l of loops) execFileSync('losetup', ['-d', l]);
    rmSync(dir, { recursive: true, force: true });
  });

  function hostFor(targetName: string, firmware: 'bios' | 'uefi', uploads: LocalOsImage[]) {
    const kit = join(dir, 'kit');
    mkdirSync(kit, { recursive: true });
    writeFileSync(join(kit, 'install-agent.sh'), '#!/bin/sh\necho installed\n', { mode: 0o755 });
    writeFileSync(join(kit, 'VERSION'), '1.2.3\n');
    const host: BootEnvHost = {
      targetDir: join(dir, targetName),
      firmware,
      modaliases: [],
      workDir: dir,
      fetchOsImage: (id) =>
        id === 'img-1' ? Promise.resolve(image) : Promise.reject(new Error(`no image ${id}`)),
      uploadOsImage: (captured) => {
        const keep = join(dir, `captured-${String(uploads.length)}`);
        execFileSync('cp', ['-a', captured.dir, keep]);
        uploads.push({ manifest: captured.manifest, dir: keep });
        return Promise.resolve(`img-${String(uploads.length + 1)}`);
      },
      agentInstallKit: () =>
        Promise.resolve({
          installerDir: kit,
          token: 'stw1.test-token',
          nodeBinary: process.execPath,
        }),
    };
    return host;
  }

  it('partitions (UEFI), applies, restarts, configures, installs the agent and captures', async () => {
    const disk = loopDisk('uefi', 512);
    const uploads: LocalOsImage[] = [];
    const host = hostFor('target-uefi', 'uefi', uploads);
    const seq: RunnableSequence = {
      sequenceId: 'osd',
      name: 'Install Debian',
      version: 1,
      variables: {},
      steps: sequenceItems([
        step('part', 'partition-disk', { disk, layout: 'auto' }),
        step('apply', 'apply-os-image', { imageId: 'img-1' }),
        step('reboot', 'restart-computer', { into: 'boot-image' }),
        step('net', 'apply-network-settings', { hostname: 'pc-%Room%', dnsDomain: 'example.org' }),
        step('agent', 'install-agent', {}),
        step('capture', 'capture-os-image', { imageName: 'Captured' }),
      ]),
    };
    seq.variables.Room = '12';
    const events: EngineEvent[] = [];
    const opts = {
      stateDir: join(dir, 'state-uefi'),
      environment: 'boot-image' as const,
      executors: bootEnvExecutors(host),
      onEvent: (e: EngineEvent) => void events.push(e),
      // A reboot forgets every mount: the steps after it must mount the target again.
      reboot: () => unmountTarget(host.targetDir),
    };
    const failures = () =>
      events.flatMap((e) => ('record' in e && e.record.status === 'failed' ? [e.record] : []));
    const first = await startSequence(seq, opts);
    expect(failures()).toEqual([]);
    expect(first).toBe('restarting');
    expect(existsSync(join(host.targetDir, 'etc/os-release'))).toBe(false);
    const outcome = await resumeSequence(opts);
    expect(failures()).toEqual([]);
    expect(outcome).toBe('succeeded');

    const table = JSON.parse(sh('sfdisk', ['-J', disk])) as {
      partitiontable: { label: string; partitions: { type: string; size: number }[] };
    };
    expect(table.partitiontable.label).toBe('gpt');
    expect(table.partitiontable.partitions.map((p) => p.type)).toEqual([
      'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    ]);
    const t = host.targetDir;
    // Capture, the last step, unmounted the new system: look at it again.
    sh('mount', [`${disk}p2`, t]);
    const uuid = (dev: string) => sh('blkid', ['-s', 'UUID', '-o', 'value', dev]).trim();
    expect(sh('blkid', ['-s', 'TYPE', '-o', 'value', `${disk}p1`]).trim()).toBe('vfat');
    const fstab = readFileSync(join(t, 'etc/fstab'), 'utf8');
    expect(fstab).toContain(`UUID=${uuid(`${disk}p2`)}\t/\text4`);
    expect(fstab).toContain(`UUID=${uuid(`${disk}p1`)}\t/boot/efi\tvfat`);
    // Owners, modes and links came through the image.
    const notes = lstatSync(join(t, 'home/ada/notes.txt'));
    expect([notes.uid, notes.gid, notes.mode & 0o777]).toEqual([1000, 1000, 0o640]);
    expect(readlinkSync(join(t, 'home/ada/link'))).toBe('notes.txt');
    expect(readFileSync(join(t, 'etc/hostname'), 'utf8')).toBe('pc-12\n');
    expect(readFileSync(join(t, 'etc/hosts'), 'utf8')).toContain(
      '127.0.1.1\tpc-12.example.org pc-12',
    );
    expect(existsSync(join(t, 'etc/network/interfaces.d/steward-dhcp'))).toBe(true);
    // The agent: installer, token (root only), Node.js and an enabled first-boot unit.
    const fb = join(t, 'var/lib/steward-first-boot');
    expect(readFileSync(join(fb, 'token'), 'utf8')).toBe('stw1.test-token\n');
    expect(lstatSync(join(fb, 'token')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(fb, 'agent/install-agent.sh'))).toBe(true);
    expect(readFileSync(join(fb, 'first-boot.sh'), 'utf8')).toContain(
      '--node /usr/lib/steward-agent/node',
    );
    expect(existsSync(join(t, 'usr/lib/steward-agent/node'))).toBe(true);
    expect(
      readlinkSync(
        join(t, 'etc/systemd/system/multi-user.target.wants/steward-first-boot.service'),
      ),
    ).toBe('/etc/systemd/system/steward-first-boot.service');

    // The capture: generalised in the image, the machine itself untouched.
    expect(uploads).toHaveLength(1);
    const [captured] = uploads;
    if (!captured) return;
    expect(captured.manifest).toMatchObject({
      name: 'Captured',
      source: 'capture',
      os: { id: 'debian', versionId: '12' },
    });
    const view = join(dir, 'captured-view');
    mkdirSync(view);
    sh('tar', [
      '--zstd',
      '-xpf',
      join(captured.dir, 'root.tar.zst'),
      '-C',
      view,
      '--numeric-owner',
    ]);
    expect(readFileSync(join(view, 'etc/machine-id'), 'utf8')).toBe('');
    expect(readFileSync(join(view, 'etc/hostname'), 'utf8')).toBe('localhost\n');
    expect(existsSync(join(view, 'etc/ssh/ssh_host_ed25519_key'))).toBe(false);
    expect(existsSync(join(view, 'var/lib/steward-agent'))).toBe(false);
    expect(existsSync(join(view, 'var/lib/steward-first-boot'))).toBe(false);
    expect(existsSync(join(view, 'var/lib/dhcp/dhclient.eth0.leases'))).toBe(false);
    expect(existsSync(join(view, 'etc/systemd/system/steward-ssh-host-keys.service'))).toBe(true);
    expect(lstatSync(join(view, 'home/ada/notes.txt')).uid).toBe(1000);
    expect(readFileSync(join(t, 'etc/ssh/ssh_host_ed25519_key'), 'utf8')).toBe('PRIVATE\n');
    expect(readFileSync(join(t, 'etc/hostname'), 'utf8')).toBe('pc-12\n');
    const sha = sh('sha256sum', [join(captured.dir, 'root.tar.zst')]).split(' ')[0];
    expect(captured.manifest.fileSystems[0]?.sha256).toBe(sha);
  });

  /** Runs a sequence to its end on the loop device; no step may fail. */
  async function runWithoutFailures(
    seq: RunnableSequence,
    host: BootEnvHost,
    stateName: string,
  ): Promise<void> {
    const events: EngineEvent[] = [];
    const outcome = await startSequence(seq, {
      stateDir: join(dir, stateName),
      environment: 'boot-image',
      executors: bootEnvExecutors(host),
      onEvent: (e: EngineEvent) => void events.push(e),
      reboot: () => unmountTarget(host.targetDir),
    });
    const failed = events.flatMap((e) =>
      'record' in e && e.record.status === 'failed' ? [e.record] : [],
    );
    expect(failed).toEqual([]);
    expect(outcome).toBe('succeeded');
  }

  it("refreshes a machine keeping a user's files and account (local user-state store)", async () => {
    const disk = loopDisk('refresh', 320);
    const host = hostFor('target-refresh', 'bios', []);
    const t = host.targetDir;
    const seq: RunnableSequence = {
      sequenceId: 'refresh',
      name: 'Refresh',
      version: 1,
      variables: {},
      steps: sequenceItems([
        // The machine as its user left it: an installed system with a user and her work.
        step('part0', 'partition-disk', { disk, layout: 'bios' }),
        step('apply0', 'apply-os-image', { imageId: 'img-1' }),
        step('use', 'run-command', {
          command: `echo 'grace:x:1001:1001:Grace:/home/grace:/bin/sh' >> ${t}/etc/passwd && echo 'grace:x:1001:' >> ${t}/etc/group && mkdir -p ${t}/home/grace ${t}/srv/data && echo thesis > ${t}/home/grace/thesis.txt && chown -R 1001:1001 ${t}/home/grace && echo kept > ${t}/srv/data/db && echo lost > ${t}/srv/other`,
        }),
        // The refresh: capture, wipe, apply, restore.
        step('capture', 'capture-user-state', { store: 'local', paths: ['/home', '/srv/data'] }),
        step('part', 'partition-disk', { disk, layout: 'bios' }),
        step('apply', 'apply-os-image', { imageId: 'img-1' }),
        step('restore', 'restore-user-state', { store: 'local' }),
      ]),
    };
    await runWithoutFailures(seq, host, 'state-refresh');
    // The disk was wiped (what was not captured is gone), the user's files came back with
    // their owner, and so did her account; the image's own user is there once.
    expect(existsSync(join(t, 'srv/other'))).toBe(false);
    expect(readFileSync(join(t, 'srv/data/db'), 'utf8')).toBe('kept\n');
    expect(readFileSync(join(t, 'home/grace/thesis.txt'), 'utf8')).toBe('thesis\n');
    expect(lstatSync(join(t, 'home/grace/thesis.txt')).uid).toBe(1001);
    expect(readFileSync(join(t, 'home/ada/notes.txt'), 'utf8')).toBe('hello\n');
    const passwd = readFileSync(join(t, 'etc/passwd'), 'utf8');
    expect(passwd).toContain('grace:x:1001:1001:Grace:/home/grace:/bin/sh');
    expect(passwd.match(/^grace:/gm)).toHaveLength(1);
    expect(readFileSync(join(t, 'etc/group'), 'utf8')).toContain('grace:x:1001:');
    await unmountTarget(t);
  });

  it('keeps user state in place with hard links on the real ext4 root (capture, then restore)', async () => {
    const disk = loopDisk('hard-links', 320);
    const host = hostFor('target-links', 'bios', []);
    const t = host.targetDir;
    const seq: RunnableSequence = {
      sequenceId: 'links',
      name: 'Hard links',
      version: 1,
      variables: {},
      steps: sequenceItems([
        step('part0', 'partition-disk', { disk, layout: 'bios' }),
        step('apply0', 'apply-os-image', { imageId: 'img-1' }),
        step('use', 'run-command', {
          command: `echo 'grace:x:1001:1001:Grace:/home/grace:/bin/sh' >> ${t}/etc/passwd && mkdir -p ${t}/home/grace && echo thesis > ${t}/home/grace/thesis.txt && chown -R 1001:1001 ${t}/home/grace && stat -c %i ${t}/home/grace/thesis.txt > ${dir}/links-inode`,
        }),
        step('capture', 'capture-user-state', { store: 'hard-links' }),
        // What a refresh that keeps the file system would do between: the home folders and
        // the account go (the state folder stays on the same ext4).
        step('wipe', 'run-command', {
          command: `mount %OSDRootPartition% ${t} && rm -rf ${t}/home/grace && sed -i '/^grace:/d' ${t}/etc/passwd && test -f ${t}/.steward-user-state/files/home/grace/thesis.txt; r=$?; umount ${t}; exit $r`,
        }),
        step('restore', 'restore-user-state', { store: 'hard-links' }),
      ]),
    };
    await runWithoutFailures(seq, host, 'state-links');
    // The same inode is back in place (nothing was copied), with its owner and the account.
    const thesis = join(t, 'home/grace/thesis.txt');
    expect(readFileSync(thesis, 'utf8')).toBe('thesis\n');
    expect(lstatSync(thesis).uid).toBe(1001);
    expect(String(lstatSync(thesis).ino)).toBe(
      readFileSync(join(dir, 'links-inode'), 'utf8').trim(),
    );
    expect(readFileSync(join(t, 'etc/passwd'), 'utf8')).toContain('grace:x:1001:1001');
    expect(existsSync(join(t, '.steward-user-state'))).toBe(false);
    await unmountTarget(t);
  });

  it('partitions for BIOS with a BIOS boot partition, and the boot loader needs GRUB in the image', async () => {
    const disk = loopDisk('bios', 320);
    const host = hostFor('target-bios', 'uefi', []);
    const events: EngineEvent[] = [];
    const seq: RunnableSequence = {
      sequenceId: 'osd-bios',
      name: 'BIOS',
      version: 1,
      variables: {},
      steps: sequenceItems([
        step('part', 'partition-disk', { disk, layout: 'bios' }),
        step('apply', 'apply-os-image', { imageId: 'img-1' }),
        step('grub', 'install-boot-loader', {}),
      ]),
    };
    const outcome = await startSequence(seq, {
      stateDir: join(dir, 'state-bios'),
      environment: 'boot-image',
      executors: bootEnvExecutors(host),
      onEvent: (e) => void events.push(e),
      reboot: () => Promise.resolve(),
    });
    expect(outcome).toBe('failed');
    const table = JSON.parse(sh('sfdisk', ['-J', disk])) as {
      partitiontable: { partitions: { type: string; size: number }[] };
    };
    expect(table.partitiontable.partitions[0]).toMatchObject({
      type: '21686148-6449-6E6F-744E-656564454649',
      size: 2048,
    });
    expect(readFileSync(join(host.targetDir, 'etc/fstab'), 'utf8')).not.toContain('/boot/efi');
    const last = events.flatMap((e) => ('record' in e ? [e.record] : [])).at(-1);
    expect(last).toMatchObject({ stepId: 'grub', status: 'failed' });
    expect(last?.reason).toContain('the applied image has no GRUB (install grub-pc in it)');
  });

  it('refuses a disk that holds a mounted file system', async () => {
    const disk = loopDisk('busy', 320);
    const host = hostFor('target-busy', 'uefi', []);
    sh('mkfs.ext4', ['-q', '-F', disk]);
    const mnt = join(dir, 'busy-mnt');
    mkdirSync(mnt);
    sh('mount', [disk, mnt]);
    try {
      const result = await bootEnvExecutors(host)['partition-disk']?.(
        {
          ...step('p', 'partition-disk', { disk, layout: 'uefi' }),
          kind: 'partition-disk',
          settings: { disk, layout: 'uefi' },
        },
        { variables: {}, setVariable: () => undefined, signal: new AbortController().signal },
      );
      expect(result?.ok).toBe(false);
      expect(result?.reason).toMatch(/holds a mounted file system/);
    } finally {
      sh('umount', [mnt]);
    }
    chmodSync(mnt, 0o755);
  });

  it('streams the image into tar verifying its hash: bad bytes fail the step and leave the target empty, a later good source applies', async () => {
    const disk = loopDisk('stream', 320);
    const host = hostFor('target-stream', 'bios', []);
    const signal = new AbortController().signal;
    const vars: Record<string, string> = {};
    const ctx = {
      variables: vars,
      setVariable: (n: string, v: string) => void (vars[n] = v),
      signal,
    };
    const executors = bootEnvExecutors(host);
    const part = await executors['partition-disk']?.(
      {
        ...step('p', 'partition-disk', { disk, layout: 'bios' }),
        kind: 'partition-disk',
        settings: { disk, layout: 'bios' },
      },
      ctx,
    );
    expect(part?.ok, part?.reason ?? '').toBe(true);
    // Another real archive of the same size: tar extracts it happily, only the hash tells.
    const other = join(dir, 'other-ref');
    mkdirSync(join(other, 'etc'), { recursive: true });
    writeFileSync(join(other, 'etc/os-release'), 'ID=impostor\n');
    const otherArchive = join(dir, 'other.tar.zst');
    sh('tar', ['--zstd', '-cf', otherArchive, '-C', other, '.']);
    const [fs] = image.manifest.fileSystems;
    if (!fs) throw new Error('no file system');
    const wrong = readFileSync(otherArchive);
    const padded = Buffer.concat([
      wrong,
      Buffer.alloc(Math.max(0, fs.archiveBytes - wrong.length)),
    ]);
    const bad: ArchiveSource = {
      method: 'http',
      open: () =>
        Promise.resolve({
          stream: Readable.from([padded.subarray(0, fs.archiveBytes)]),
          detail: 'from a bad DP',
        }),
    };
    const good = localImageSources(image).sources(fs);
    const apply = (sources: ArchiveSource[]) => {
      host.openOsImage = () =>
        Promise.resolve({ manifest: image.manifest, sources: () => sources });
      return executors['apply-os-image']?.(
        {
          ...step('a', 'apply-os-image', { imageId: 'img-1' }),
          kind: 'apply-os-image',
          settings: { imageId: 'img-1' },
        },
        ctx,
      );
    };
    const t = host.targetDir;
    try {
      const failedRun = await apply([bad]);
      expect(failedRun?.ok).toBe(false);
      expect(failedRun?.reason).toContain('the bytes did not match the SHA-256');
      // Nothing of the impostor (or anything else) left; no fstab, no applied-image variable.
      expect(readdirSync(t).filter((e) => e !== 'lost+found')).toEqual([]);
      expect(vars.OSDImageId).toBeUndefined();

      const applied = await apply([bad, ...good]);
      expect(applied?.ok, applied?.reason ?? '').toBe(true);
      expect(applied?.outputTail).toMatch(
        /root\.tar\.zst: local, .* SHA-256 verified \(after: http: the bytes did not match the SHA-256\)/,
      );
      expect(readFileSync(join(t, 'etc/os-release'), 'utf8')).toContain('ID=debian');
      expect(readFileSync(join(t, 'home/ada/notes.txt'), 'utf8')).toBe('hello\n');
      expect(existsSync(join(t, 'etc/fstab'))).toBe(true);
      expect(vars.OSDImageId).toBe('img-1');
    } finally {
      await unmountTarget(t);
    }
  });
});
