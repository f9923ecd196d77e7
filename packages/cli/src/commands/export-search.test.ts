import { describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';

const signedIn = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't0k' };
const site = (routes: Route[]) => createHarness({ routes, env: signedIn });

describe('steward export', () => {
  it('streams the export route of the list, with its filters and format, to stdout', async () => {
    const h = site([route('GET', '/devices/export', () => [{ id: 'd1' }, { id: 'd2' }])]);
    const r = await run(h, 'export', 'devices', '--format', 'json', '--filter', 'status=active');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 'd1' }, { id: 'd2' }]);
    expect(h.requests).toEqual([
      expect.objectContaining({
        path: '/devices/export',
        query: { status: 'active', format: 'json' },
        authorization: 'Bearer t0k',
      }),
    ]);
  });

  it('puts the object in the path, and refuses an unknown list or a missing id', async () => {
    const h = site([route('GET', '/collections/:id/members/export', () => [])]);
    expect((await run(h, 'export', 'collection-members', 'Servers')).code).toBe(0);
    expect(h.requests[0]).toMatchObject({
      path: '/collections/Servers/members/export',
      query: { format: 'csv' },
    });
    const none = site([]);
    expect((await run(none, 'export', 'gizmos')).code).toBe(2);
    expect((await run(none, 'export', 'collection-members')).code).toBe(2);
    expect(none.requests).toHaveLength(0);
  });

  it('device list --csv uses the export route with the listing filters', async () => {
    const h = site([route('GET', '/devices/export', () => [])]);
    expect((await run(h, 'device', 'list', '--status', 'online', '--csv')).code).toBe(0);
    expect(h.requests[0]).toMatchObject({
      path: '/devices/export',
      query: { status: 'online', format: 'csv' },
    });
  });

  it('an error answer exits 1 with its code', async () => {
    const h = site([
      route('GET', '/devices/export', () =>
        apiError(400, 'EXPORT_UNSUPPORTED_FORMAT', 'export as one of csv, json'),
      ),
    ]);
    const r = await run(h, 'export', 'devices');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EXPORT_UNSUPPORTED_FORMAT');
  });
});

describe('steward search', () => {
  const answer = {
    hits: [
      { kind: 'device', id: 'd1', name: 'web-01', detail: 'serial SN1' },
      { kind: 'collection', id: 'c1', name: 'Web servers', detail: '3 members' },
    ],
    hiddenKinds: ['user'],
  };

  it('prints the hits grouped by kind and says which kinds were left out', async () => {
    const h = site([route('GET', '/search', () => answer)]);
    const r = await run(h, 'search', 'web', '--limit', '3');
    expect(r.code).toBe(0);
    expect(h.requests[0]?.query).toEqual({ q: 'web', limit: '3' });
    expect(r.stdout).toContain('web-01');
    expect(r.stdout).toContain('serial SN1');
    expect(r.stderr).toContain('Not searched (your role may not list them): user.');
  });

  it('--json prints the answer', async () => {
    const h = site([route('GET', '/search', () => answer)]);
    const r = await run(h, 'search', 'web', '--json');
    expect(JSON.parse(r.stdout)).toEqual(answer);
  });
});
