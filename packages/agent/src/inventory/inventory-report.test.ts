import { describe, expect, it } from 'vitest';
import type { InstalledPackage } from '@steward/protocol';
import { packageSetHash } from '@steward/protocol/node';
import type { CollectedInventory } from './collect.js';
import { buildInventoryReport, classHash } from './inventory-report.js';

const pkg = (name: string, version = '1.0'): InstalledPackage => ({
  name,
  version,
  arch: 'amd64',
  manager: 'dpkg',
});

function collected(partial: Partial<CollectedInventory>): CollectedInventory {
  return {
    collectedAt: '2025-01-01T00:00:00.000Z',
    classes: {},
    packages: undefined,
    failures: [],
    partial: [],
    ...partial,
  };
}

const custom = new Set(['appConfig']);

describe('inventory reports', () => {
  const first = collected({
    classes: {
      os: [{ family: 'debian' }],
      disk: [{ mountPoint: '/' }, { mountPoint: '/srv' }],
      appConfig: [{ v: '1' }],
    },
    packages: [pkg('bash'), pkg('curl')],
  });

  it('the first report is full, with every class and the package list', () => {
    const r = buildInventoryReport(undefined, first, { kind: 'delta', customClassNames: custom });
    expect(r.body.kind).toBe('full');
    expect(Object.keys(r.body.classes).sort()).toEqual(['appConfig', 'disk', 'os']);
    expect(r.body.packages).toEqual({
      kind: 'full',
      hash: packageSetHash(first.packages ?? []),
      items: [pkg('bash'), pkg('curl')],
    });
    expect(r.nextState.classHashes['os']).toBe(classHash([{ family: 'debian' }]));
    expect(r.nextState.lastFullAt).toBe(first.collectedAt);
  });

  it('a delta holds only changed classes and a package delta against the last hash', () => {
    const base = buildInventoryReport(undefined, first, {
      kind: 'full',
      customClassNames: custom,
    }).nextState;
    const next = collected({
      // disk instances reordered only: not a change
      classes: {
        os: [{ family: 'debian' }],
        disk: [{ mountPoint: '/srv' }, { mountPoint: '/' }],
        appConfig: [{ v: '2' }],
      },
      packages: [pkg('bash', '1.1'), pkg('vim')],
    });
    const r = buildInventoryReport(base, next, { kind: 'delta', customClassNames: custom });
    expect(r.body.kind).toBe('delta');
    expect(r.body.classes).toEqual({ appConfig: [{ v: '2' }] });
    expect(r.changedClasses).toEqual(['appConfig']);
    expect(r.body.packages).toEqual({
      kind: 'delta',
      baseHash: base.packages?.hash,
      hash: packageSetHash([pkg('bash', '1.1'), pkg('vim')]),
      added: [pkg('bash', '1.1'), pkg('vim')],
      removed: [pkg('bash'), pkg('curl')],
    });
    // Nothing changed the second time: an empty delta without packages.
    const again = buildInventoryReport(r.nextState, next, {
      kind: 'delta',
      customClassNames: custom,
    });
    expect(again.body.classes).toEqual({});
    expect(again.body.packages).toBeUndefined();
  });

  it('reports custom classes removed from policy, and keeps classes that failed this time', () => {
    const base = buildInventoryReport(undefined, first, {
      kind: 'full',
      customClassNames: custom,
    }).nextState;
    const next = collected({ classes: { os: [{ family: 'debian' }] }, packages: undefined });
    const r = buildInventoryReport(base, next, { kind: 'delta', customClassNames: new Set() });
    expect(r.body.removedClasses).toEqual(['appConfig']);
    expect(r.nextState.classHashes['appConfig']).toBeUndefined();
    expect(r.nextState.classHashes['disk']).toBe(base.classHashes['disk']);
    expect(r.nextState.packages).toEqual(base.packages);
    expect(r.body.packages).toBeUndefined();
  });

  it('a requested resync turns the next report full', () => {
    const base = buildInventoryReport(undefined, first, {
      kind: 'full',
      customClassNames: custom,
    }).nextState;
    const r = buildInventoryReport({ ...base, fullRequired: true }, first, {
      kind: 'delta',
      customClassNames: custom,
    });
    expect(r.body.kind).toBe('full');
    expect(r.nextState.fullRequired).toBe(false);
  });

  it('says which inventories the cycle ran (the site keeps hardware and software activity apart)', () => {
    const hw = buildInventoryReport(undefined, first, { kind: 'full', customClassNames: custom });
    expect(hw.body.collected).toEqual(['hardware']);
    const scanOnly = buildInventoryReport(
      hw.nextState,
      collected({
        classes: { softwareFile: [{ path: '/usr/local/bin/x' }] },
        softwareScan: { paths: ['/usr/local/bin'], files: 1, truncated: false },
      }),
      { kind: 'delta', customClassNames: custom },
    );
    expect(scanOnly.body.collected).toEqual(['software']);
    const both = buildInventoryReport(
      hw.nextState,
      collected({
        classes: { ...first.classes, softwareFile: [] },
        packages: first.packages,
        softwareScan: { paths: [], files: 0, truncated: false },
      }),
      { kind: 'delta', customClassNames: custom },
    );
    // Nothing changed in the hardware classes, yet the cycle ran: it still says so.
    expect(both.body.collected).toEqual(['hardware', 'software']);
  });
});
