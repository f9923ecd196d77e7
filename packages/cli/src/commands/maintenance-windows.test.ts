import type { MaintenanceWindow } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import { collection } from '../../test/support/fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

const window = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id: 'mw-1',
  collectionId: 'col-1',
  collectionName: 'Web servers',
  name: 'Nightly',
  start: '2025-07-01T22:00',
  durationMinutes: 120,
  recurrence: { kind: 'weekly', everyWeeks: 1, days: [1, 3] },
  timeBase: 'local',
  appliesTo: 'all',
  enabled: true,
  ...over,
});

describe('maintenance-window', () => {
  it('create sends a full window with defaults for what is not given', async () => {
    const h = site([route('POST', '/collections/:id/maintenance-windows', () => window())]);
    const r = await run(
      h,
      'maintenance-window',
      'create',
      'Web servers',
      '--name',
      'Nightly',
      '--start',
      '2025-07-01T22:00',
      '--duration',
      '2h',
      '--recur',
      'weekly:1:mon,wed',
      '--local-time',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(h.requests[0]?.path).toBe('/collections/Web%20servers/maintenance-windows');
    expect(h.requests[0]?.body).toEqual({
      name: 'Nightly',
      start: '2025-07-01T22:00',
      durationMinutes: 120,
      recurrence: { kind: 'weekly', everyWeeks: 1, days: [1, 3] },
      timeBase: 'local',
      appliesTo: 'all',
      enabled: true,
    });
    expect(r.stdout).toBe(
      'Maintenance window Nightly (id mw-1) on Web servers: 120 min from 2025-07-01T22:00 local time, weekly on Mon, Wed.\n',
    );
    const once = site([route('POST', '/collections/:id/maintenance-windows', () => window())]);
    await run(
      once,
      'maintenance-window',
      'create',
      'Web',
      '--name',
      'Patch',
      '--start',
      '2025-07-01T22:00',
      '--duration',
      '30',
      '--updates-only',
      '--disabled',
    );
    expect(once.requests[0]?.body).toMatchObject({
      recurrence: { kind: 'none' },
      timeBase: 'utc',
      appliesTo: 'software-updates',
      enabled: false,
    });
  });

  it('refuses a window of 0 minutes or more than a day, and bad times, before any request', async () => {
    const base = ['maintenance-window', 'create', 'Web', '--name', 'W'];
    const cases: [string[], string][] = [
      [
        [...base, '--start', '2025-07-01T22:00', '--duration', '0'],
        '--duration must be between 5 minutes and 1440 minutes; got 0',
      ],
      [
        [...base, '--start', '2025-07-01T22:00', '--duration', '1441'],
        '--duration must be between 5 minutes and 1440 minutes; got 1441',
      ],
      [
        [...base, '--start', '22:00', '--duration', '60'],
        '--start must be a wall time like 2025-07-01T22:00; got "22:00"',
      ],
      [[...base, '--duration', '60'], '--start is required'],
      [
        [...base, '--start', '2025-07-01T22:00', '--duration', '60', '--recur', 'weekly:1:'],
        '--recur needs at least one weekday; expected daily:N (every N days), weekly:N:mon,wed (every N weeks on those days), monthly:N:DAY (day 1-31 or "last" of every N months), or none; got "weekly:1:"',
      ],
    ];
    for (const [argv, message] of cases) {
      const h = site([]);
      expect(await run(h, ...argv)).toMatchObject({ code: 2, stderr: `error USAGE: ${message}\n` });
      expect(h.requests).toHaveLength(0);
    }
  });

  it('list filters by collection name; update and delete find a window by name', async () => {
    const routes = [
      route('GET', '/collections/:id', () => collection()),
      route('GET', '/maintenance-windows', () => [window()]),
      route('PATCH', '/maintenance-windows/:id', () => window({ enabled: false })),
      route('DELETE', '/maintenance-windows/:id', () => undefined),
    ];
    const h = site(routes);
    const r = await run(h, 'maintenance-window', 'list', '--collection', 'Web servers');
    expect(h.requests.map((q) => [q.path, q.query])).toEqual([
      ['/maintenance-windows', { collection: 'Web servers' }],
    ]);
    expect(r.stdout.split('\n')[1]).toMatch(
      /^mw-1\s+Nightly\s+Web servers\s+2025-07-01T22:00\s+120 min\s+local\s+all deployments\s+yes\s+weekly on Mon, Wed$/,
    );
    const u = site(routes);
    await run(u, 'maintenance-window', 'update', 'Nightly', '--disabled');
    expect(u.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: '/maintenance-windows/mw-1',
      body: { enabled: false },
    });
    const d = site(routes);
    expect((await run(d, 'maintenance-window', 'delete', 'mw-1', '--json')).stdout).toBe(
      JSON.stringify({ deleted: true, maintenancewindow: 'Nightly' }, null, 2) + '\n',
    );
  });

  it('passes the site error through', async () => {
    const h = site([
      route('POST', '/collections/:id/maintenance-windows', () =>
        apiError(404, 'COLLECTION_NOT_FOUND', 'no collection named Nope'),
      ),
    ]);
    const r = await run(
      h,
      'maintenance-window',
      'create',
      'Nope',
      '--name',
      'W',
      '--start',
      '2025-07-01T22:00',
      '--duration',
      '60',
    );
    expect(r).toMatchObject({
      code: 1,
      stderr: 'error COLLECTION_NOT_FOUND: no collection named Nope\n',
    });
  });
});
