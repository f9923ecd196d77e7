/**
 * BOOTP/DHCP packets (RFC 2131/2132) as the PXE responder needs them: strict parsing of what a
 * PXE client sends (a malformed packet is an error value, never an exception that could stop
 * the DP) and building of ProxyDHCP replies. Only IPv4 over Ethernet is handled.
 */

export const DHCP_MAGIC = 0x63825363;
/** op(1) htype(1) hlen(1) hops(1) xid(4) secs(2) flags(2) 4 addresses, chaddr(16) sname(64) file(128). */
const FIXED_LENGTH = 236;

export const DhcpOption = {
  pad: 0,
  vendorSpecific: 43,
  serverId: 54,
  messageType: 53,
  overload: 52,
  vendorClass: 60,
  userClass: 77,
  clientArch: 93,
  clientNdi: 94,
  clientUuid: 97,
  ipxeEncapsulated: 175,
  end: 255,
} as const;

export const DhcpMessageType = {
  discover: 1,
  offer: 2,
  request: 3,
  ack: 5,
  inform: 8,
} as const;

export interface DhcpPacket {
  op: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The hardware address, lower-case colon hex (hlen bytes). */
  mac: string;
  chaddr: Buffer;
  sname: string;
  file: string;
  /** Option code to data; a code repeated is concatenated (RFC 3396). */
  options: Map<number, Buffer>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function ipv4(buf: Buffer, at: number): string {
  return [...buf.subarray(at, at + 4)].join('.');
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.subarray(0, nul < 0 ? buf.length : nul).toString('latin1');
}

function parseOptions(buf: Buffer, start: number): Parsed<Map<number, Buffer>> {
  const options = new Map<number, Buffer>();
  let at = start;
  while (at < buf.length) {
    const code = buf[at] ?? DhcpOption.end;
    if (code === DhcpOption.end) return { ok: true, value: options };
    if (code === DhcpOption.pad) {
      at += 1;
      continue;
    }
    const len = buf[at + 1];
    if (len === undefined || at + 2 + len > buf.length)
      return { ok: false, reason: `option ${code} runs past the end of the packet` };
    const data = buf.subarray(at + 2, at + 2 + len);
    const before = options.get(code);
    options.set(code, before ? Buffer.concat([before, data]) : Buffer.from(data));
    at += 2 + len;
  }
  return { ok: false, reason: 'options have no end option' };
}

/** A client's (op 1) or server's (op 2) packet, checked field by field. */
export function parseDhcpPacket(buf: Buffer): Parsed<DhcpPacket> {
  if (buf.length < FIXED_LENGTH + 4)
    return { ok: false, reason: `too short (${buf.length} bytes)` };
  const op = buf.readUInt8(0);
  if (op !== 1 && op !== 2) return { ok: false, reason: `op ${op} is neither request nor reply` };
  const htype = buf.readUInt8(1);
  const hlen = buf.readUInt8(2);
  if (htype !== 1 || hlen !== 6)
    return { ok: false, reason: `hardware type ${htype}/${hlen} is not Ethernet` };
  if (buf.readUInt32BE(FIXED_LENGTH) !== DHCP_MAGIC)
    return { ok: false, reason: 'no DHCP magic cookie' };
  const options = parseOptions(buf, FIXED_LENGTH + 4);
  if (!options.ok) return options;
  const chaddr = Buffer.from(buf.subarray(28, 44));
  return {
    ok: true,
    value: {
      op,
      xid: buf.readUInt32BE(4),
      secs: buf.readUInt16BE(8),
      flags: buf.readUInt16BE(10),
      ciaddr: ipv4(buf, 12),
      yiaddr: ipv4(buf, 16),
      siaddr: ipv4(buf, 20),
      giaddr: ipv4(buf, 24),
      mac: [...chaddr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
      chaddr,
      sname: cString(buf.subarray(44, 108)),
      file: cString(buf.subarray(108, 236)),
      options: options.value,
    },
  };
}

export interface DhcpReply {
  messageType: number;
  xid: number;
  flags: number;
  ciaddr: string;
  chaddr: Buffer;
  /** next-server: where the client fetches the boot file by TFTP. */
  siaddr: string;
  /** Boot file name (a TFTP path, or an HTTP URL for iPXE). */
  file: string;
  /** Options after 53, in order; 255 is added. */
  options: [number, Buffer][];
}

function writeIpv4(buf: Buffer, at: number, address: string): void {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${address}`);
  parts.forEach((p, i) => buf.writeUInt8(p, at + i));
}

/**
 * A server reply. yiaddr is always 0.0.0.0: a ProxyDHCP server never hands out an address
 * (the network's own DHCP server does), and nothing here can set it.
 */
export function buildDhcpReply(reply: DhcpReply): Buffer {
  const fixed = Buffer.alloc(FIXED_LENGTH + 4);
  fixed.writeUInt8(2, 0);
  fixed.writeUInt8(1, 1);
  fixed.writeUInt8(6, 2);
  fixed.writeUInt32BE(reply.xid, 4);
  fixed.writeUInt16BE(reply.flags & 0x8000, 10);
  writeIpv4(fixed, 12, reply.ciaddr);
  writeIpv4(fixed, 16, '0.0.0.0');
  writeIpv4(fixed, 20, reply.siaddr);
  reply.chaddr.copy(fixed, 28, 0, 16);
  const file = Buffer.from(reply.file, 'latin1');
  if (file.length > 127) throw new Error(`boot file name longer than 127 bytes: ${reply.file}`);
  file.copy(fixed, 108);
  fixed.writeUInt32BE(DHCP_MAGIC, FIXED_LENGTH);
  const parts: Buffer[] = [fixed, Buffer.from([DhcpOption.messageType, 1, reply.messageType])];
  for (const [code, data] of reply.options) {
    if (data.length > 255) throw new Error(`option ${code} longer than 255 bytes`);
    parts.push(Buffer.from([code, data.length]), data);
  }
  parts.push(Buffer.from([DhcpOption.end]));
  const packet = Buffer.concat(parts);
  // Some PXE ROMs drop BOOTP replies shorter than the classic 300 bytes.
  return packet.length >= 300 ? packet : Buffer.concat([packet, Buffer.alloc(300 - packet.length)]);
}

export function ipv4Bytes(address: string): Buffer {
  const buf = Buffer.alloc(4);
  writeIpv4(buf, 0, address);
  return buf;
}
