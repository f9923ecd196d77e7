import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, waitFor } from '../../../../test-support/site.js';
import { baseImage, vmUnavailableReason, type BaseImage } from '../../../../test-support/vm/vm.js';
import {
  createPxeLan,
  namespacesLeft,
  pxeLanUnavailableReason,
  type PxeLan,
} from '../../../../test-support/pxe/lan.js';
import { startPxeVm, type PxeVm } from '../../../../test-support/pxe/pxe-vm.js';
import { parseDhcpPacket } from './dhcp-packet.js';
import { pxeRequestOf } from './pxe-request.js';
import type { PxeActivity } from './activity.js';

/**
 * PXE end to end with real firmware (issue 11): a LAN namespace with a bridge and dnsmasq as the
 * network's DHCP server, the DP's ProxyDHCP/TFTP/HTTP in a second namespace beside it, and QEMU
 * machines on taps. A BIOS machine (SeaBIOS + QEMU's iPXE ROM) and a UEFI machine (OVMF's own
 * PXE client, then ipxe.efi by TFTP) with a required deployment chain-load the kernel and initrd
 * from the DP over HTTP and boot it (the marker on their kernel command line shows on their serial
 * console); a BIOS machine with nothing to do gets `exit` and boots its disk. The VMs' addresses
 * come from dnsmasq; the ProxyDHCP's offers carry none. Runs as root (skipped otherwise).
 */

const reason = pxeLanUnavailableReason() ?? vmUnavailableReason();
const BOOT_MS = 900_000;

describe.skipIf(reason !== undefined)('PXE boot of BIOS and UEFI machines from a DP', () => {
  let lan: PxeLan;
  let image: BaseImage;
  const marker = `stw${randomBytes(4).toString('hex')}`;
  const vms: PxeVm[] = [];

  const activity = (): PxeActivity[] =>
    readFileSync(join(lan.dir, 'dp.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as PxeActivity);

  beforeAll(async () => {
    image = await baseImage();
    lan = await createPxeLan();
    const imageFiles = {
      kernel: image.kernel,
      initrd: image.initrd,
      cmdline: `console=ttyS0,115200 panic=-1 steward.marker=${marker}`,
    };
    const options = {
      serverAddress: lan.dpAddress,
      tftpRoot: join(lan.dir, 'tftp'),
      httpPort: 8080,
      respondToUnknown: true,
      entries: [
        { mac: '52:54:00:5e:00:02', image: 'x64', required: true },
        { mac: '52:54:00:5e:00:03', image: 'x64', required: true },
      ],
      images: { x64: imageFiles },
    };
    const dp = lan.spawnIn(
      lan.dpNs,
      process.execPath,
      [join(REPO, 'test-support/pxe/run-pxe.mjs'), JSON.stringify(options)],
      'dp.log',
    );
    // A listener on the LAN's port 68 sees the broadcast offers (dnsmasq's and the DP's).
    // Port 67 beside dnsmasq (both with SO_REUSEADDR) sees the clients' broadcast discovers.
    const sniff = `const d=require('dgram');let n=0;for(const [port,kind] of [[68,'offer'],[67,'client']]){const s=d.createSocket({type:'udp4',reuseAddr:true});s.on('message',(m,r)=>console.log(kind+' '+r.address+' '+m.toString('hex')));s.bind(port,()=>{if(++n===2)console.log('sniffing')})}`;
    lan.spawnIn(lan.lanNs, process.execPath, ['-e', sniff], 'sniff.log');
    await waitFor(
      'the DP PXE responder and the sniffer',
      () => {
        if (dp.exitCode !== null) throw new Error(readFileSync(join(lan.dir, 'dp.log'), 'utf8'));
        return (
          readFileSync(join(lan.dir, 'dp.log'), 'utf8').includes('ready') &&
          existsSync(join(lan.dir, 'sniff.log')) &&
          readFileSync(join(lan.dir, 'sniff.log'), 'utf8').includes('sniffing')
        );
      },
      30_000,
      50,
    );
  }, BOOT_MS);

  afterAll(() => {
    for (const vm of vms) vm.kill();
    if (!lan) return;
    lan.dispose();
    expect(namespacesLeft(lan)).toEqual([]);
  });

  /** The address dnsmasq leased to a MAC (its DHCPACK line). */
  const leased = (mac: string) =>
    new RegExp(`DHCPACK\\(br0\\) (${lan.prefix.replaceAll('.', '\\.')}\\.\\d+) ${mac}`).exec(
      lan.dhcpLog(),
    )?.[1];

  it(
    'a BIOS machine with nothing to do gets exit and boots its disk',
    async () => {
      const vm = startPxeVm(lan, {
        name: 'bios-idle',
        firmware: 'bios',
        macSuffix: 1,
        bootDisk: true,
      });
      vms.push(vm);
      await vm.waitForConsole(/STEWARD-DISK-BOOT/, BOOT_MS);
      vm.kill();
      const mine = activity().filter((a) => a.client === vm.mac);
      // QEMU's BIOS boot ROM is iPXE already: it is handed the script URL at once, no TFTP loop.
      expect(mine.find((a) => a.stage === 'dhcp')).toMatchObject({
        answered: true,
        firmware: 'bios',
        detail: expect.stringContaining('/pxe/v1/script?mac=52%3A54%3A00%3A5e%3A00%3A01'),
      });
      const script = mine.find((a) => a.stage === 'script');
      expect(script).toMatchObject({
        answered: true,
        detail: 'exit: nothing to run for this machine',
      });
      expect(script?.address).toBe(leased(vm.mac));
    },
    BOOT_MS,
  );

  it(
    'a BIOS machine with a required deployment chain-loads the boot image over HTTP',
    async () => {
      const vm = startPxeVm(lan, { name: 'bios-deploy', firmware: 'bios', macSuffix: 2 });
      vms.push(vm);
      const line = await vm.waitForConsole(
        new RegExp(`Command line: .*steward\\.marker=${marker}`),
        BOOT_MS,
      );
      expect(line).toContain('initrd=initrd.img');
      vm.kill();
      const address = leased(vm.mac);
      expect(address).toMatch(
        new RegExp(`^${lan.prefix.replaceAll('.', '\\.')}\\.(1[0-4]\\d|150)$`),
      );
      const fetched = activity().filter((a) => a.stage === 'boot-file' && a.address === address);
      expect(fetched.map((a) => a.detail).sort()).toEqual(['x64/initrd', 'x64/kernel']);
    },
    BOOT_MS,
  );

  it(
    'a UEFI machine gets ipxe.efi by TFTP, then the script, then boots the kernel',
    async () => {
      const vm = startPxeVm(lan, { name: 'uefi-deploy', firmware: 'uefi', macSuffix: 3 });
      vms.push(vm);
      await vm.waitForConsole(new RegExp(`steward\\.marker=${marker}`), BOOT_MS);
      vm.kill();
      const address = leased(vm.mac);
      const all = activity();
      const mine = all.filter(
        (a) => a.client === vm.mac || (address !== undefined && a.address === address),
      );
      // OVMF's PXE client (not iPXE) got the first stage: an offer, then the file over TFTP.
      expect(mine.find((a) => a.stage === 'dhcp' && a.detail === 'ipxe.efi')).toMatchObject({
        firmware: 'uefi-x64',
        answered: true,
      });
      expect(mine.find((a) => a.stage === 'tftp' && a.answered)).toMatchObject({
        detail: 'ipxe.efi',
        address,
      });
      expect(mine.find((a) => a.stage === 'script')).toMatchObject({
        detail: expect.stringMatching(/^boot x64 \(required\)/),
        address,
      });
    },
    BOOT_MS,
  );

  it('parses the real firmware packets seen on the LAN as PXE requests (SeaBIOS iPXE, OVMF)', () => {
    const firmware = new Set<string>();
    for (const line of readFileSync(join(lan.dir, 'sniff.log'), 'utf8').split('\n')) {
      if (!line.startsWith('client ')) continue;
      const packet = parseDhcpPacket(Buffer.from(line.split(' ')[2] ?? '', 'hex'));
      expect(packet.ok).toBe(true);
      const req = packet.ok ? pxeRequestOf(packet.value) : undefined;
      if (req?.ok) firmware.add(`${req.value.firmware ?? '?'}${req.value.ipxe ? '+ipxe' : ''}`);
    }
    // BIOS: QEMU's iPXE ROM; UEFI: OVMF's own client first, then the ipxe.efi it loaded.
    expect([...firmware].sort()).toEqual(['bios+ipxe', 'uefi-x64', 'uefi-x64+ipxe']);
  });

  it('never offered an address: every ProxyDHCP offer seen on the LAN has yiaddr 0.0.0.0', () => {
    const seen = readFileSync(join(lan.dir, 'sniff.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`offer ${lan.dpAddress} `));
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) {
      const packet = parseDhcpPacket(Buffer.from(line.split(' ')[2] ?? '', 'hex'));
      expect(packet.ok && packet.value.yiaddr).toBe('0.0.0.0');
      expect(packet.ok && [1, 3, 51].some((code) => packet.value.options.has(code))).toBe(false);
    }
  });
});
