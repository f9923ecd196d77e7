import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepOf } from '@steward/protocol';
import { type StepContext, type StepResult } from '../task-sequence/executor.js';
import { applyNetwork } from '../task-sequence/full-os-steps.js';
import type { BootEnvHost } from './host.js';
import { mountTarget, stepOf } from './target.js';

/** Ethernet interfaces of this machine (type 1 with a device: not lo, bridges or tunnels). */
export async function ethernetNames(sys = '/sys'): Promise<string[]> {
  const names: string[] = [];
  for (const n of (await readdir(join(sys, 'class/net')).catch(() => [])).sort()) {
    const type = (await readFile(join(sys, 'class/net', n, 'type'), 'utf8').catch(() => '')).trim();
    const hasDevice = await access(join(sys, 'class/net', n, 'device')).then(
      () => true,
      () => false,
    );
    if (type === '1' && hasDevice) names.push(n);
  }
  return names;
}

/**
 * DHCP on every wired interface of the new system, in the form its network stack reads:
 * systemd-networkd (matched by type, whatever the names) or ifupdown (by the names udev gave
 * the interfaces here, which the installed system's udev gives them too).
 */
export async function writeDhcpConfig(root: string, nics: readonly string[]): Promise<string> {
  const networkd = await access(join(root, 'lib/systemd/systemd-networkd')).then(
    () => true,
    () => false,
  );
  const ifupdown = await access(join(root, 'sbin/ifup')).then(
    () => true,
    () => false,
  );
  if (ifupdown) {
    const dir = join(root, 'etc/network/interfaces.d');
    await mkdir(dir, { recursive: true });
    const text = nics.map((n) => `allow-hotplug ${n}\niface ${n} inet dhcp\n`).join('\n');
    await writeFile(join(dir, 'steward-dhcp'), `# Written by Steward.\n${text}`, { mode: 0o644 });
    return `ifupdown: DHCP on ${nics.join(', ')}`;
  }
  if (networkd) {
    const dir = join(root, 'etc/systemd/network');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, '80-steward-dhcp.network'),
      '# Written by Steward.\n[Match]\nType=ether\n\n[Network]\nDHCP=yes\n',
      { mode: 0o644 },
    );
    return 'systemd-networkd: DHCP on every ethernet link';
  }
  return 'no network configuration written (the image has neither ifupdown nor networkd)';
}

/** Apply network settings in the boot environment: host name and DHCP in the applied system. */
export function applyNetworkToTarget(
  step: StepOf<'apply-network-settings'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    await mountTarget(host.targetDir, ctx);
    const named = await applyNetwork(step, ctx, host.targetDir);
    if (!named.ok) return named;
    const dhcp = await writeDhcpConfig(host.targetDir, await ethernetNames(host.sys));
    return { ...named, outputTail: dhcp };
  });
}
