import { describe, expect, it } from 'vitest';
import { createHarness, route, run, type Route } from '../../test/support/harness.js';
import { collection } from '../../test/support/fixtures.js';
import { phased, program } from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });
const lookups: Route[] = [
  route('GET', '/programs/:id', () => program()),
  route('GET', '/collections/:id', (_r, [n]) => collection({ id: `c-${n ?? ''}`, name: n ?? '' })),
  route('GET', '/phased-deployments/:id', () => phased()),
];

describe('phased-deployment', () => {
  it('create parses phases and passes deployment settings', async () => {
    const h = site([...lookups, route('POST', '/phased-deployments', () => phased())]);
    const r = await run(
      h,
      'phased-deployment',
      'create',
      '--name',
      'FF rollout',
      '--program',
      'prog-1',
      '--phase',
      'Pilot:90%:60',
      '--phase',
      'All Systems:95:0',
      '--halt-on-failure',
      '10%',
      '--at',
      '2025-07-01T22:00',
      '--override-windows',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(h.requests.at(-1)?.body).toEqual({
      name: 'FF rollout',
      programId: 'prog-1',
      haltOnFailurePercent: 10,
      phases: [
        { collectionId: 'Pilot', successPercent: 90, soakMinutes: 60 },
        { collectionId: 'All Systems', successPercent: 95, soakMinutes: 0 },
      ],
      deployment: {
        triggers: [{ type: 'at', start: '2025-07-01T22:00' }],
        overrideMaintenanceWindows: true,
      },
    });
  });

  it('refuses bad phase specs before any request', async () => {
    const base = [
      'phased-deployment',
      'create',
      '--name',
      'x',
      '--program',
      'p',
      '--halt-on-failure',
      '10',
    ];
    for (const [extra, message] of [
      [[], 'give at least one --phase COLLECTION:SUCCESS%:SOAKMINUTES'],
      [
        ['--phase', 'Pilot:90'],
        '--phase must be COLLECTION:SUCCESS%:SOAKMINUTES (e.g. "Pilot:90%:60"); got "Pilot:90"',
      ],
      [['--phase', 'Pilot:101%:0'], '--phase success percent must be between 1 and 100, got 101'],
    ] as const) {
      const h = site(lookups);
      expect(await run(h, ...base, ...extra)).toMatchObject({
        code: 2,
        stderr: `error USAGE: ${message}\n`,
      });
      expect(h.requests).toHaveLength(0);
    }
    const h = site(lookups);
    const r = await run(
      h,
      'phased-deployment',
      'create',
      '--name',
      'x',
      '--program',
      'p',
      '--phase',
      'A:90:0',
      '--halt-on-failure',
      '0',
    );
    expect(r.stderr).toBe('error USAGE: --halt-on-failure must be between 1 and 100, got 0\n');
  });

  it('show draws every phase with its state and the current one marked', async () => {
    const h = site(lookups);
    const r = await run(h, 'phased-deployment', 'show', 'ph-1');
    const phases = r.stdout.slice(r.stdout.indexOf('Phases (3)')).split('\n');
    expect(phases[1]).toMatch(
      /^  {2}1  Pilot\s+completed  █{20}  100% succeeded, 0% failed of 10 devices \(needs 90%, soak 60 min\); done 2 h ago$/,
    );
    expect(phases[2]).toMatch(
      /^▶  2  Web servers\s+running\s+█{10}░{10}  50% succeeded, 10% failed of 10 devices \(needs 95%, soak 120 min\); started 2 h ago$/,
    );
    expect(phases[3]).toMatch(/^  {2}3  All Systems\s+waiting\s+needs 95%, soak 0 min$/);
    expect(r.stdout).not.toContain('Halted');
  });

  it('show says why a rollout halted', async () => {
    const h = site([
      route('GET', '/phased-deployments/:id', () =>
        phased({ state: 'halted', haltReason: 'phase 2 (Web servers): 12% failed, above 10%' }),
      ),
    ]);
    const r = await run(h, 'phased-deployment', 'show', 'ph-1');
    expect(r.stdout).toMatch(/State:\s+halted/);
    expect(r.stdout).toContain('\nHalted: phase 2 (Web servers): 12% failed, above 10%\n');
    expect(r.stderr).toBe('Resume with "steward phased-deployment resume ph-1".\n');
  });

  it('halt sends the reason; resume says where it continues', async () => {
    const h = site([
      ...lookups,
      route('POST', '/phased-deployments/:id/halt', () =>
        phased({ state: 'halted', haltReason: 'bad build' }),
      ),
    ]);
    expect(
      (await run(h, 'phased-deployment', 'halt', 'ph-1', '--reason', 'bad build')).stdout,
    ).toBe('Phased deployment Firefox rollout halted: bad build.\n');
    expect(h.requests.at(-1)?.body).toEqual({ reason: 'bad build' });
    const r = site([...lookups, route('POST', '/phased-deployments/:id/resume', () => phased())]);
    expect((await run(r, 'phased-deployment', 'resume', 'ph-1')).stdout).toBe(
      'Phased deployment Firefox rollout resumed at phase 2.\n',
    );
  });
});
