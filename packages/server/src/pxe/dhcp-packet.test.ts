import { describe, expect, it } from 'vitest';
import { buildDhcpReply, DhcpOption, parseDhcpPacket } from './dhcp-packet.js';
import { firmwareOf, pxeRequestOf, userClasses } from './pxe-request.js';
import {
  BIOS_IPXE_DISCOVER,
  OVMF_DISCOVER,
  OVMF_IPXE_DISCOVER,
} from '../../../../test-support/pxe/captured-packets.js';

/** A BOOTP header (236 bytes) + magic, then the options given as [code, bytes]. */
function clientPacket(options: [number, number[] | string][], op = 1): Buffer {
  const head = Buffer.alloc(240);
  head.writeUInt8(op, 0);
  head.writeUInt8(1, 1);
  head.writeUInt8(6, 2);
  head.writeUInt32BE(0x12345678, 4);
  head.writeUInt16BE(0x8000, 10);
  Buffer.from([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]).copy(head, 28);
  head.writeUInt32BE(0x63825363, 236);
  const parts = [head];
  for (const [code, data] of options) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    parts.push(Buffer.from([code, bytes.length]), bytes);
  }
  parts.push(Buffer.from([255]));
  return Buffer.concat(parts);
}

const UUID_97 = [0, ...Buffer.from('8f4b3a1c2d5e4f60a1b2c3d4e5f60718', 'hex')];

describe('DHCP packets', () => {
  it('parses a PXE discover: MAC, UUID, arch, vendor class', () => {
    const bytes = clientPacket([
      [53, [1]],
      [93, [0, 7]],
      [94, [1, 3, 0]],
      [97, UUID_97],
      [60, 'PXEClient:Arch:00007:UNDI:003000'],
    ]);
    const packet = parseDhcpPacket(bytes);
    expect(packet.ok).toBe(true);
    if (!packet.ok) return;
    expect(packet.value).toMatchObject({ op: 1, xid: 0x12345678, mac: '52:54:00:12:34:56' });
    const req = pxeRequestOf(packet.value);
    expect(req).toEqual({
      ok: true,
      value: {
        messageType: 1,
        mac: '52:54:00:12:34:56',
        uuid: '8f4b3a1c-2d5e-4f60-a1b2-c3d4e5f60718',
        arch: 7,
        firmware: 'uefi-x64',
        ipxe: false,
        ipxeHttp: false,
      },
    });
  });

  it('joins a repeated option (RFC 3396) and skips pad bytes', () => {
    const bytes = clientPacket([
      [53, [1]],
      [0, []],
      [60, 'PXEClient:Arch'],
      [60, ':00000'],
    ]);
    const packet = parseDhcpPacket(bytes);
    expect(packet.ok && packet.value.options.get(60)?.toString()).toBe('PXEClient:Arch:00000');
  });

  it('drops malformed packets with a reason, never throws', () => {
    const good = clientPacket([[53, [1]]]);
    const cases: [Buffer, RegExp][] = [
      [good.subarray(0, 100), /too short/],
      [
        Buffer.concat([good.subarray(0, 236), Buffer.from([1, 2, 3, 4]), good.subarray(240)]),
        /magic/,
      ],
      [good.subarray(0, good.length - 1), /no end option/],
      [Buffer.concat([good.subarray(0, 240), Buffer.from([60, 40, 65])]), /runs past the end/],
      [clientPacket([[53, [1]]], 7), /op 7/],
    ];
    for (const [bytes, reason] of cases) {
      const parsed = parseDhcpPacket(bytes);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    }
    // Every truncation of a valid packet is an error value, not an exception.
    for (let n = 0; n < good.length; n++)
      expect(() => parseDhcpPacket(good.subarray(0, n))).not.toThrow();
  });

  it('is not a PXE request without PXEClient, or with a bad option 93 or 97', () => {
    const plain = parseDhcpPacket(
      clientPacket([
        [53, [1]],
        [60, 'udhcp 1.36'],
      ]),
    );
    expect(plain.ok && pxeRequestOf(plain.value)).toEqual({
      ok: false,
      reason: 'not a PXE client',
    });
    const oddArch = parseDhcpPacket(
      clientPacket([
        [53, [1]],
        [60, 'PXEClient'],
        [93, [0]],
      ]),
    );
    expect(oddArch.ok && pxeRequestOf(oddArch.value)).toMatchObject({ ok: false });
    const badUuid = parseDhcpPacket(
      clientPacket([
        [53, [1]],
        [60, 'PXEClient'],
        [97, [1, 2, 3]],
      ]),
    );
    expect(badUuid.ok && pxeRequestOf(badUuid.value)).toMatchObject({ ok: false });
    const offer = parseDhcpPacket(
      clientPacket([
        [53, [2]],
        [60, 'PXEClient'],
      ]),
    );
    expect(offer.ok && pxeRequestOf(offer.value)).toMatchObject({ ok: false });
  });

  it('detects iPXE by user class or option 175, and its HTTP feature', () => {
    const ipxe = parseDhcpPacket(
      clientPacket([
        [53, [1]],
        [60, 'PXEClient:Arch:00000:UNDI:002001'],
        [93, [0, 0]],
        [77, 'iPXE'],
        // 175: sub-options 0x13 (HTTP) and 0x17 (DNS), each one byte "1".
        [175, [0x13, 1, 1, 0x17, 1, 1]],
      ]),
    );
    expect(ipxe.ok && pxeRequestOf(ipxe.value)).toMatchObject({
      ok: true,
      value: { firmware: 'bios', ipxe: true, ipxeHttp: true },
    });
    const noHttp = parseDhcpPacket(
      clientPacket([
        [53, [1]],
        [60, 'PXEClient'],
        [93, [0, 0]],
        [77, 'iPXE'],
      ]),
    );
    expect(noHttp.ok && pxeRequestOf(noHttp.value)).toMatchObject({
      value: { ipxe: true, ipxeHttp: false },
    });
  });

  it('reads user classes in both the RFC 3004 and the bare iPXE form', () => {
    expect(userClasses(Buffer.from('iPXE'))).toEqual(['iPXE']);
    expect(userClasses(Buffer.from([4, ...Buffer.from('iPXE'), 3, ...Buffer.from('abc')]))).toEqual(
      ['iPXE', 'abc'],
    );
    expect(userClasses(undefined)).toEqual([]);
  });

  it('maps RFC 4578 architectures', () => {
    expect([0, 6, 7, 9, 11, 10, 16, undefined].map(firmwareOf)).toEqual([
      'bios',
      'uefi-ia32',
      'uefi-x64',
      'uefi-x64',
      'uefi-arm64',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('builds a reply that never carries an address and parses back', () => {
    const chaddr = Buffer.alloc(16);
    Buffer.from([0x52, 0x54, 0, 1, 2, 3]).copy(chaddr);
    const bytes = buildDhcpReply({
      messageType: 2,
      xid: 0xdeadbeef,
      flags: 0x8000,
      ciaddr: '0.0.0.0',
      chaddr,
      siaddr: '10.9.8.7',
      file: 'undionly.kpxe',
      options: [
        [DhcpOption.serverId, Buffer.from([10, 9, 8, 7])],
        [DhcpOption.vendorClass, Buffer.from('PXEClient')],
      ],
    });
    expect(bytes.length).toBeGreaterThanOrEqual(300);
    expect(bytes.subarray(16, 20)).toEqual(Buffer.from([0, 0, 0, 0]));
    const parsed = parseDhcpPacket(bytes);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      op: 2,
      xid: 0xdeadbeef,
      yiaddr: '0.0.0.0',
      siaddr: '10.9.8.7',
      file: 'undionly.kpxe',
      mac: '52:54:00:01:02:03',
    });
    expect(parsed.value.options.get(53)).toEqual(Buffer.from([2]));
    expect(parsed.value.options.get(54)).toEqual(Buffer.from([10, 9, 8, 7]));
    // No lease time, subnet mask or router: those are the real DHCP server's.
    for (const code of [1, 3, 51]) expect(parsed.value.options.has(code)).toBe(false);
  });
});

describe('discovers captured from real firmware', () => {
  const requestOf = (hex: string) => {
    const packet = parseDhcpPacket(Buffer.from(hex, 'hex'));
    if (!packet.ok) throw new Error(packet.reason);
    return pxeRequestOf(packet.value);
  };

  it('SeaBIOS with QEMU iPXE ROM: BIOS, iPXE with HTTP', () => {
    expect(requestOf(BIOS_IPXE_DISCOVER)).toEqual({
      ok: true,
      value: {
        messageType: 1,
        mac: '52:54:00:5e:00:01',
        // QEMU without -uuid sends an all-zero SMBIOS UUID: no identity.
        uuid: undefined,
        arch: 0,
        firmware: 'bios',
        ipxe: true,
        ipxeHttp: true,
      },
    });
  });

  it("OVMF's own PXE client: UEFI x64, not iPXE (it gets the TFTP first stage)", () => {
    expect(requestOf(OVMF_DISCOVER)).toMatchObject({
      ok: true,
      value: { arch: 7, firmware: 'uefi-x64', ipxe: false, ipxeHttp: false, uuid: undefined },
    });
  });

  it('ipxe.efi loaded by OVMF: UEFI x64 and iPXE with HTTP (it gets the script)', () => {
    expect(requestOf(OVMF_IPXE_DISCOVER)).toMatchObject({
      ok: true,
      value: { arch: 7, firmware: 'uefi-x64', ipxe: true, ipxeHttp: true },
    });
  });

  it('drops every truncation of a real packet without throwing', () => {
    const bytes = Buffer.from(OVMF_DISCOVER, 'hex');
    for (let n = 0; n < bytes.length; n++) {
      const parsed = parseDhcpPacket(bytes.subarray(0, n));
      // Short of the end option, no prefix parses.
      expect(parsed.ok).toBe(false);
    }
  });
});
