/**
 * OS deployment in a virtual machine (issue 11, ADR 0077): the default OS image (built by
 * debootstrap, cached by recipe) is applied by the boot-environment steps to a disk (a loop
 * device over a raw file): partition (BIOS), apply, GRUB, host name and DHCP, the agent's
 * first-boot install. Then QEMU (TCG) boots that disk through SeaBIOS and GRUB into the
 * installed Debian, whose first-boot unit runs the agent installer with the token.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunnableSequence, type Step, sequenceItems } from '@steward/protocol';
import { type EngineEvent, startSequence } from '../src/task-sequence/engine.js';
import { bootEnvExecutors } from '../src/os-deploy/boot-env-executors.js';
import { mediaHost } from '../src/os-deploy/media-host.js';
import { unmountTarget } from '../src/os-deploy/target.js';
import { type BootVm, startBootVm } from '../../../test-support/vm/boot-vm.js';
import { defaultOsImage, machineMirror } from '../../../test-support/vm/os-image.js';
import { vmUnavailableReason } from '../../../test-support/vm/vm.js';
import { canUseLoopDevices } from './os-deploy-fixture.js';

const base = { enabled: true, continueOnError: false };
function step(id: string, kind: Step['kind'], settings: object): Step {
  return { type: 'step', kind, id, name: id, ...base, settings } as Step;
}
// Opt-in until the lead decides its CI budget: the OS image build is one more debootstrap
// (~15 min on a loaded 2-core machine) on top of the VM base image's.
const skip =
  (process.env['STEWARD_OSD_VM'] === '1' ? undefined : 'set STEWARD_OSD_VM=1') ??
  vmUnavailableReason() ??
  (canUseLoopDevices() ? undefined : 'needs root and loop devices') ??
  (machineMirror() ? undefined : 'no Debian mirror');
const say = (line: string) => process.stderr.write(`[os-deploy-vm] ${line}\n`);

describe.skipIf(skip !== undefined)('OS deployment in a VM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'os-deploy-vm-'));
  const target = join(dir, 'target');
  let loop = '';
  let vm: BootVm | undefined;
  afterAll(async () => {
    await vm?.dispose();
    await unmountTarget(target);
    if (loop) execFileSync('losetup', ['-d', loop]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the default image to a disk that then boots into Debian and runs the first-boot agent install', async () => {
    const image = await defaultOsImage(say);
    say(image.built ? `built the OS image in ${String(image.buildSeconds)} s` : 'OS image cached');
    const media = join(dir, 'media');
    mkdirSync(join(media, 'os-images'), { recursive: true });
    execFileSync('ln', ['-s', image.dir, join(media, 'os-images/debian-12')]);
    mkdirSync(join(media, 'agent'));
    // A stand-in installer that reports on the console how the first boot called it.
    writeFileSync(
      join(media, 'agent/install-agent.sh'),
      '#!/bin/sh\necho "STEWARD-FIRST-BOOT $*"\n',
      {
        mode: 0o755,
      },
    );
    writeFileSync(join(media, 'enrol-token'), 'stw1.vm-token\n');
    const disk = join(dir, 'disk.img');
    execFileSync('truncate', ['-s', '2G', disk]);
    loop = execFileSync('losetup', ['-f', '--show', '-P', disk], { encoding: 'utf8' }).trim();
    const seq: RunnableSequence = {
      sequenceId: 'vm',
      name: 'Install Debian',
      version: 1,
      variables: {},
      steps: sequenceItems([
        step('part', 'partition-disk', { disk: loop, layout: 'bios' }),
        step('apply', 'apply-os-image', { imageId: 'debian-12' }),
        // The test reads the installed system's serial console.
        step('console', 'run-command', {
          command: `echo 'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"' >> ${target}/etc/default/grub && echo 'GRUB_TIMEOUT=0' >> ${target}/etc/default/grub`,
        }),
        step('grub', 'install-boot-loader', {}),
        step('net', 'apply-network-settings', { hostname: 'vm-pc' }),
        step('agent', 'install-agent', {}),
      ]),
    };
    const events: EngineEvent[] = [];
    const outcome = await startSequence(seq, {
      stateDir: join(dir, 'state'),
      environment: 'boot-image',
      executors: bootEnvExecutors(await mediaHost(media, target)),
      onEvent: (e) => void events.push(e),
      reboot: () => Promise.resolve(),
    });
    const failed = events.flatMap((e) =>
      'record' in e && e.record.status === 'failed' ? [e.record] : [],
    );
    expect(failed).toEqual([]);
    expect(outcome).toBe('succeeded');
    await unmountTarget(target);
    execFileSync('losetup', ['-d', loop]);
    loop = '';

    vm = startBootVm({
      disk,
      smbiosUuid: '8d4f0e7a-3b1c-4c52-9a61-0f5e2d7c1a90',
      mac: '52:54:00:5e:b0:11',
      forwards: [],
    });
    const t0 = Date.now();
    const line = await vm.waitForConsole(/STEWARD-FIRST-BOOT /, 1_200_000);
    say(`first boot reached the agent install after ${String((Date.now() - t0) / 1000)} s`);
    expect(line).toContain(
      '--token stw1.vm-token --service systemd --node /usr/lib/steward-agent/node',
    );
    // GRUB booted the installed kernel with the root named by UUID, and the host name is set.
    expect(vm.console()).toMatch(/Command line: .*root=UUID=[0-9a-f-]+ .*console=ttyS0/);
    await vm.waitForConsole(/vm-pc login:/, 600_000);
  }, 3_600_000);
});
