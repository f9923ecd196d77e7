import { describe, expect, it } from 'vitest';
import { MAX_POSTPONE_MINUTES } from '@steward/protocol';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import { collection, deviceDetail } from '../../test/support/fixtures.js';
import { deployment, deviceState, program, summary } from '../../test/support/software-fixtures.js';
import { renderSummaryChart } from './deployment-views.js';
import { createStyle } from '../output/style.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

const lookups: Route[] = [
  route('GET', '/programs/:id', (_r, [id]) =>
    id === 'prog-1' ? program() : apiError(404, 'PROGRAM_NOT_FOUND', `no program ${id ?? ''}`),
  ),
  route('GET', '/programs', () => [program(), program({ id: 'prog-2', name: 'Uninstall' })]),
  route('GET', '/collections/:id', (_r, [n]) => collection({ id: `c-${n ?? ''}`, name: n ?? '' })),
  route('GET', '/deployments/:id', (_r, [id]) =>
    id === 'dep-1'
      ? deployment()
      : apiError(404, 'DEPLOYMENT_NOT_FOUND', `no deployment ${id ?? ''}`),
  ),
  route('GET', '/deployments', () => [deployment()]),
];

describe('deployment create', () => {
  it('builds the body from schedule and setting flags, resolving the program', async () => {
    const h = site([...lookups, route('POST', '/deployments', () => deployment())]);
    const r = await run(
      h,
      'deployment',
      'create',
      '--program',
      'Firefox/Install',
      '--collection',
      'Web',
      '--purpose',
      'required',
      '--asap',
      '--at',
      '2025-07-01 22:00',
      '--recur',
      'weekly:1:mon,wed',
      '--on-enrolment',
      '--available-at',
      '2025-06-30T08:00',
      '--expires-at',
      '2025-12-31T23:59',
      '--local-time',
      '--rerun',
      'if-failed',
      '--no-pre-download',
      '--from-dp',
      '--run-over-slow',
      '--no-fallback',
      '--override-windows',
      '--max-postpone-minutes',
      '240',
      '--name',
      'FF',
    );
    expect(r.stderr).toContain('steward deployment status dep-1 --watch');
    expect(r.code).toBe(0);
    expect(h.requests.find((q) => q.method === 'POST')?.body).toEqual({
      name: 'FF',
      programId: 'prog-1',
      collectionId: 'Web',
      purpose: 'required',
      triggers: [
        { type: 'asap' },
        {
          type: 'at',
          start: '2025-07-01T22:00',
          recurrence: { kind: 'weekly', everyWeeks: 1, days: [1, 3] },
        },
        { type: 'on-enrolment' },
      ],
      availableAt: '2025-06-30T08:00',
      expiresAt: '2025-12-31T23:59',
      timeBase: 'local',
      rerun: 'if-failed',
      preDownload: false,
      contentMode: 'from-dp',
      runOverSlowBoundary: true,
      allowFallback: false,
      overrideMaintenanceWindows: true,
      maxPostponeMinutes: 240,
    });
    // The site resolves the collection name: no lookup for it.
    expect(h.requests.filter((q) => q.path.startsWith('/collections'))).toEqual([]);
  });

  it('refuses bad flags with a clear message before any request', async () => {
    const base = ['deployment', 'create', '--program', 'p', '--collection', 'c'];
    const cases: [string[], RegExp][] = [
      [[...base, '--purpose', 'required'], /needs --asap, --at WALLTIME or --on-enrolment/],
      [[...base, '--purpose', 'available', '--asap'], /available deployment is offered/],
      [
        [...base, '--purpose', 'mandatory', '--asap'],
        /--purpose must be one of available, required/,
      ],
      [
        [...base, '--purpose', 'required', '--at', '2025-07-01T22:00Z'],
        /--at is a wall time without zone/,
      ],
      [
        [...base, '--purpose', 'required', '--recur', 'daily:1', '--asap'],
        /--recur repeats the --at run/,
      ],
      [
        [...base, '--purpose', 'required', '--at', '2025-07-01T22:00', '--recur', 'daily:x'],
        /--recur needs a number/,
      ],
      [
        [...base, '--purpose', 'required', '--asap', '--rerun', 'sometimes'],
        /--rerun must be one of never, always/,
      ],
      [
        [...base, '--purpose', 'required', '--asap', '--max-postpone-minutes', '-5'],
        new RegExp(`between 0 and ${MAX_POSTPONE_MINUTES}`),
      ],
      [
        [
          ...base,
          '--purpose',
          'required',
          '--asap',
          '--available-at',
          '2025-07-02T00:00',
          '--expires-at',
          '2025-07-01T00:00',
        ],
        /--expires-at must be after --available-at/,
      ],
      [
        ['deployment', 'create', '--collection', 'c', '--purpose', 'required', '--asap'],
        /required option '--program/,
      ],
    ];
    for (const [argv, message] of cases) {
      const h = site(lookups);
      const r = await run(h, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(h.requests, argv.join(' ')).toHaveLength(0);
    }
  });

  it('names the flag whose program is unknown and passes API codes through', async () => {
    const h = site([...lookups]);
    const r = await run(
      h,
      'deployment',
      'create',
      '--program',
      'nope',
      '--collection',
      'c',
      '--purpose',
      'required',
      '--asap',
    );
    expect(r).toMatchObject({
      code: 1,
      stderr: 'error PROGRAM_NOT_FOUND: --program nope: no program nope\n',
    });
    const h2 = site([
      ...lookups,
      route('POST', '/deployments', () =>
        apiError(400, 'SCHEDULE_IN_PAST', 'the run time 2020-01-01T00:00 is in the past'),
      ),
    ]);
    const r2 = await run(
      h2,
      'deployment',
      'create',
      '--program',
      'prog-1',
      '--collection',
      'c',
      '--purpose',
      'required',
      '--at',
      '2020-01-01T00:00',
    );
    expect(r2).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error SCHEDULE_IN_PAST: the run time 2020-01-01T00:00 is in the past\n',
    });
  });
});

describe('deployment update, rerun, assign', () => {
  it('update sends only what is given; --no-expires-at clears the expiry', async () => {
    const h = site([...lookups, route('PATCH', '/deployments/:id', () => deployment())]);
    expect(
      (
        await run(
          h,
          'deployment',
          'update',
          'Firefox to Web',
          '--no-expires-at',
          '--fallback',
          '--utc',
        )
      ).code,
    ).toBe(0);
    const patch = h.requests.find((q) => q.method === 'PATCH');
    expect(patch?.path).toBe('/deployments/dep-1');
    expect(patch?.body).toEqual({ expiresAt: null, allowFallback: true, timeBase: 'utc' });
    const none = site(lookups);
    expect((await run(none, 'deployment', 'update', 'dep-1')).stderr).toMatch(/nothing to change/);
  });

  it('rerun resolves devices; assign checks the wall time', async () => {
    const h = site([
      ...lookups,
      route('GET', '/devices/:id', (_r, [n]) => deviceDetail({ id: `d-${n ?? ''}` })),
      route('POST', '/deployments/:id/rerun', () => deployment({ revision: 2 })),
    ]);
    const r = await run(
      h,
      'deployment',
      'rerun',
      'dep-1',
      '--device',
      'web-01',
      '--device',
      'web-02',
    );
    expect(r.stdout).toBe(
      'Deployment Firefox to Web rerun on 2 devices (revision 2; rerun behaviour "never").\n',
    );
    expect(h.requests.at(-1)?.body).toEqual({ deviceIds: ['d-web-01', 'd-web-02'] });
    const bad = site(lookups);
    expect((await run(bad, 'deployment', 'assign', 'dep-1', '--at', 'soon')).code).toBe(2);
    expect(bad.requests).toHaveLength(0);
  });
});

describe('deployment status and devices', () => {
  it('draws the summary as a bar chart scaled to the targeted devices', () => {
    const lines = renderSummaryChart(
      summary({ succeeded: 6, failed: 2, running: 2 }, { overdue: 1 }),
      createStyle(false),
    );
    expect(lines).toContain('  succeeded        ██████████████████░░░░░░░░░░░░   6   60%');
    expect(lines).toContain('  failed           ██████░░░░░░░░░░░░░░░░░░░░░░░░   2   20%');
    expect(lines).toContain('  targeted         ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0');
    expect(lines.at(-1)).toBe('  10 devices targeted: 60% succeeded, 20% failed, 1 overdue');
  });

  it('--watch polls until no device is waiting or running', async () => {
    const polls = [
      summary({ received: 2 }),
      summary({ running: 1, succeeded: 1 }),
      summary({ succeeded: 2 }),
    ];
    let i = 0;
    const h = site([
      ...lookups,
      route('GET', '/deployments/:id/summary', () => polls[Math.min(i++, 2)]),
    ]);
    const r = await run(h, 'deployment', 'status', 'dep-1', '--watch');
    expect(r.code).toBe(0);
    expect(i).toBe(3);
    expect(r.stdout.match(/^Firefox to Web$/gm)).toHaveLength(3);
    expect(r.stderr).toBe('No device is waiting or running.\n');
    const json = site([
      ...lookups,
      route('GET', '/deployments/:id/summary', () => summary({ succeeded: 1 })),
    ]);
    const jr = await run(json, 'deployment', 'status', 'dep-1', '--watch', '--json');
    expect(JSON.parse(jr.stdout)).toMatchObject({ counts: { succeeded: 1 } });
  });

  it('--watch ends quietly on Ctrl-C', async () => {
    const h = site([
      ...lookups,
      route('GET', '/deployments/:id/summary', () => {
        h.interrupt();
        return summary({ running: 1 });
      }),
    ]);
    expect((await run(h, 'deployment', 'status', 'dep-1', '--watch')).code).toBe(0);
  });

  it('devices shows the drill-down and passes the filters', async () => {
    const rows = [
      deviceState(),
      deviceState({
        hostname: 'web-02',
        state: 'failed',
        exitCode: 3,
        reasonCode: 'EXIT_CODE',
        reason: 'exit code 3 is not a success code',
        overdue: true,
      }),
    ];
    const h = site([
      ...lookups,
      route('GET', '/deployments/:id/devices', () => ({ items: rows, total: 2 })),
    ]);
    const r = await run(h, 'deployment', 'devices', 'dep-1', '--state', 'failed', '--overdue');
    expect(h.requests.at(-1)?.query).toEqual({ offset: '0', state: 'failed', overdue: 'true' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^HOSTNAME\s+STATE\s+EXIT\s+LAST RUN\s+NEXT RUN\s+REASON$/);
    expect(lines[2]).toMatch(
      /^web-02\s+failed \(overdue\)\s+3\s+10 min ago\s+-\s+EXIT_CODE: exit code 3 is not a success code$/,
    );
    const bad = site(lookups);
    expect((await run(bad, 'deployment', 'devices', 'dep-1', '--state', 'asleep')).code).toBe(2);
  });
});
