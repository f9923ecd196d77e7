/**
 * The OS deployment VM tests' shared harness (issue 11): a site reached from a PXE LAN (lan.ts)
 * through a relay, its default boot image and OS image, a real DP answering PXE with them, and
 * the machines that network-boot there. Used by the journey (osd-journey-vm) and the capture
 * test (osd-capture-vm); docs/testing-vms.md says how it is wired.
 *
 * - The site runs on this machine (127.0.0.1). Its agent listener is reached from the LAN at
 *   `https://<DP address>:8443` (its public URL) through a relay the test owns: socat in the DP's
 *   namespace to a Unix socket in the LAN's folder, socat on this machine from that socket to the
 *   listener. Nothing else crosses; no route leaves the namespaces.
 * - The DP is a real `steward server --roles dp` in the DP namespace: it registers through the
 *   relay, answers ProxyDHCP/TFTP/iPXE on the LAN with the site's PXE settings and decisions, and
 *   serves the distributed OS images to the boot environment.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  ops,
  type BootImage,
  type DeviceDetail,
  type OsImage,
  type TaskSequenceBody,
} from '@steward/protocol';
import { makeTarballProduction } from '../agent-package.js';
import { sequenceStep } from '../task-sequence-steps.js';
import { downloadTo, freeLoopbackPort } from '../net.js';
import { createTestSite, exec, STEWARD, waitFor, type Site } from '../site.js';
import { defaultOsImage, machineMirror } from '../vm/os-image.js';
import { vmUnavailableReason } from '../vm/vm.js';
import { createPxeLan, pxeLanUnavailableReason, type PxeLan } from './lan.js';
import type { PxeVm } from './pxe-vm.js';

const ROOT = join(import.meta.dirname, '../..');
const SITE_PORT = 8443;
const DP_PORT = 8444;

/** Why the OS deployment VM tests cannot run here (they are opt-in: STEWARD_OSD_VM=1). */
export function osdVmUnavailableReason(): string | undefined {
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

export interface OsdSite {
  lan: PxeLan;
  site: Site;
  /** The CLI's environment for this site. */
  cliEnv: NodeJS.ProcessEnv;
  /** The site's agent listener on this machine (the LAN reaches it through the relay). */
  agentPort: number;
  dispose(): Promise<void>;
}

/** The LAN, the relay and a site whose public URL is the DP's address on the LAN. */
export async function createOsdSite(): Promise<OsdSite> {
  const lan = await createPxeLan();
  const agentPort = await freeLoopbackPort();
  const socket = join(lan.dir, 'site.sock');
  const relay: ChildProcess = spawn(
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
  const site = await createTestSite({
    withEnrolledDevices: 0,
    agentListen: `127.0.0.1:${String(agentPort)}`,
    publicUrl: `https://${lan.dpAddress}:${String(SITE_PORT)}`,
    env: {
      STEWARD_BOOT_IMAGE_CACHE:
        process.env['STEWARD_BOOT_IMAGE_CACHE'] ?? join(homedir(), '.cache/steward/boot-image'),
      STEWARD_BOOT_AGENT_BUNDLE: bundle,
    },
  });
  mkdirSync(join(site.dir, 'cli'), { recursive: true });
  return {
    lan,
    site,
    agentPort,
    cliEnv: {
      STEWARD_CONFIG_DIR: join(site.dir, 'cli'),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    },
    dispose: async () => {
      relay.kill('SIGKILL');
      await site.stop();
      lan.dispose();
    },
  };
}

/**
 * The site's default boot image (built with its production agent version as the agent kit) and
 * the default OS image (os-image-build.sh, cached in the VM cache) imported as site content.
 */
export async function buildOsdImages(
  osd: OsdSite,
  say: (line: string) => void,
): Promise<{ bootImage: BootImage; osImage: OsImage }> {
  const { site } = osd;
  const version = await makeTarballProduction(site.api);
  say(`agent ${version} is the production version`);
  await site.api.call(ops.bootImages.updateSettings, { body: { mirror: machineMirror() ?? '' } });
  const build = await site.api.call(ops.bootImages.build, { body: {} });
  // The OS image builds (or comes from the cache) while the site builds the boot image.
  const built = await defaultOsImage(say);
  say(built.built ? `OS image built in ${String(built.buildSeconds)} s` : 'OS image cached');
  const imported = await exec(STEWARD, ['os-image', 'import', built.dir, '--json'], {
    env: osd.cliEnv,
  });
  expect(imported.code, imported.stderr).toBe(0);
  const osImage = JSON.parse(imported.stdout) as OsImage;
  say(`OS image imported: ${osImage.id}`);
  const bootImage = await waitFor(
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
  return { bootImage, osImage };
}

/**
 * A real DP in the LAN's DP namespace answering PXE (respond to unknown machines), with the boot
 * image distributed to it; returns its id once its PXE listener runs.
 */
export async function startOsdDp(osd: OsdSite, bootImage: BootImage): Promise<string> {
  const { lan, site } = osd;
  const dp = await site.api.call(ops.distributionPoints.create, { body: { name: 'lan-dp' } });
  const dpId = dp.distributionPoint.id;
  const dpDir = join(lan.dir, 'dp');
  mkdirSync(dpDir, { recursive: true });
  // The boot image files the DP's PXE listener serves (pxe.json: local to the DP, ADR 0068),
  // fetched from the site's stable URLs.
  const local = `https://127.0.0.1:${String(osd.agentPort)}`;
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
  await site.api.call(ops.bootImages.distribute, {
    params: { id: bootImage.id },
    body: { dpIds: [dpId] },
  });
  // The DP's PXE listener answers with the site's settings.
  await waitFor(
    'the DP answering PXE',
    () =>
      /PXE responder listening/.test(readFileSync(join(dpDir, 'server.log'), 'utf8')) || undefined,
    120_000,
    1000,
  );
  return dpId;
}

/** Distributes an OS image to the DP and waits until the DP holds it. */
export async function distributeOsImage(osd: OsdSite, imageId: string, dpId: string) {
  const sent = await exec(STEWARD, ['os-image', 'distribute', imageId, '--dp', dpId], {
    env: osd.cliEnv,
  });
  expect(sent.code, sent.stderr).toBe(0);
  await waitFor(
    `OS image ${imageId} installed on the DP`,
    async () =>
      (await osd.site.api.call(ops.osImages.contentStatus, { params: { id: imageId } }))
        .installed === 1 || undefined,
    900_000,
    2000,
  );
}

/**
 * The steps that install an OS image on the first fixed disk and restart into it with the agent
 * (BIOS or UEFI layout after how the boot environment started); `extra` run after the apply.
 */
export function installSteps(
  imageId: string,
  hostname: string,
  extra: TaskSequenceBody['steps'] = [],
): TaskSequenceBody['steps'] {
  const step = sequenceStep;
  return [
    step('part', 'partition-disk', { disk: 'first-fixed', layout: 'auto' }),
    step('apply', 'apply-os-image', { imageId }),
    ...extra,
    // The test reads the installed system's serial console.
    step('console', 'run-command', {
      command:
        'printf \'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"\\nGRUB_TIMEOUT=0\\nGRUB_TERMINAL=serial\\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\\n\' >> /mnt/target/etc/default/grub',
    }),
    step('grub', 'install-boot-loader', {}),
    step('net', 'apply-network-settings', { hostname }),
    step('agent', 'install-agent', {}),
    step('restart', 'restart-computer', { into: 'full-os' }),
  ];
}

/** Waits for a machine's boot environment to register and run its sequence to the end. */
export async function bootEnvironmentRun(
  vm: PxeVm,
  say: (line: string) => void,
  end: RegExp,
  mark: (phase: string) => void = () => undefined,
): Promise<{ computerId: string; ended: string }> {
  const t0 = Date.now();
  const at = () => `${String(Math.round((Date.now() - t0) / 1000))} s`;
  try {
    const registered = await vm.waitForConsole(/steward-boot: registered /, 1_800_000);
    mark('registered');
    say(`${vm.name}: boot environment registered, ${at()}`);
    await vm.waitForConsole(/steward-boot: task sequence /, 300_000);
    mark('sequenceOffered');
    say(`${vm.name}: sequence offered, ${at()}`);
    const ended = await vm.waitForConsole(
      new RegExp(`${end.source}|version \\d+ failed at step|boot environment exited`),
      3_600_000,
    );
    if (!end.test(ended)) throw new Error(`the sequence ended: ${ended}`);
    mark('sequenceDone');
    say(`${vm.name}: sequence ended, ${at()}: ${ended}`);
    return { computerId: / id=(\S+)/.exec(registered)?.[1] ?? '', ended };
  } catch (err) {
    say(`${vm.name} console:\n${readFileSync(vm.consoleLog, 'latin1').slice(-6000)}`);
    throw err;
  }
}

/** The enrolled device whose inventory names this SMBIOS UUID. */
export async function deviceWithUuid(
  site: Site,
  uuid: string,
  timeoutMs = 1_800_000,
): Promise<DeviceDetail> {
  return waitFor(
    `the device of ${uuid} enrolled with its inventory`,
    async () => {
      const page = await site.api.call(ops.devices.list, { query: {} });
      for (const d of page.items) {
        const detail = await site.api.call(ops.devices.get, { params: { id: d.id } });
        const ids = detail.inventory['systemIdentity'] ?? [];
        if (ids.some((i) => String(i['uuid']).toLowerCase() === uuid)) return detail;
      }
      return undefined;
    },
    timeoutMs,
    5000,
  );
}

/** After its sequence's restart: the installed system runs install-agent.sh and enrols. */
export async function installedSystemEnrols(
  osd: OsdSite,
  vm: PxeVm,
  uuid: string,
  say: (line: string) => void,
  mark: (phase: string) => void = () => undefined,
): Promise<DeviceDetail> {
  try {
    await vm.waitForConsole(/STEWARD-INSTALL /, 1_800_000);
    mark('installedSystemRunning');
    say(`${vm.name}: the installed system runs install-agent.sh`);
    return await deviceWithUuid(osd.site, uuid);
  } catch (err) {
    say(`${vm.name} console:\n${readFileSync(vm.consoleLog, 'latin1').slice(-6000)}`);
    throw err;
  }
}

/**
 * Test stages that depend on each other: after a failed one the rest fail at once, saying which
 * one failed.
 */
export function dependentStages(say: (line: string) => void) {
  let failed: string | undefined;
  return (name: string, work: () => Promise<void>) => async () => {
    if (failed) throw new Error(`not run: "${failed}" failed`);
    try {
      await work();
    } catch (err) {
      failed = name;
      say(`${name} failed: ${String(err)}`);
      throw err;
    }
  };
}

/** A test's log line writer: `[tag <seconds since the file started>] line`. */
export function osdLogger(tag: string): (line: string) => void {
  const started = Date.now();
  return (line) =>
    console.log(`[${tag} ${String(Math.round((Date.now() - started) / 1000))} s] ${line}`);
}
