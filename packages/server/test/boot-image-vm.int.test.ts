/**
 * A real boot image (issue 11, ADR 0065), built by the site and booted in QEMU: the site builds
 * the default image (debootstrap root cached by recipe in $STEWARD_BOOT_IMAGE_CACHE, else
 * ~/.cache/steward/boot-image; the Debian mirror is this machine's own apt source, read at run
 * time), the test fetches kernel and initramfs from the site's stable boot-image URLs and checks
 * them against the hashes the site recorded, then boots them with `-kernel/-initrd` and no disk,
 * with an SMBIOS UUID and a MAC of its choosing. The boot environment must register as an
 * unknown computer with exactly that UUID and MAC; then, with a computer imported by that MAC,
 * a second boot must be matched to it instead.
 *
 * The guest reaches only the site: QEMU's user network with restrict=on and one guestfwd,
 * 10.0.2.100:8443 to the site's agent listener on 127.0.0.1 (the site's public URL, ADR 0044).
 * Skipped, with the reason, when QEMU, debootstrap, cpio or zstd are missing, or without root.
 */
import { createHash, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type BootImage } from '@steward/protocol';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { downloadTo as download, freeLoopbackPort } from '../../../test-support/net.js';
import { startBootVm, type BootVm } from '../../../test-support/vm/boot-vm.js';
import { vmUnavailableReason } from '../../../test-support/vm/vm.js';

const GUEST_SITE = { address: '10.0.2.100', port: 8443 };
const ROOT = join(import.meta.dirname, '../../..');

function unavailableReason(): string | undefined {
  const vm = vmUnavailableReason();
  if (vm) return vm;
  const missing = ['cpio', 'zstd'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length) return `missing ${missing.join(', ')} (.ci/run installs them)`;
  if (!machineMirror()) return 'this machine has no Debian apt source to build from';
  return undefined;
}

/** The first Debian archive URI of this machine's own apt sources (never written in the repo). */
function machineMirror(): string | undefined {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(text) ?? /^deb\s+(\S+\/debian)\s/m.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const say = (line: string) => console.log(`[boot-vm ${new Date().toISOString()}] ${line}`);

const unavailable = unavailableReason();
if (unavailable) console.warn(`skipping the boot image VM test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('a boot image built by the site, booted in QEMU', () => {
  let site: Site;
  let dir: string;
  let image: BootImage;
  let kernel = '';
  let initrd = '';
  let vm: BootVm | undefined;
  /** The site's agent listener on this machine (its public URL is the guest's forward). */
  let agentPort = 0;
  const local = () => `https://127.0.0.1:${String(agentPort)}`;
  const uuid = randomUUID();
  const mac = '52:54:00:5e:b0:07';
  const started = Date.now();

  const boot = async (): Promise<string> => {
    vm = startBootVm({
      kernel: { kernel, initrd, append: `${image.kernelArgs} panic=-1` },
      smbiosUuid: uuid,
      mac,
      forwards: [
        {
          guestAddress: GUEST_SITE.address,
          guestPort: GUEST_SITE.port,
          hostPort: agentPort,
        },
      ],
    });
    const t0 = Date.now();
    try {
      const line = await vm.waitForConsole(/steward-boot: registered /, 1_200_000);
      say(
        `registered ${String(Math.round((Date.now() - t0) / 1000))} s after QEMU started: ${line}`,
      );
      await vm.waitForConsole(/steward-boot: boot environment exited 0/, 300_000);
      await vm.exited(120_000);
      return line;
    } catch (err) {
      say(`console:\n${vm.console().slice(-4000)}`);
      throw err;
    } finally {
      await vm.dispose();
      vm = undefined;
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-boot-vm-test-'));
    const bundle = join(dir, 'steward-agent.mjs');
    const bundled = spawnSync('bash', [join(ROOT, 'packages/agent/packaging/bundle.sh'), bundle], {
      encoding: 'utf8',
    });
    if (bundled.status !== 0) throw new Error(`bundle.sh: ${bundled.stderr}`);
    const port = await freeLoopbackPort();
    agentPort = port;
    site = await createTestSite({
      withEnrolledDevices: 0,
      agentListen: `127.0.0.1:${String(port)}`,
      publicUrl: `https://${GUEST_SITE.address}:${String(GUEST_SITE.port)}`,
      env: {
        STEWARD_BOOT_IMAGE_CACHE:
          process.env['STEWARD_BOOT_IMAGE_CACHE'] ?? join(homedir(), '.cache/steward/boot-image'),
        STEWARD_BOOT_AGENT_BUNDLE: bundle,
      },
    });
    await site.api.call(ops.bootImages.updateSettings, { body: { mirror: machineMirror() ?? '' } });
    const first = await site.api.call(ops.bootImages.build, { body: {} });
    expect(first).toMatchObject({ name: 'default-amd64', version: 1, status: 'building' });
    image = await waitFor(
      'the boot image build',
      async () => {
        const b = await site.api.call(ops.bootImages.get, { params: { id: first.id } });
        return b.status === 'building' ? undefined : b;
      },
      3_600_000,
      3000,
    );
    expect(image.status, image.progressText).toBe('ready');
    say(`built in ${String(Math.round((Date.now() - started) / 1000))} s`);
  }, 3_700_000);

  afterAll(async () => {
    await vm?.dispose();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    say(`wall time ${String(Math.round((Date.now() - started) / 1000))} s`);
  });

  it('serves kernel and initramfs at stable URLs with the hashes the site recorded', async () => {
    expect(image.files.map((f) => f.name)).toEqual(['vmlinuz', 'initrd.img']);
    kernel = join(dir, 'vmlinuz');
    initrd = join(dir, 'initrd.img');
    // By name: the newest ready version (what a PXE menu points at).
    await download(`${local()}/content/v1/boot-images/default-amd64/vmlinuz`, kernel);
    await download(`${local()}/content/v1/boot-images/${image.id}/initrd.img`, initrd);
    expect(sha256(kernel)).toBe(image.files[0]?.sha256);
    expect(sha256(initrd)).toBe(image.files[1]?.sha256);
  });

  it('registers as an unknown computer with the VM’s SMBIOS UUID and MAC', async () => {
    const line = await boot();
    expect(line).toContain('kind=unknown');
    const unknown = await site.api.call(ops.unknownComputers.list, {});
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({
      smbiosUuid: uuid,
      macs: [mac],
      arch: 'amd64',
      firmware: 'bios',
      bootImageId: image.id,
    });
    // virtio-net's PCI modalias, read from the guest's sysfs.
    expect(unknown[0]?.modaliases).toContainEqual(expect.stringMatching(/^pci:v00001AF4d00001000/));
    const messages = await site.api.call(ops.status.listMessages, { query: { limit: 100 } });
    const ids = messages.items.map((m) => m.messageId);
    expect(ids).toEqual(expect.arrayContaining([52450, 52452, 40700, 40701]));
  });

  it('is matched to a computer imported by its MAC at the next boot', async () => {
    const imported = await site.api.call(ops.importedComputers.create, {
      body: { name: 'lab-01', mac: mac.toUpperCase(), variables: { ROLE: 'lab' } },
    });
    const line = await boot();
    expect(line).toContain('kind=imported');
    expect(line).toContain(`id=${imported.id}`);
    expect(line).toContain('matchedBy=mac');
    const after = await site.api.call(ops.importedComputers.list, {});
    expect(after.find((c) => c.id === imported.id)?.lastBootAt).not.toBeNull();
  });
});
