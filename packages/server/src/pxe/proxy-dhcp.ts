import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { PxeActivityLog } from './activity.js';
import {
  buildDhcpReply,
  DhcpMessageType,
  DhcpOption,
  ipv4Bytes,
  parseDhcpPacket,
  type DhcpPacket,
} from './dhcp-packet.js';
import { pxeRequestOf, type PxeFirmware, type PxeRequest } from './pxe-request.js';

/** The first-stage files from Debian's `ipxe` package, by firmware. */
export const FIRST_STAGE: Record<PxeFirmware, string | undefined> = {
  bios: 'undionly.kpxe',
  'uefi-x64': 'ipxe.efi',
  'uefi-ia32': undefined,
  'uefi-arm64': undefined,
};

export interface ProxyDhcpOptions {
  /** The DP's IPv4 address on the PXE network: server identifier and TFTP next-server. */
  serverAddress: string;
  /** Bind address (all interfaces by default: DHCP discovers are broadcast). */
  listenAddress?: string | undefined;
  /** 67 and 4011 unless a test moves them. */
  dhcpPort?: number | undefined;
  proxyPort?: number | undefined;
  /** Reply to this port on the client (68). */
  clientPort?: number | undefined;
  /**
   * Where offers go (255.255.255.255: the client has no address yet). A loopback test sets
   * 127.0.0.1 so that nothing it does is broadcast on this machine's real network.
   */
  offerAddress?: string | undefined;
  bios: boolean;
  uefi: boolean;
  /** Seconds to wait before answering (leave the floor to another PXE server first). */
  responseDelaySeconds: number;
  /** The HTTP URL of the iPXE script for this client. */
  scriptUrl(req: PxeRequest): string;
  /** Whether this DP answers the client at all (unknown computers, boundary groups). */
  admit(req: PxeRequest): { ok: true } | { ok: false; reason: string };
  activity: PxeActivityLog;
}

type Decision = { file: string } | { ignore: string };

/**
 * A ProxyDHCP server (PXE specification 2.1, "ProxyDHCP"): it answers only PXE clients, only
 * with a boot file and next-server, beside the network's own DHCP server. Replies never carry an
 * address (buildDhcpReply pins yiaddr to 0.0.0.0) nor lease options. Port 67 answers the
 * broadcast DHCPDISCOVER with an offer; port 4011 answers the unicast request a client sends
 * to the ProxyDHCP server after it has its address (UEFI's "BINL" request, iPXE's proxy request).
 */
export class ProxyDhcpServer {
  private readonly sockets: Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: ProxyDhcpOptions) {}

  async start(): Promise<void> {
    const host = this.opts.listenAddress ?? '0.0.0.0';
    for (const [port, stage] of [
      [this.opts.dhcpPort ?? 67, 'dhcp'],
      [this.opts.proxyPort ?? 4011, 'proxy'],
    ] as const) {
      const socket = createSocket({ type: 'udp4', reuseAddr: true });
      socket.on('message', (msg, rinfo) => this.onMessage(socket, stage, msg, rinfo));
      // A send or receive error on one packet must not stop the responder.
      socket.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          socket.setBroadcast(true);
          resolve();
        });
      });
      this.sockets.push(socket);
    }
  }

  /** The bound ports (tests bind port 0). */
  ports(): number[] {
    return this.sockets.map((s) => s.address().port);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(
      this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.sockets.length = 0;
  }

  private onMessage(socket: Socket, stage: 'dhcp' | 'proxy', msg: Buffer, rinfo: RemoteInfo): void {
    const packet = parseDhcpPacket(msg);
    if (!packet.ok) {
      this.opts.activity.malformed();
      return;
    }
    const req = pxeRequestOf(packet.value);
    // Other DHCP traffic on port 67 (replies, non-PXE clients) is not ours to answer or count.
    if (!req.ok) {
      if (packet.value.op === 1 && packet.value.options.has(DhcpOption.clientArch))
        this.opts.activity.malformed();
      return;
    }
    const r = req.value;
    // On port 67 only the broadcast discover is for a ProxyDHCP server; the client's request
    // there goes to the real DHCP server that gave the address.
    if (stage === 'dhcp' && r.messageType !== DhcpMessageType.discover) return;
    const decision = this.decide(r);
    const entry = {
      stage,
      client: r.mac,
      uuid: r.uuid,
      firmware: r.firmware ?? `arch ${String(r.arch)}`,
    };
    if ('ignore' in decision) {
      this.opts.activity.record({ ...entry, answered: false, detail: decision.ignore });
      return;
    }
    const reply = this.reply(packet.value, r, decision.file, stage);
    const send = () => {
      const to =
        stage === 'dhcp'
          ? {
              address: this.opts.offerAddress ?? '255.255.255.255',
              port: this.opts.clientPort ?? 68,
            }
          : rinfo;
      // Recorded once the kernel took it: a broadcast with no route (ENETUNREACH) is not an answer.
      socket.send(reply, to.port, to.address, (err) => {
        this.opts.activity.record(
          err
            ? { ...entry, answered: false, detail: `cannot send to ${to.address}: ${err.message}` }
            : { ...entry, answered: true, detail: decision.file },
        );
      });
    };
    const delay = this.opts.responseDelaySeconds * 1000;
    if (delay <= 0 || stage === 'proxy') {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delay);
    this.timers.add(timer);
  }

  private decide(r: PxeRequest): Decision {
    if (!r.firmware) return { ignore: `unsupported client architecture ${r.arch ?? 'none'}` };
    const bios = r.firmware === 'bios';
    if (bios && !this.opts.bios) return { ignore: 'BIOS clients are not answered here' };
    if (!bios && !this.opts.uefi) return { ignore: 'UEFI clients are not answered here' };
    const admitted = this.opts.admit(r);
    if (!admitted.ok) return { ignore: admitted.reason };
    // iPXE gets the script over HTTP; handing it the first stage again would loop.
    if (r.ipxe)
      return r.ipxeHttp
        ? { file: this.opts.scriptUrl(r) }
        : { ignore: 'iPXE without HTTP support cannot fetch the boot script' };
    const file = FIRST_STAGE[r.firmware];
    return file ? { file } : { ignore: `no first-stage boot file for ${r.firmware}` };
  }

  private reply(packet: DhcpPacket, r: PxeRequest, file: string, stage: 'dhcp' | 'proxy'): Buffer {
    const options: [number, Buffer][] = [
      [DhcpOption.serverId, ipv4Bytes(this.opts.serverAddress)],
      [DhcpOption.vendorClass, Buffer.from('PXEClient')],
      // PXE discovery control 8: no boot server discovery, use the boot file in this packet.
      [DhcpOption.vendorSpecific, Buffer.from([6, 1, 8, 255])],
    ];
    const uuid = packet.options.get(DhcpOption.clientUuid);
    if (uuid) options.push([DhcpOption.clientUuid, uuid]);
    return buildDhcpReply({
      messageType: stage === 'dhcp' ? DhcpMessageType.offer : DhcpMessageType.ack,
      xid: packet.xid,
      flags: packet.flags,
      ciaddr: stage === 'dhcp' ? '0.0.0.0' : packet.ciaddr,
      chaddr: packet.chaddr,
      siaddr: this.opts.serverAddress,
      file,
      options: r.ipxe ? options.filter(([code]) => code !== DhcpOption.vendorSpecific) : options,
    });
  }
}
