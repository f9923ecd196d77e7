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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type BootImage, type OsImage, type TaskSequenceBody } from '@steward/protocol';
import { makeTarballProduction } from '../../../test-support/agent-package.js';
import { downloadTo, freeLoopbackPort } from '../../../test-support/net.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';
import {
  createPxeLan,
  pxeLanUnavailableReason,
  type PxeLan,
} from '../../../test-support/pxe/lan.js';
import { startPxeVm, type Firmware, type PxeVm } from '../../../test-support/pxe/pxe-vm.js';
import { createTestSite, exec, STEWARD, waitFor, type Site } from '../../../test-support/site.js';
import { defaultOsImage, machineMirror } from '../../../test-support/vm/os-image.js';
import { vmUnavailableReason } from '../../../test-support/vm/vm.js';

const ROOT = join(import.meta.dirname, '../../..');
const SITE_PORT = 8443;
const DP_PORT = 8444;

function unavailableReason(): string | undefined {
  if (process.env['STEWARD_OSD_VM'] !== '1') return 'set STEWARD_OSD_VM=1';
  const reason = vmUnavailableReason() ?? pxeLanUnavailableReason();
  if (reason) return reason;
  const missing = ['cpio', 'zstd', 'socat'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length) return `missing ${missing.join(', ')} (.ci/run installs them)`;
  if (!machineMirror()) return 'this machine has no Debian apt source to build from';
  return undefined;
}

const started = Date.now();
const since = () => `${String(Math.round((Date.now() - started) / 1000))} s`;
const say = (line: string) => console.log(`[osd-journey ${since()}] ${line}`);

const unavailable = unavailableReason();
if (unavailable) console.warn(`skipping the OS deployment journey: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('the OS deployment journey in QEMU', () => {
  let lan: PxeLan;
  let site: Site;
  let relay: ChildProcess | undefined;
  let bootImage: BootImage;
  let osImage: OsImage;
  let dpId = '';
  let dpDir = '';
  let cliEnv: NodeJS.ProcessEnv;
  /** The site's agent listener on this machine (the LAN reaches it through the relay). */
  let agentPort = 0;
  /** The stages depend on each other: after a failed one the rest fail at once, saying so. */
  let failed: string | undefined;
  const stage = (name: string, work: () => Promise<void>) => async () => {
    if (failed) throw new Error(`not run: "${failed}" failed`);
    try {
      await work();
    } catch (err) {
      failed = name;
      say(`${name} failed: ${String(err)}`);
      throw err;
    }
  };
  const vms: PxeVm[] = [];

  beforeAll(async () => {
    lan = await createPxeLan();
    agentPort = await freeLoopbackPort();
    // The site's agent listener, reachable from the LAN at the DP's address (see above).
    const socket = join(lan.dir, 'site.sock');
    relay = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        'socat',
        `UNIX-LISTEN:${socket},fork,mode=600`,
        `TCP:127.0.0.1:${String(agentPort)}`,
      ],
      { stdio: 'ignore' },
    );
    lan.spawnIn(
      lan.dpNs,
      'socat',
      [
        `TCP-LISTEN:${String(SITE_PORT)},bind=${lan.dpAddress},fork,reuseaddr`,
        `UNIX-CONNECT:${socket}`,
      ],
      'site-relay.log',
    );
    const bundle = join(lan.dir, 'steward-agent.mjs');
    const bundled = spawnSync('bash', [join(ROOT, 'packages/agent/packaging/bundle.sh'), bundle], {
      encoding: 'utf8',
    });
    if (bundled.status !== 0) throw new Error(`bundle.sh: ${bundled.stderr}`);
    site = await createTestSite({
      withEnrolledDevices: 0,
      agentListen: `127.0.0.1:${String(agentPort)}`,
      publicUrl: `https://${lan.dpAddress}:${String(SITE_PORT)}`,
      env: {
        STEWARD_BOOT_IMAGE_CACHE:
          process.env['STEWARD_BOOT_IMAGE_CACHE'] ?? join(homedir(), '.cache/steward/boot-image'),
        STEWARD_BOOT_AGENT_BUNDLE: bundle,
      },
    });
    cliEnv = {
      STEWARD_CONFIG_DIR: join(site.dir, 'cli'),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    mkdirSync(join(site.dir, 'cli'), { recursive: true });
    say(`site up; the LAN is ${lan.prefix}.0/24, the DP ${lan.dpAddress}`);
  }, 600_000);

  afterAll(async () => {
    for (const vm of vms) vm.kill();
    relay?.kill('SIGKILL');
    await site?.stop();
    lan?.dispose();
    say('done');
  });

  const images = 'builds the boot image with the production agent kit and imports the OS image';
  it(
    images,
    stage(images, async () => {
      // The agent the new machine installs: the site's production version (the real tarball).
      const version = await makeTarballProduction(site.api);
      say(`agent ${version} is the production version`);
      await site.api.call(ops.bootImages.updateSettings, {
        body: { mirror: machineMirror() ?? '' },
      });
      const build = await site.api.call(ops.bootImages.build, { body: {} });
      // The OS image builds (or comes from the cache) while the site builds the boot image.
      const built = await defaultOsImage(say);
      say(built.built ? `OS image built in ${String(built.buildSeconds)} s` : 'OS image cached');
      const imported = await exec(STEWARD, ['os-image', 'import', built.dir, '--json'], {
        env: cliEnv,
      });
      expect(imported.code, imported.stderr).toBe(0);
      osImage = JSON.parse(imported.stdout) as OsImage;
      say(`OS image imported: ${osImage.id}`);
      bootImage = await waitFor(
        'the boot image build',
        async () => {
          const b = await site.api.call(ops.bootImages.get, { params: { id: build.id } });
          return b.status === 'building' ? undefined : b;
        },
        3_600_000,
        5000,
      );
      expect(bootImage.status, bootImage.progressText).toBe('ready');
      say(`boot image ${bootImage.name} ${String(bootImage.version)} ready`);
    }),
    3_700_000,
  );

  const dpStage = 'runs a real DP answering PXE on the LAN with both images distributed to it';
  it(
    dpStage,
    stage(dpStage, async () => {
      const dp = await site.api.call(ops.distributionPoints.create, { body: { name: 'lan-dp' } });
      dpId = dp.distributionPoint.id;
      dpDir = join(lan.dir, 'dp');
      mkdirSync(dpDir, { recursive: true });
      // The boot image files the DP's PXE listener serves (pxe.json: local to the DP, ADR 0068),
      // fetched from the site's stable URLs.
      const local = `https://127.0.0.1:${String(agentPort)}`;
      for (const f of bootImage.files)
        await downloadTo(
          `${local}/content/v1/boot-images/${bootImage.id}/${f.name}`,
          join(dpDir, f.name),
        );
      writeFileSync(
        join(dpDir, 'pxe.json'),
        JSON.stringify({
          serverAddress: lan.dpAddress,
          images: {
            [bootImage.name]: {
              kernel: join(dpDir, 'vmlinuz'),
              initrd: join(dpDir, 'initrd.img'),
              cmdline: bootImage.kernelArgs,
            },
          },
        }),
      );
      lan.spawnIn(
        lan.dpNs,
        'env',
        [
          `STEWARD_DP_TOKEN=${dp.registrationToken}`,
          'STEWARD_DP_POLL_SECONDS=2',
          'STEWARD_ADMIN_PASSWORD=unused',
          STEWARD,
          'server',
          '--data',
          dpDir,
          '--roles',
          'dp',
          '--admin-listen',
          '127.0.0.1:0',
          '--agent-listen',
          `${lan.dpAddress}:${String(DP_PORT)}`,
        ],
        'dp.log',
      );
      await waitFor(
        'the DP to register',
        () => existsSync(join(dpDir, 'server.json')) || undefined,
        180_000,
        500,
      );
      await site.api.call(ops.dpPxe.update, {
        params: { id: dpId },
        body: { enabled: true, serverAddress: lan.dpAddress, respondToUnknown: true },
      });
      const sent = await exec(STEWARD, ['os-image', 'distribute', osImage.id, '--dp', dpId], {
        env: cliEnv,
      });
      expect(sent.code, sent.stderr).toBe(0);
      await site.api.call(ops.bootImages.distribute, {
        params: { id: bootImage.id },
        body: { dpIds: [dpId] },
      });
      await waitFor(
        'the OS image installed on the DP',
        async () =>
          (await site.api.call(ops.osImages.contentStatus, { params: { id: osImage.id } }))
            .installed === 1 || undefined,
        900_000,
        2000,
      );
      say('OS image on the DP');
      // The DP's PXE listener answers with the site's settings.
      await waitFor(
        'the DP answering PXE',
        () =>
          /PXE responder listening/.test(readFileSync(join(dpDir, 'server.log'), 'utf8')) ||
          undefined,
        120_000,
        1000,
      );
    }),
    1_000_000,
  );

  /**
   * One install sequence for every machine, deployed Required to All Unknown Computers for media
   * and PXE: the layout follows how the boot environment started (BIOS or UEFI).
   */
  let deployed: Promise<string> | undefined;
  const deploySequence = async (): Promise<string> => {
    const seq = await site.api.call(ops.taskSequences.create, {
      body: {
        name: 'Install Debian',
        kind: 'install-os',
        bootImageId: bootImage.id,
        variables: {},
        steps: [
          step('part', 'partition-disk', { disk: 'first-fixed', layout: 'auto' }),
          step('apply', 'apply-os-image', { imageId: osImage.id }),
          // The test reads the installed system's serial console.
          step('console', 'run-command', {
            command:
              'printf \'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"\\nGRUB_TIMEOUT=0\\nGRUB_TERMINAL=serial\\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\\n\' >> /mnt/target/etc/default/grub',
          }),
          step('grub', 'install-boot-loader', {}),
          step('net', 'apply-network-settings', { hostname: 'osd-%OSDFirmware%' }),
          step('agent', 'install-agent', {}),
          step('restart', 'restart-computer', { into: 'full-os' }),
        ],
      } as TaskSequenceBody,
    });
    await site.api.call(ops.taskSequenceDeployments.create, {
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
      let computerId = '';
      deployed ??= deploySequence();
      const sequenceId = await deployed;
      const uuid = randomUUID();
      const disk = join(lan.dir, `${firmware}.disk.raw`);
      spawnSync('truncate', ['-s', '4G', disk]);
      const t0 = Date.now();
      const vm = startPxeVm(lan, {
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
      const console = () => readFileSync(vm.consoleLog, 'latin1');
      try {
        const registered = await vm.waitForConsole(/steward-boot: registered /, 1_800_000);
        computerId = / id=(\S+)/.exec(registered)?.[1] ?? '';
        mark('registered');
        say(`${firmware}: boot environment registered, ${at()}`);
        await vm.waitForConsole(/steward-boot: task sequence /, 300_000);
        mark('sequenceOffered');
        say(`${firmware}: sequence offered, ${at()}`);
        const ended = await vm.waitForConsole(
          /restarts the computer|version \d+ failed at step|boot environment exited/,
          3_600_000,
        );
        if (!/restarts the computer/.test(ended)) throw new Error(`the sequence ended: ${ended}`);
        mark('sequenceDone');
        say(`${firmware}: sequence done, restarting, ${at()}`);
        await vm.waitForConsole(/STEWARD-INSTALL /, 1_800_000);
        mark('installedSystemRunning');
        say(`${firmware}: the installed system runs install-agent.sh, ${at()}`);
      } catch (err) {
        say(`${firmware} console:\n${console().slice(-6000)}`);
        throw err;
      }
      const device = await waitFor(
        'the device enrolled with its inventory',
        async () => {
          const page = await site.api.call(ops.devices.list, { query: {} });
          for (const d of page.items) {
            const detail = await site.api.call(ops.devices.get, { params: { id: d.id } });
            const ids = detail.inventory['systemIdentity'] ?? [];
            if (ids.some((i) => String(i['uuid']).toLowerCase() === uuid)) return detail;
          }
          return undefined;
        },
        1_800_000,
        5000,
      ).catch((err: unknown) => {
        say(`${firmware} console:\n${console().slice(-6000)}`);
        throw err;
      });
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
      const messages = await site.api.call(ops.status.listMessages, {
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
