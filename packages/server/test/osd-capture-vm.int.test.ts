/**
 * Capture of a reference image from a VM (issue 11), end to end on the journey's PXE LAN and
 * site (test-support/pxe/osd-site.ts):
 *
 * 1. A reference machine (BIOS, empty disk) network-boots, the default OS image is installed on
 *    it with a marker file, it restarts into Debian and enrols with the real agent: it has a
 *    machine-id, SSH host keys and an agent identity of its own.
 * 2. Powered off, its disk is network-booted again (network first, as a machine sent to the boot
 *    image) and a capture-os sequence generalises and captures it: the image is uploaded to the
 *    site's library with its layout, OS facts and size.
 * 3. The captured image is distributed to the DP and applied to a SECOND machine, which boots
 *    the installed system and enrols as a new device.
 * 4. Both disks are read from this machine: the second has the reference's marker, but its own
 *    machine-id, SSH host keys and agent identity.
 *
 * Each stage's machine is the only one running, and the sequence it must run is the only
 * deployment to All Unknown Computers at the time (the previous one is deleted first).
 *
 * Opt-in (STEWARD_OSD_VM=1) like the journey; skipped with the reason without its tools.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type BootImage, type OsImage, type TaskSequenceBody } from '@steward/protocol';
import {
  bootEnvironmentRun,
  buildOsdImages,
  createOsdSite,
  dependentStages,
  distributeOsImage,
  installSteps,
  installedSystemEnrols,
  osdLogger,
  osdVmUnavailableReason,
  startOsdDp,
  type OsdSite,
} from '../../../test-support/pxe/osd-site.js';
import { startPxeVm, type PxeVm } from '../../../test-support/pxe/pxe-vm.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';
import { readInstalledFiles } from '../../../test-support/vm/installed-disk.js';

const say = osdLogger('osd-capture');

const MARKER = 'etc/steward-reference-marker';
/** What makes each machine itself: must differ between the reference and the clone. */
const IDENTITY = [
  'etc/machine-id',
  'etc/ssh/ssh_host_ed25519_key.pub',
  'etc/ssh/ssh_host_rsa_key.pub',
  'var/lib/steward-agent/device.json',
] as const;

const unavailable = osdVmUnavailableReason();
if (unavailable) console.warn(`skipping the VM capture test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('capture of a reference image from a VM', () => {
  let osd: OsdSite;
  let bootImage: BootImage;
  let osImage: OsImage;
  let captured: OsImage;
  let dpId = '';
  const stage = dependentStages(say);
  const vms: PxeVm[] = [];
  const marker = `reference ${randomUUID()}`;
  const reference = { uuid: randomUUID(), disk: '', deviceId: '' };
  const clone = { uuid: randomUUID(), disk: '', deviceId: '' };

  beforeAll(async () => {
    osd = await createOsdSite();
    reference.disk = join(osd.lan.dir, 'reference.disk.raw');
    clone.disk = join(osd.lan.dir, 'clone.disk.raw');
    for (const disk of [reference.disk, clone.disk]) spawnSync('truncate', ['-s', '4G', disk]);
    say(`site up; the LAN is ${osd.lan.prefix}.0/24, the DP ${osd.lan.dpAddress}`);
  }, 600_000);

  afterAll(async () => {
    for (const vm of vms) vm.kill();
    await osd?.dispose();
    say('done');
  });

  /** Deploys a new sequence Required to All Unknown Computers, replacing the previous one. */
  let deployment = '';
  const deployOnly = async (body: Omit<TaskSequenceBody, 'bootImageId' | 'variables'>) => {
    const { api } = osd.site;
    if (deployment)
      await api.call(ops.taskSequenceDeployments.delete, { params: { id: deployment } });
    const seq = await api.call(ops.taskSequences.create, {
      body: { ...body, bootImageId: bootImage.id, variables: {} },
    });
    deployment = (
      await api.call(ops.taskSequenceDeployments.create, {
        body: {
          sequenceId: seq.id,
          collectionId: 'all-unknown-computers',
          purpose: 'required',
          availableTo: 'media-and-pxe',
        },
      })
    ).id;
  };

  /** Installs `imageId` on a machine with an empty disk and waits until it enrols. */
  const installAndEnrol = async (
    machine: { uuid: string; disk: string },
    name: string,
    macSuffix: number,
  ) => {
    const vm = startPxeVm(osd.lan, {
      name,
      firmware: 'bios',
      macSuffix,
      disk: machine.disk,
      reboot: true,
      smbiosUuid: machine.uuid,
      memoryMiB: 2048,
    });
    vms.push(vm);
    await bootEnvironmentRun(vm, say, /restarts the computer/);
    const device = await installedSystemEnrols(osd, vm, machine.uuid, say);
    say(`${name}: enrolled as ${device.name} (${device.id})`);
    // Powered off without a shutdown, as a machine pulled off the desk; its disk is read after.
    vm.kill();
    return device.id;
  };

  const images = 'builds the boot image and imports the default OS image, a DP answers PXE';
  it(
    images,
    stage(images, async () => {
      ({ bootImage, osImage } = await buildOsdImages(osd, say));
      dpId = await startOsdDp(osd, bootImage);
      await distributeOsImage(osd, osImage.id, dpId);
    }),
    3_700_000,
  );

  const install = 'installs a reference machine with a marker file; it enrols';
  it(
    install,
    stage(install, async () => {
      await deployOnly({
        name: 'Install the reference',
        kind: 'install-os',
        steps: installSteps(osImage.id, 'reference-pc', [
          step('marker', 'run-command', {
            command: `echo '${marker}' > /mnt/target/${MARKER}`,
          }),
        ]),
      });
      reference.deviceId = await installAndEnrol(reference, 'reference', 0x41);
    }),
    7_200_000,
  );

  const capture = 'captures the reference machine into the site library, generalised';
  it(
    capture,
    stage(capture, async () => {
      await deployOnly({
        name: 'Capture the reference',
        kind: 'capture-os',
        steps: [step('capture', 'capture-os-image', { imageName: 'reference-capture' })],
      });
      // The same disk, booted from the network first, as a new unknown machine would be.
      const vm = startPxeVm(osd.lan, {
        name: 'capture',
        firmware: 'bios',
        macSuffix: 0x42,
        disk: reference.disk,
        networkFirst: true,
        smbiosUuid: randomUUID(),
        memoryMiB: 2048,
      });
      vms.push(vm);
      await bootEnvironmentRun(vm, say, /"Capture the reference" version 1 succeeded/);
      vm.kill();
      const list = await osd.site.api.call(ops.osImages.list, {});
      const found = list.find((i) => i.name === 'reference-capture');
      expect(found, JSON.stringify(list.map((i) => i.name))).toBeDefined();
      captured = found as OsImage;
      say(
        `captured image ${captured.id}: ${captured.os.prettyName}, ${String(captured.archiveBytes)} bytes archived, ${String(captured.usedBytes)} used`,
      );
      expect(captured.source).toBe('capture');
      expect(captured.createdBy).toMatch(/^boot:/);
      expect(captured.os).toMatchObject({ id: 'debian', versionId: '12', arch: 'amd64' });
      expect(captured.fileSystems.map((f) => [f.mountpoint, f.type])).toEqual([['/', 'ext4']]);
      expect(captured.archiveBytes).toBeGreaterThan(50_000_000);
      expect(captured.usedBytes).toBeGreaterThan(captured.archiveBytes);
      expect(captured.packageVersionId).not.toBeNull();
    }),
    7_200_000,
  );

  const apply = 'applies the captured image to a second machine, which enrols as a new device';
  it(
    apply,
    stage(apply, async () => {
      await distributeOsImage(osd, captured.id, dpId);
      await deployOnly({
        name: 'Install the captured image',
        kind: 'install-os',
        steps: installSteps(captured.id, 'clone-pc'),
      });
      clone.deviceId = await installAndEnrol(clone, 'clone', 0x43);
      expect(clone.deviceId).not.toBe(reference.deviceId);
    }),
    7_200_000,
  );

  const compare = 'the clone has the marker but its own machine-id, host keys and agent identity';
  it(
    compare,
    stage(compare, async () => {
      const ref = readInstalledFiles(reference.disk, [MARKER, ...IDENTITY]);
      const cln = readInstalledFiles(clone.disk, [MARKER, ...IDENTITY, 'etc/hostname']);
      expect(ref[MARKER]).toBe(`${marker}\n`);
      expect(cln[MARKER]).toBe(`${marker}\n`);
      expect(cln['etc/hostname']?.trim()).toBe('clone-pc');
      for (const path of IDENTITY) {
        say(`${path}: reference ${ref[path]?.trim().slice(0, 60) ?? '(none)'}`);
        say(`${path}: clone     ${cln[path]?.trim().slice(0, 60) ?? '(none)'}`);
        expect(ref[path]?.trim(), `reference ${path}`).toBeTruthy();
        expect(cln[path]?.trim(), `clone ${path}`).toBeTruthy();
        expect(cln[path], path).not.toBe(ref[path]);
      }
      expect(cln['var/lib/steward-agent/device.json']).toContain(clone.deviceId);
      expect(ref['var/lib/steward-agent/device.json']).toContain(reference.deviceId);
    }),
    600_000,
  );
});
