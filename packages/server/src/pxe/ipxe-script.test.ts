import { describe, expect, it } from 'vitest';
import { normaliseMac, PxeDecisionTable } from './boot-decision.js';
import { ipxePasswordScript, ipxeScript } from './ipxe-script.js';

const urls = {
  kernel: 'http://10.0.0.2:8080/pxe/v1/images/x64/kernel',
  initrd: 'http://10.0.0.2:8080/pxe/v1/images/x64/initrd',
  cmdline: 'console=ttyS0 steward.boot=1',
};

describe('iPXE scripts and the stub decision table', () => {
  it('exits to the next boot device when there is nothing to run', async () => {
    const table = new PxeDecisionTable([], undefined);
    const client = { mac: '52:54:00:00:00:01' };
    const decision = await table.decide(client);
    expect(decision).toEqual({ action: 'exit', reason: 'nothing to run for this machine' });
    const script = ipxeScript(client, decision, undefined);
    expect(script.startsWith('#!ipxe\n')).toBe(true);
    expect(script).toMatch(/\nexit\n$/);
    expect(script).not.toMatch(/kernel|boot\n/);
  });

  it('chain-loads the kernel and initrd over HTTP for a required deployment, by MAC or UUID', async () => {
    const table = new PxeDecisionTable(
      [
        { mac: '52-54-00-AA-BB-CC', image: 'x64', required: true },
        { uuid: '8F4B3A1C-2D5E-4F60-A1B2-C3D4E5F60718', image: 'x64', required: false },
      ],
      undefined,
    );
    const byMac = await table.decide({ mac: '52:54:00:aa:bb:cc' });
    expect(byMac).toMatchObject({ action: 'boot', image: 'x64', required: true });
    const script = ipxeScript({ mac: '52:54:00:aa:bb:cc' }, byMac, urls);
    expect(script.split('\n')).toEqual([
      '#!ipxe',
      'echo Steward: required PXE deployment (52:54:00:aa:bb:cc): x64',
      `kernel ${urls.kernel} initrd=initrd.img console=ttyS0 steward.boot=1`,
      `initrd --name initrd.img ${urls.initrd}`,
      'boot',
      '',
    ]);
    const byUuid = await table.decide({
      mac: '52:54:00:00:00:09',
      uuid: '8f4b3a1c-2d5e-4f60-a1b2-c3d4e5f60718',
    });
    expect(byUuid).toMatchObject({ action: 'boot', required: false });
    // Available: a key press starts it, otherwise the next device.
    const available = ipxeScript({ mac: '52:54:00:00:00:09' }, byUuid, urls);
    expect(available).toMatch(/^prompt --key 0x197e .* \|\| goto next$/m);
    expect(available).toMatch(/:next\nexit\n$/);
  });

  it('offers the DP boot image as available to machines without an entry', async () => {
    const table = new PxeDecisionTable([], 'x64');
    expect(await table.decide({ mac: '52:54:00:00:00:02' })).toMatchObject({
      action: 'boot',
      image: 'x64',
      required: false,
    });
  });

  it('keeps iPXE syntax out of text it did not write', () => {
    const script = ipxeScript(
      { mac: '52:54:00:00:00:03' },
      { action: 'exit', reason: 'x ${net0/ip} #y\nchain http://evil' },
      undefined,
    );
    expect(script).not.toContain('${');
    expect(script.split('\n').filter((l) => l.startsWith('chain'))).toEqual([]);
  });

  it('normalises MACs and refuses what is not one', () => {
    expect(normaliseMac('52-54-00-AA-BB-CC')).toBe('52:54:00:aa:bb:cc');
    expect(normaliseMac('525400aabbcc')).toBe('52:54:00:aa:bb:cc');
    for (const bad of ['', '52:54:00:aa:bb', 'zz:54:00:aa:bb:cc', '52:54:00:aa:bb:cc:dd'])
      expect(normaliseMac(bad)).toBeUndefined();
  });

  it('asks a PXE password without putting it, or any image URL, in the script', () => {
    const script = ipxePasswordScript(
      { mac: '52:54:00:00:00:09' },
      'available deployment "Lab"',
      'http://10.0.0.2:8080/pxe/v1/script?mac=52%3A54%3A00%3A00%3A00%3A09',
    );
    expect(script.split('\n')).toEqual([
      '#!ipxe',
      'prompt --key 0x197e --timeout 10000 Steward: available deployment _Lab_ (52:54:00:00:00:09): press F12 to start || goto next',
      'echo -n Steward: PXE password: ',
      'read stwpw',
      'chain http://10.0.0.2:8080/pxe/v1/script?mac=52%3A54%3A00%3A00%3A00%3A09&password=${stwpw:uristring} || goto next',
      ':next',
      'exit',
      '',
    ]);
  });
});
