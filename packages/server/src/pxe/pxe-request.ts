import { DhcpMessageType, DhcpOption, type DhcpPacket, type Parsed } from './dhcp-packet.js';

/**
 * What a PXE client's DHCP packet says about it: its firmware (RFC 4578 option 93), its
 * identity (MAC, SMBIOS UUID from option 97) and whether it is already iPXE (user class
 * "iPXE", option 175), which decides between the TFTP first stage and the HTTP script.
 */

/** RFC 4578 / IANA processor architecture types the responder knows. */
export type PxeFirmware = 'bios' | 'uefi-x64' | 'uefi-ia32' | 'uefi-arm64';

export interface PxeRequest {
  messageType: number;
  mac: string;
  /** SMBIOS UUID (option 97 type 0), lower-case with dashes; undefined when not sent. */
  uuid: string | undefined;
  /** The option 93 value sent (the first one), undefined when absent. */
  arch: number | undefined;
  firmware: PxeFirmware | undefined;
  /** iPXE (user class "iPXE" or option 175) that can fetch over HTTP: it gets the script URL. */
  ipxe: boolean;
  ipxeHttp: boolean;
}

/** iPXE's feature flag for HTTP inside option 175 (iPXE include/ipxe/dhcp.h, DHCP_EB_FEATURE_HTTP). */
const IPXE_FEATURE_HTTP = 0x13;

/** Option 93: 0 x86 BIOS, 6 EFI IA32, 7 and 9 EFI x86-64 (9 is what RFC 4578 wrongly listed), 11 EFI ARM64. */
export function firmwareOf(arch: number | undefined): PxeFirmware | undefined {
  switch (arch) {
    case 0:
      return 'bios';
    case 6:
      return 'uefi-ia32';
    case 7:
    case 9:
      return 'uefi-x64';
    case 11:
      return 'uefi-arm64';
    default:
      return undefined;
  }
}

function uuidOf(data: Buffer | undefined): Parsed<string | undefined> {
  if (!data) return { ok: true, value: undefined };
  if (data.length !== 17 || data[0] !== 0)
    return { ok: false, reason: `option 97 is ${data.length} bytes, not type 0 + 16` };
  const hex = data.subarray(1).toString('hex');
  // Firmware without an SMBIOS UUID sends all zeros (QEMU without -uuid) or all ones: no identity.
  if (/^(0{32}|f{32})$/.test(hex)) return { ok: true, value: undefined };
  const value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { ok: true, value };
}

/**
 * User class (option 77): RFC 3004 says length-prefixed items, iPXE sends the bare text "iPXE".
 * Both are accepted.
 */
export function userClasses(data: Buffer | undefined): string[] {
  if (!data || data.length === 0) return [];
  const items: string[] = [];
  let at = 0;
  while (at < data.length) {
    const len = data[at] ?? 0;
    if (len === 0 || at + 1 + len > data.length) return [data.toString('latin1')];
    items.push(data.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  return items;
}

/** Option 175's sub-options (iPXE's encapsulated options), code to data. */
function ipxeFeatures(data: Buffer | undefined): Set<number> {
  const features = new Set<number>();
  let at = 0;
  while (data && at + 1 < data.length) {
    const code = data[at] ?? 0;
    const len = data[at + 1] ?? 0;
    if (at + 2 + len > data.length) break;
    features.add(code);
    at += 2 + len;
  }
  return features;
}

/**
 * The PXE view of a client packet, or why it is not a PXE request this responder answers
 * (not a client request, not a PXE client, a malformed PXE option).
 */
export function pxeRequestOf(packet: DhcpPacket): Parsed<PxeRequest> {
  if (packet.op !== 1) return { ok: false, reason: 'not a client request' };
  const type = packet.options.get(DhcpOption.messageType);
  if (type?.length !== 1) return { ok: false, reason: 'no DHCP message type' };
  const messageType = type[0] ?? 0;
  const known: number[] = [
    DhcpMessageType.discover,
    DhcpMessageType.request,
    DhcpMessageType.inform,
  ];
  if (!known.includes(messageType))
    return { ok: false, reason: `message type ${messageType} is not asked for boot information` };
  const vendor = packet.options.get(DhcpOption.vendorClass)?.toString('latin1') ?? '';
  if (!vendor.startsWith('PXEClient')) return { ok: false, reason: 'not a PXE client' };
  const archData = packet.options.get(DhcpOption.clientArch);
  if (archData && (archData.length === 0 || archData.length % 2 !== 0))
    return { ok: false, reason: `option 93 has ${archData.length} bytes` };
  const arch = archData?.readUInt16BE(0);
  const uuid = uuidOf(packet.options.get(DhcpOption.clientUuid));
  if (!uuid.ok) return uuid;
  const ipxeOption = packet.options.get(DhcpOption.ipxeEncapsulated);
  const ipxe =
    userClasses(packet.options.get(DhcpOption.userClass)).includes('iPXE') ||
    ipxeOption !== undefined;
  return {
    ok: true,
    value: {
      messageType,
      mac: packet.mac,
      uuid: uuid.value,
      arch,
      firmware: firmwareOf(arch),
      ipxe,
      ipxeHttp: ipxe && ipxeFeatures(ipxeOption).has(IPXE_FEATURE_HTTP),
    },
  };
}
