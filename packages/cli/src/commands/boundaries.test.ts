import type { Boundary, BoundaryGroup } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import { createHarness, route, run, type Route } from '../../test/support/harness.js';
import { dp } from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

const group = (over: Partial<BoundaryGroup> = {}): BoundaryGroup => ({
  id: 'bg-1',
  name: 'Branch A',
  description: '',
  siteCode: 'S01',
  dpIds: ['dp-1'],
  boundaryIds: ['b-1'],
  neighbours: [],
  slow: false,
  ...over,
});
const groups = [group(), group({ id: 'bg-2', name: 'Branch B', dpIds: [], boundaryIds: [] })];
const boundary: Boundary = {
  id: 'b-1',
  name: 'A LAN',
  type: 'subnet',
  value: '10.1.0.0/16',
  boundaryGroupIds: ['bg-1'],
};
const lookups: Route[] = [
  route('GET', '/boundary-groups/:id', (_r, [n]) => groups.find((g) => g.name === n || g.id === n)),
  route('GET', '/boundary-groups', () => groups),
  route('GET', '/distribution-points/:id', (_r, [n]) => dp({ id: `dp-${n ?? ''}` })),
  route('GET', '/distribution-points', () => [dp()]),
  route('GET', '/boundaries', () => [boundary]),
];

describe('boundary', () => {
  it('create takes a subnet or a range, and boundary group names', async () => {
    const h = site([...lookups, route('POST', '/boundaries', () => boundary)]);
    expect(
      (
        await run(
          h,
          'boundary',
          'create',
          'A LAN',
          '--subnet',
          '10.1.0.0/16',
          '--group',
          'Branch A',
        )
      ).code,
    ).toBe(0);
    expect(h.requests.at(-1)?.body).toEqual({
      name: 'A LAN',
      type: 'subnet',
      value: '10.1.0.0/16',
      boundaryGroupIds: ['Branch A'],
    });
    // The site resolves group names: no lookup before the POST.
    expect(h.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /boundaries']);
    const r = site([...lookups, route('POST', '/boundaries', () => boundary)]);
    await run(r, 'boundary', 'create', 'Lab', '--range', '10.9.0.1-10.9.0.99');
    expect(r.requests.at(-1)?.body).toEqual({
      name: 'Lab',
      type: 'range',
      value: '10.9.0.1-10.9.0.99',
    });
  });

  it('refuses bad values before any request', async () => {
    for (const argv of [
      ['boundary', 'create', 'X'],
      ['boundary', 'create', 'X', '--subnet', '10.0.0.0/8', '--range', '10.0.0.1-10.0.0.2'],
      ['boundary', 'create', 'X', '--subnet', '300.1.0.0/16'],
      ['boundary', 'create', 'X', '--range', '10.0.0.9-10.0.0.1'],
    ]) {
      const h = site(lookups);
      expect((await run(h, ...argv)).code, argv.join(' ')).toBe(2);
      expect(h.requests).toHaveLength(0);
    }
  });

  it('list names the groups', async () => {
    const h = site(lookups);
    expect((await run(h, 'boundary', 'list')).stdout.split('\n')[1]).toMatch(
      /^A LAN\s+subnet\s+10\.1\.0\.0\/16\s+Branch A$/,
    );
  });
});

describe('boundary-group', () => {
  it('create sends DPs and neighbours as typed, with 120 minutes by default', async () => {
    const h = site([...lookups, route('POST', '/boundary-groups', () => group())]);
    const r = await run(
      h,
      'boundary-group',
      'create',
      'Branch C',
      '--dp',
      'c1',
      '--neighbour',
      'Branch A',
      '--neighbour',
      'Branch B:30',
      '--slow',
      '--site-code',
      'S02',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(h.requests.at(-1)?.body).toEqual({
      name: 'Branch C',
      siteCode: 'S02',
      dpIds: ['c1'],
      neighbours: [
        { boundaryGroupId: 'Branch A', fallbackAfterMinutes: 120 },
        { boundaryGroupId: 'Branch B', fallbackAfterMinutes: 30 },
      ],
      slow: true,
    });
    expect(h.requests).toHaveLength(1);
    const bad = site(lookups);
    expect((await run(bad, 'boundary-group', 'create', 'X', '--site-code', 'SITE1')).code).toBe(2);
    expect(bad.requests).toHaveLength(0);
  });

  it('update --no-slow and --clear-neighbours', async () => {
    const h = site([...lookups, route('PATCH', '/boundary-groups/:id', () => group())]);
    await run(h, 'boundary-group', 'update', 'Branch A', '--no-slow', '--clear-neighbours');
    expect(h.requests.at(-1)?.body).toEqual({ neighbours: [], slow: false });
  });

  it('resolve prints the ordered DP list for an address', async () => {
    // Before the lookups: '/boundary-groups/:id' would match 'resolve' too.
    const h = site([
      route('GET', '/boundary-groups/resolve', () => ({
        packageVersionId: 'pv-1',
        clientAddress: '10.1.2.3',
        boundaryGroupIds: ['bg-1'],
        slow: false,
        locations: [
          {
            dpId: 'dp-1',
            name: 'branch-a',
            url: 'https://branch-a:8444',
            tier: 'local',
            afterMinutes: 0,
          },
          {
            dpId: 'site',
            name: 'site-server',
            url: 'https://site:8443',
            tier: 'fallback',
            afterMinutes: 120,
          },
        ],
        accessToken: 'x',
        accessTokenExpiresAt: '2025-06-01T13:00:00Z',
      })),
      ...lookups,
    ]);
    const r = await run(h, 'boundary-group', 'resolve', '--ip', '10.1.2.3');
    expect(h.requests.find((q) => q.path === '/boundary-groups/resolve')?.query).toEqual({
      ip: '10.1.2.3',
    });
    expect(r.stdout).toMatch(/Boundary groups:\s+Branch A/);
    expect(r.stdout).toMatch(
      /\n\s*1\s+branch-a\s+local\s+at once\s+https:\/\/branch-a:8444\n\s*2\s+site-server\s+fallback\s+120 min\s+https:\/\/site:8443\n$/,
    );
    const bad = site(lookups);
    expect((await run(bad, 'boundary-group', 'resolve', '--ip', 'not-an-ip')).stderr).toBe(
      'error USAGE: --ip must be an IPv4 or IPv6 address; got "not-an-ip"\n',
    );
  });
});
