import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDhcpPacket } from './dhcp-packet.js';
import { PxeDecisionTable } from './boot-decision.js';
import { startPxeServices, type RunningPxe } from './pxe-services.js';

/**
 * The PXE responder over loopback with real sockets: DHCP packets as a PXE ROM, iPXE and a plain
 * DHCP client send them, TFTP with curl as the client, the script over HTTP. Offers go to
 * 127.0.0.1 (not broadcast) so nothing leaves this machine. The VM test (pxe-vm.int.test.ts)
 * proves the same with real firmware.
 */

const run = promisify(execFile);
const IPXE_DIR = '/usr/lib/ipxe';
const canRun = existsSync(join(IPXE_DIR, 'undionly.kpxe')) && existsSync('/usr/bin/curl');

function discover(opts: {
  mac: number;
  arch?: number;
  vendor?: string;
  ipxe?: boolean;
  type?: number;
}): Buffer {
  const head = Buffer.alloc(240);
  head.writeUInt8(1, 0);
  head.writeUInt8(1, 1);
  head.writeUInt8(6, 2);
  head.writeUInt32BE(0x1000 + opts.mac, 4);
  Buffer.from([0x52, 0x54, 0, 0, 0, opts.mac]).copy(head, 28);
  head.writeUInt32BE(0x63825363, 236);
  const o: number[] = [53, 1, opts.type ?? 1];
  const vendor = Buffer.from(opts.vendor ?? 'PXEClient:Arch:00000:UNDI:002001');
  o.push(60, vendor.length, ...vendor);
  if (opts.arch !== undefined) o.push(93, 2, 0, opts.arch);
  if (opts.ipxe) o.push(77, 4, ...Buffer.from('iPXE'), 175, 3, 0x13, 1, 1);
  o.push(255);
  return Buffer.concat([head, Buffer.from(o)]);
}

describe.skipIf(!canRun)('PXE responder on loopback', () => {
  let pxe: RunningPxe;
  let client: Socket;
  const replies: Buffer[] = [];
  let waiters: (() => void)[] = [];
  const root = mkdtempSync(join(tmpdir(), 'pxe-root-'));

  beforeAll(async () => {
    client = createSocket('udp4');
    client.on('message', (m) => {
      replies.push(m);
      for (const w of waiters) w();
      waiters = [];
    });
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    writeFileSync(join(root, 'undionly.kpxe'), readFileSync(join(IPXE_DIR, 'undionly.kpxe')));
    writeFileSync(join(root, 'ipxe.efi'), readFileSync(join(IPXE_DIR, 'ipxe.efi')));
    writeFileSync(join(root, '..', `${root.split('/').pop() ?? ''}-secret`), 'outside');
    symlinkSync('/etc/passwd', join(root, 'escape'));
    pxe = await startPxeServices({
      serverAddress: '127.0.0.1',
      listenAddress: '127.0.0.1',
      tftpRoot: root,
      httpPort: 0,
      ports: { dhcp: 0, proxy: 0, tftp: 0, client: client.address().port },
      offerAddress: '127.0.0.1',
      bios: true,
      uefi: true,
      responseDelaySeconds: 0,
      respondToUnknown: false,
      isKnown: (mac) => mac !== '52:54:00:00:00:09',
      decider: new PxeDecisionTable(
        [{ mac: '52:54:00:00:00:05', image: 'x64', required: true }],
        undefined,
      ),
      images: { files: () => undefined },
    });
  });

  afterAll(async () => {
    await pxe?.stop();
    client?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(`${root}-secret`, { force: true });
  });

  /** Sends to the ProxyDHCP port and waits until the activity log has one more entry. */
  async function ask(packet: Buffer, port: number): Promise<void> {
    const before = pxe.activity.counters.received;
    client.send(packet, port, '127.0.0.1');
    await expect.poll(() => pxe.activity.counters.received).toBeGreaterThan(before);
  }

  async function nextReply(): Promise<Buffer> {
    if (replies.length === 0) await new Promise<void>((r) => waiters.push(r));
    const reply = replies.shift();
    if (!reply) throw new Error('no reply');
    return reply;
  }

  it('offers BIOS the first stage and UEFI ipxe.efi, never an address', async () => {
    await ask(discover({ mac: 1, arch: 0 }), pxe.ports.dhcp);
    const bios = parseDhcpPacket(await nextReply());
    expect(bios.ok && bios.value).toMatchObject({
      op: 2,
      yiaddr: '0.0.0.0',
      siaddr: '127.0.0.1',
      file: 'undionly.kpxe',
    });
    await ask(
      discover({ mac: 2, arch: 7, vendor: 'PXEClient:Arch:00007:UNDI:003000' }),
      pxe.ports.dhcp,
    );
    const uefi = parseDhcpPacket(await nextReply());
    expect(uefi.ok && uefi.value).toMatchObject({ yiaddr: '0.0.0.0', file: 'ipxe.efi' });
    expect(uefi.ok && uefi.value.options.get(53)).toEqual(Buffer.from([2]));
  });

  it('hands iPXE the per-machine script URL (no loop back to the first stage), on 4011 too', async () => {
    await ask(discover({ mac: 3, arch: 0, ipxe: true, type: 3 }), pxe.ports.proxy);
    const ack = parseDhcpPacket(await nextReply());
    expect(ack.ok && ack.value.options.get(53)).toEqual(Buffer.from([5]));
    expect(ack.ok && ack.value.file).toBe(pxe.scriptUrl('52:54:00:00:00:03'));
    expect(ack.ok && ack.value.yiaddr).toBe('0.0.0.0');
  });

  it('ignores non-PXE clients, unknown computers and unsupported architectures; counts malformed packets', async () => {
    const counters = { ...pxe.activity.counters };
    client.send(discover({ mac: 4, vendor: 'udhcp 1.36.1' }), pxe.ports.dhcp, '127.0.0.1');
    await ask(discover({ mac: 9, arch: 0 }), pxe.ports.dhcp);
    await ask(discover({ mac: 6, arch: 10 }), pxe.ports.dhcp);
    await ask(Buffer.from('not a dhcp packet'), pxe.ports.dhcp);
    expect(pxe.activity.recent('52:54:00:00:00:09')[0]).toMatchObject({
      answered: false,
      detail: expect.stringMatching(/unknown computer/),
    });
    expect(pxe.activity.recent('52:54:00:00:00:06')[0]).toMatchObject({
      answered: false,
      detail: 'unsupported client architecture 10',
    });
    expect(pxe.activity.recent('52:54:00:00:00:04')).toEqual([]);
    expect(pxe.activity.counters.malformed).toBe(counters.malformed + 1);
    expect(pxe.activity.counters.answered).toBe(counters.answered);
    expect(replies).toEqual([]);
  });

  it('serves the first stage by TFTP to a real client (curl, blksize and tsize) and refuses escapes', async () => {
    const out = join(root, '..', `${root.split('/').pop() ?? ''}-got`);
    try {
      await run('curl', [
        '-sS',
        '--tftp-blksize',
        '1428',
        '-o',
        out,
        `tftp://127.0.0.1:${pxe.ports.tftp}/undionly.kpxe`,
      ]);
      expect(readFileSync(out).equals(readFileSync(join(IPXE_DIR, 'undionly.kpxe')))).toBe(true);
    } finally {
      rmSync(out, { force: true });
    }
    for (const name of ['escape', `../${root.split('/').pop() ?? ''}-secret`, 'missing']) {
      const sock = createSocket('udp4');
      try {
        const answer = new Promise<Buffer>((r) => sock.once('message', r));
        sock.send(Buffer.from(`\0\x01${name}\0octet\0`, 'latin1'), pxe.ports.tftp, '127.0.0.1');
        const reply = await answer;
        expect(reply.readUInt16BE(0), name).toBe(5);
        expect(reply.readUInt16BE(2), name).toBe(name === 'missing' ? 1 : 2);
      } finally {
        sock.close();
      }
    }
  });

  it('answers the script: boot for a required deployment, exit otherwise', async () => {
    const boot = await (await fetch(pxe.scriptUrl('52:54:00:00:00:05'))).text();
    // The image is not on this DP: exit rather than a script that would fail half-way.
    expect(boot).toMatch(/\nexit\n$/);
    expect(boot).not.toMatch(/^kernel /m);
    expect(pxe.activity.recent('52:54:00:00:00:05')[0]).toMatchObject({
      stage: 'script',
      detail: 'exit: boot image x64 is not on this DP',
    });
    const none = await (await fetch(pxe.scriptUrl('52:54:00:00:00:07'))).text();
    expect(none).toMatch(/^#!ipxe\n.*\nexit\n$/s);
    expect((await fetch(`http://127.0.0.1:${pxe.ports.http}/pxe/v1/script?mac=zz`)).status).toBe(
      400,
    );
    expect(
      (await fetch(`http://127.0.0.1:${pxe.ports.http}/pxe/v1/images/x/../../etc/passwd`)).status,
    ).toBe(404);
  });
});
