import { describe, expect, it } from 'vitest';
import { MACHINE_TYPES } from '@steward/protocol';
import { machineCollector } from './machine.js';
import { decideMachineType, type MachineSignals } from './machine-type.js';

const bare: MachineSignals = {
  vm: null,
  container: null,
  chassisType: null,
  hasBattery: false,
  graphical: false,
  serverServices: [],
};

describe('decideMachineType', () => {
  it('virtualization wins over every other signal', () => {
    const d = decideMachineType({ ...bare, vm: 'kvm', chassisType: 9, hasBattery: true });
    expect(d.type).toBe('virtual-machine');
    expect(d.reason).toMatch(/^runs under kvm/);
    expect(decideMachineType({ ...bare, container: 'docker', vm: 'kvm' }).reason).toContain(
      'container docker on kvm',
    );
  });

  it('laptop from chassis code or battery', () => {
    expect(decideMachineType({ ...bare, chassisType: 10 }).type).toBe('laptop');
    const battery = decideMachineType({ ...bare, chassisType: 3, hasBattery: true });
    expect(battery.type).toBe('laptop');
    expect(battery.reason).toMatch(/^has a system battery/);
  });

  it('server from chassis code, or from server services without a display manager', () => {
    expect(decideMachineType({ ...bare, chassisType: 23 }).type).toBe('server');
    const headless = decideMachineType({ ...bare, chassisType: 1, serverServices: ['postgresql'] });
    expect(headless.type).toBe('server');
    expect(headless.reason).toContain('server services: postgresql');
    // A desktop tower with a display manager stays a desktop even with a database installed.
    expect(
      decideMachineType({
        ...bare,
        chassisType: 7,
        graphical: true,
        serverServices: ['postgresql'],
      }).type,
    ).toBe('desktop');
  });

  it('desktop from chassis code or a display manager; unknown otherwise', () => {
    expect(decideMachineType({ ...bare, chassisType: 3 }).type).toBe('desktop');
    expect(decideMachineType({ ...bare, graphical: true }).type).toBe('desktop');
    expect(decideMachineType(bare)).toEqual(expect.objectContaining({ type: 'unknown' }));
  });
});

describe('machine collector on this machine', () => {
  it('decides a type and says why', async () => {
    const [m] = await machineCollector.collect({
      startedAt: new Date(),
      softwareScanPaths: [],
      maxSoftwareFiles: 1,
    });
    expect(MACHINE_TYPES).toContain(m?.['type']);
    expect(String(m?.['typeReason'])).toMatch(/virtualization|container|hypervisor/);
    expect(String(m?.['typeReason']).length).toBeGreaterThan(20);
    expect(typeof m?.['hasBattery']).toBe('boolean');
    expect(Date.parse(String(m?.['bootTime']))).toBeLessThan(Date.now());
  });
});
