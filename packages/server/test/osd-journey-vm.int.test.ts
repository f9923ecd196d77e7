/**
 * The OS deployment journey (issue 11), end to end in one QEMU machine per firmware: an unknown
 * machine with an empty disk network-boots from a real distribution point, runs the boot image,
 * applies the default OS image, restarts into the installed Debian and enrols with the REAL
 * agent, which sends its inventory.
 *
 * - The LAN is test-support/pxe/lan.ts: two network namespaces the test creates and deletes, a
 *   bridge with dnsmasq as the network's DHCP server, and the DP's namespace beside it.
 * - The site runs on this machine (127.0.0.1). Its agent listener is reached from the LAN at
 *   `https://<DP address>:8443` (its public URL) through a relay the test owns: socat in the DP's
 *   namespace to a Unix socket in the LAN's folder, socat on this machine from that socket to the
 *   listener. Nothing else crosses; no route leaves the namespaces.
 * - The DP is a real `steward server --roles dp` in the DP namespace: it registers through the
 *   relay, answers ProxyDHCP/TFTP/iPXE on the LAN with the site's PXE settings and decisions, and
 *   serves the distributed OS image to the boot environment.
 * - The site builds the default boot image (debootstrap, cached in ~/.cache/steward/boot-image),
 *   carrying its production agent version (the agent tarball) as the agent kit; the default OS
 *   image is built once by os-image-build.sh (cached in the VM cache) and imported as site
 *   content; both are distributed to the DP.
 * - A task sequence (partition BIOS/UEFI, apply the image, serial console, boot loader, network,
 *   install the agent with a single-use token, restart) is deployed Required to All Unknown
 *   Computers for media and PXE.
 * - The machine boots its disk first (empty: the firmware goes on to the network), so after the
 *   sequence's restart it boots the installed system, whose first-boot unit runs install-agent.sh
 *   with the token: the device enrols with the machine's SMBIOS UUID and MAC in its inventory.
 *
 * Opt-in (STEWARD_OSD_VM=1) like os-deploy-vm: two debootstraps the first time, and TCG here.
 * Skipped with the reason without root, QEMU, ovmf, ipxe, dnsmasq, socat, cpio, zstd or a mirror.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type BootImage, type OsImage } from '@steward/protocol';
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
import { startPxeVm, type Firmware, type PxeVm } from '../../../test-support/pxe/pxe-vm.js';

const say = osdLogger('osd-journey');

const unavailable = osdVmUnavailableReason();
if (unavailable) console.warn(`skipping the OS deployment journey: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('the OS deployment journey in QEMU', () => {
  let osd: OsdSite;
  let bootImage: BootImage;
  let osImage: OsImage;
  let dpId = '';
  const stage = dependentStages(say);
  const vms: PxeVm[] = [];

  beforeAll(async () => {
    osd = await createOsdSite();
    say(`site up; the LAN is ${osd.lan.prefix}.0/24, the DP ${osd.lan.dpAddress}`);
  }, 600_000);

  afterAll(async () => {
    for (const vm of vms) vm.kill();
    await osd?.dispose();
    say('done');
  });

  const images = 'builds the boot image with the production agent kit and imports the OS image';
  it(
    images,
    stage(images, async () => {
      ({ bootImage, osImage } = await buildOsdImages(osd, say));
    }),
    3_700_000,
  );

  const dpStage = 'runs a real DP answering PXE on the LAN with both images distributed to it';
  it(
    dpStage,
    stage(dpStage, async () => {
      dpId = await startOsdDp(osd, bootImage);
      await distributeOsImage(osd, osImage.id, dpId);
      say('OS image on the DP');
    }),
    1_000_000,
  );

  /**
   * One install sequence for every machine, deployed Required to All Unknown Computers for media
   * and PXE: the layout follows how the boot environment started (BIOS or UEFI).
   */
  let deployed: Promise<string> | undefined;
  const deploySequence = async (): Promise<string> => {
    const seq = await osd.site.api.call(ops.taskSequences.create, {
      body: {
        name: 'Install Debian',
        kind: 'install-os',
        bootImageId: bootImage.id,
        variables: {},
        steps: installSteps(osImage.id, 'osd-%OSDFirmware%'),
      },
    });
    await osd.site.api.call(ops.taskSequenceDeployments.create, {
      body: {
        sequenceId: seq.id,
        collectionId: 'all-unknown-computers',
        purpose: 'required',
        availableTo: 'media-and-pxe',
      },
    });
    return seq.id;
  };

  const journey = (firmware: Firmware, macSuffix: number) =>
    stage(firmware, async () => {
      deployed ??= deploySequence();
      const sequenceId = await deployed;
      const uuid = randomUUID();
      const disk = join(osd.lan.dir, `${firmware}.disk.raw`);
      spawnSync('truncate', ['-s', '4G', disk]);
      const t0 = Date.now();
      const vm = startPxeVm(osd.lan, {
        name: firmware,
        firmware,
        macSuffix,
        disk,
        reboot: true,
        smbiosUuid: uuid,
        memoryMiB: 2048,
      });
      vms.push(vm);
      const at = () => `${String(Math.round((Date.now() - t0) / 1000))} s after power-on`;
      // Seconds after power-on at each milestone: bench:osd --vm records them (bench/osd-vm.mjs).
      const phases: Record<string, number> = {};
      const mark = (phase: string) => (phases[phase] = Math.round((Date.now() - t0) / 1000));
      const { computerId } = await bootEnvironmentRun(vm, say, /restarts the computer/, mark);
      const device = await installedSystemEnrols(osd, vm, uuid, say, mark);
      const seconds = mark('enrolled');
      const benchOut = process.env['STEWARD_OSD_BENCH_OUT'];
      if (benchOut)
        writeFileSync(benchOut, `${JSON.stringify({ firmware, seconds, phases })}\n`, {
          flag: 'a',
        });
      say(
        `${firmware}: enrolled as ${device.name} ${at()} (power-on to enrolled: ${String(seconds)} s)`,
      );
      const macs = (device.inventory['networkAdapter'] ?? []).map((a) =>
        String(a['mac']).toLowerCase(),
      );
      expect(macs).toContain(vm.mac);
      for (const cls of ['os', 'cpu', 'memory'])
        expect(device.inventory[cls]?.length ?? 0, cls).toBeGreaterThan(0);
      expect(device.inventory['os']?.[0]?.['name']).toMatch(/^Debian/);

      // Every step of the run succeeded on the site: started and succeeded for each step before
      // the restart, the restart announced, and none failed.
      const messages = await osd.site.api.call(ops.status.listMessages, {
        query: { component: 'task-sequence-engine', limit: 500 },
      });
      const ofRun = messages.items.filter(
        (m) =>
          m.attributes['sequenceId'] === sequenceId && m.attributes['computerId'] === computerId,
      );
      say(`${firmware}: run messages ${ofRun.map((m) => m.messageId).join(' ')}`);
      const ids = ofRun.map((m) => m.messageId);
      expect(ids).not.toContain(40603);
      expect(ids).not.toContain(40608);
      expect(ids.filter((id) => id === 40602)).toHaveLength(6);
      expect(ids).toContain(40605);
    });

  it(
    'BIOS: an unknown machine network-boots, is deployed, restarts into Debian and enrols',
    journey('bios', 0x31),
    7_200_000,
  );
  it(
    'UEFI: an unknown machine network-boots, is deployed, restarts into Debian and enrols',
    journey('uefi', 0x32),
    7_200_000,
  );
});
