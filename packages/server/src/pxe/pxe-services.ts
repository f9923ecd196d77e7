import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PxeActivityLog, type PxeActivity } from './activity.js';
import type { PxeDecider } from './boot-decision.js';
import { FIRST_STAGE, ProxyDhcpServer } from './proxy-dhcp.js';
import { PxeHttpServer, scriptPath, type BootImageSource } from './pxe-http.js';
import { TftpServer } from './tftp.js';

/**
 * A DP's PXE responder: ProxyDHCP (67, 4011), TFTP (69) for the first stage, and the HTTP
 * listener for iPXE's script and the boot image. Started by the DP process when its PXE
 * setting is on; the ports can be moved for tests that cannot bind low ports.
 */

export interface PxeServiceOptions {
  /** The DP's IPv4 address on the PXE network (next-server, server id, script host). */
  serverAddress: string;
  /** Bind address of all three listeners (0.0.0.0: DHCP discovers are broadcast). */
  listenAddress?: string | undefined;
  /** Directory holding undionly.kpxe and ipxe.efi (Debian's ipxe package: /usr/lib/ipxe). */
  tftpRoot: string;
  httpPort: number;
  ports?: { dhcp?: number; proxy?: number; tftp?: number; client?: number } | undefined;
  /** See ProxyDhcpOptions.offerAddress (loopback tests). */
  offerAddress?: string | undefined;
  bios: boolean;
  uefi: boolean;
  responseDelaySeconds: number;
  /** Answer machines the decider does not know (no entry, no offered image)? */
  respondToUnknown: boolean;
  /** Whether the decider knows the machine (a required/available deployment or an import). */
  isKnown(mac: string, uuid: string | undefined): boolean;
  decider: PxeDecider;
  images: BootImageSource;
  /** The DP-wide PXE password's scrypt hash: every boot asks it first (null: none). */
  passwordHash?: string | null | undefined;
  onActivity?: ((entry: PxeActivity) => void) | undefined;
}

export interface RunningPxe {
  activity: PxeActivityLog;
  ports: { dhcp: number; proxy: number; tftp: number; http: number };
  scriptUrl(mac: string, uuid?: string): string;
  stop(): Promise<void>;
}

/**
 * Fills the DP's own TFTP root with the first-stage files, copied from Debian's ipxe package.
 * A copy, not the package folder itself: there ipxe.efi is a symlink to /boot, which the TFTP
 * server's confinement (no symlink out of the root) rightly refuses.
 */
export function prepareTftpRoot(firstStageDir: string, root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const file of new Set(Object.values(FIRST_STAGE)))
    if (file) copyFileSync(join(firstStageDir, file), join(root, file));
}

export async function startPxeServices(opts: PxeServiceOptions): Promise<RunningPxe> {
  const activity = new PxeActivityLog(500, () => new Date(), opts.onActivity);
  const listenAddress = opts.listenAddress ?? '0.0.0.0';
  let httpPort = opts.httpPort;
  const base = () => `http://${opts.serverAddress}:${httpPort}`;
  const http = new PxeHttpServer({
    listenAddress,
    port: opts.httpPort,
    baseUrl: base,
    decider: opts.decider,
    images: opts.images,
    passwordHash: opts.passwordHash ?? null,
    activity,
  });
  const tftp = new TftpServer({
    root: opts.tftpRoot,
    listenAddress,
    port: opts.ports?.tftp,
    activity,
  });
  const dhcp = new ProxyDhcpServer({
    serverAddress: opts.serverAddress,
    listenAddress,
    dhcpPort: opts.ports?.dhcp,
    proxyPort: opts.ports?.proxy,
    clientPort: opts.ports?.client,
    offerAddress: opts.offerAddress,
    bios: opts.bios,
    uefi: opts.uefi,
    responseDelaySeconds: opts.responseDelaySeconds,
    scriptUrl: (r) => `${base()}${scriptPath(r.mac, r.uuid)}`,
    admit: (r) =>
      opts.respondToUnknown || opts.isKnown(r.mac, r.uuid)
        ? { ok: true }
        : { ok: false, reason: 'unknown computer (this DP does not answer unknown computers)' },
    activity,
  });
  const started: { stop(): Promise<void> }[] = [];
  try {
    httpPort = await http.start();
    started.push(http);
    const tftpPort = await tftp.start();
    started.push(tftp);
    await dhcp.start();
    started.push(dhcp);
    const [dhcpPort = 0, proxyPort = 0] = dhcp.ports();
    return {
      activity,
      ports: { dhcp: dhcpPort, proxy: proxyPort, tftp: tftpPort, http: httpPort },
      scriptUrl: (mac, uuid) => `${base()}${scriptPath(mac, uuid)}`,
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}
