import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cmdlineMedia, cmdlineSite } from './cmdline.js';
import { identifyMachine } from './identify.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sysTree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'steward-sys-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), `${text}\n`);
  }
  return dir;
}

describe('boot environment machine identity', () => {
  it('reads the SMBIOS UUID, ethernet MACs, PCI/USB modaliases and the firmware kind', async () => {
    const sys = sysTree({
      'class/dmi/id/product_uuid': '5B0C2A6E-1F1D-4C3A-9B7E-0A1B2C3D4E5F',
      'class/net/lo/type': '772',
      'class/net/lo/address': '00:00:00:00:00:00',
      'class/net/eth0/type': '1',
      'class/net/eth0/address': '52:54:00:AB:CD:EF',
      'class/net/eth1/type': '1',
      'class/net/eth1/address': '52:54:00:ab:cd:f0',
      'bus/pci/devices/0000:00:02.0/modalias':
        'pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00',
      'bus/usb/devices/1-1/modalias': 'usb:v0BDAp8153d3000dc00dsc00dp00icFFisc06ip00in00',
      'firmware/efi/fw_platform_size': '64',
    });
    const id = await identifyMachine(sys);
    expect(id).toMatchObject({
      smbiosUuid: '5b0c2a6e-1f1d-4c3a-9b7e-0a1b2c3d4e5f',
      macs: ['52:54:00:ab:cd:ef', '52:54:00:ab:cd:f0'],
      firmware: 'uefi',
      modaliases: [
        'pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00',
        'usb:v0BDAp8153d3000dc00dsc00dp00icFFisc06ip00in00',
      ],
    });
  });

  it('has no UUID when the firmware reports a placeholder, and BIOS without EFI', async () => {
    const sys = sysTree({
      'class/dmi/id/product_uuid': '00000000-0000-0000-0000-000000000000',
      'class/net/eth0/type': '1',
      'class/net/eth0/address': '52:54:00:00:00:01',
    });
    expect(await identifyMachine(sys)).toMatchObject({
      smbiosUuid: null,
      macs: ['52:54:00:00:00:01'],
      firmware: 'bios',
      modaliases: [],
    });
  });

  it('takes steward.site= from the kernel command line', () => {
    expect(cmdlineSite('quiet steward.site=https://10.0.2.100:8443 console=ttyS0')).toBe(
      'https://10.0.2.100:8443',
    );
    expect(cmdlineSite('quiet console=ttyS0')).toBeUndefined();
  });

  it('takes steward.media= from the kernel command line (standalone media, ADR 0097)', () => {
    expect(cmdlineMedia('quiet steward.site=https://s:8443 steward.media=standalone')).toBe(
      'standalone',
    );
    // Not fooled by a longer name that ends the same, nor by the site argument.
    expect(cmdlineMedia('xsteward.media=standalone steward.site=https://s')).toBeUndefined();
  });
});
