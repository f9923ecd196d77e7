/**
 * An automatic deployment rule with an interval runs at its next due time by the trigger's timer
 * (ADR 0081), with nothing else happening: no sync, no change to it, no poll. The site runs in
 * its own process on a clock the test moves (STEWARD_TEST_CLOCK_FILE: the written instant plus
 * the real time since). The rule is created at T0 with a 1-hour interval; the clock moves to a
 * few seconds before T0 + 1 h and a change to ANOTHER rule makes the trigger re-arm its timer
 * (it re-arms after every pass), so the timer is the only thing left that can run the rule.
 * The test waits for the run to appear (an observable effect, not a sleep) and checks it ran
 * with the trigger `schedule`, not before its due time, and that the next due time moved on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type ApiClient } from '@steward/protocol';
import { createTestSite, pgReachable, waitFor, type Site } from '../../../test-support/site.js';
import { deviceCollection } from '../../../test-support/update-fixture.js';

const HOUR = 3600_000;
/** How far before the due time the clock is put: the timer's delay, in real seconds. */
const LEAD_MS = 3_000;
const T0 = Date.parse('2031-09-01T06:00:00.000Z');

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres case of the rule timer is SKIPPED');

describe.each(dialects)('an interval rule run by its timer on %s', (dialect) => {
  let dir: string;
  let site: Site;
  let api: ApiClient;
  let clockFile: string;
  const setClock = (ms: number) => writeFileSync(clockFile, new Date(ms).toISOString());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-rule-timer-'));
    clockFile = join(dir, 'clock');
    setClock(T0);
    site = await createTestSite({ dialect, env: { STEWARD_TEST_CLOCK_FILE: clockFile } });
    api = site.api;
    await deviceCollection(api, 'Timer targets', []);
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs at created + interval, with the trigger "schedule", and moves its next run on', async () => {
    const rule = await api.call(ops.updateRules.createUpdateRule, {
      body: {
        name: 'Hourly',
        filter: { text: 'no-such-package' },
        collectionIds: ['Timer targets'],
        runAfterSync: false,
        intervalHours: 1,
      },
    });
    const due = Date.parse(rule.nextRunAt ?? '');
    expect(due - Date.parse(rule.createdAt)).toBe(HOUR);
    const runs = async () =>
      (await api.call(ops.updateRules.listUpdateRuleRuns, { params: { id: rule.id }, query: {} }))
        .items;

    setClock(due - LEAD_MS);
    // A change to another rule is a pass (nothing is due) after which the timer is re-armed from
    // the moved clock: LEAD_MS from now.
    const other = await api.call(ops.updateRules.createUpdateRule, {
      body: {
        name: 'Sync only',
        filter: { text: 'no-such-package' },
        collectionIds: ['Timer targets'],
      },
    });
    expect(await runs()).toEqual([]);

    const [run] = await waitFor(
      'the interval rule to run by its timer',
      async () => {
        const items = await runs();
        return items.length > 0 ? items : undefined;
      },
      60_000,
    );
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'nothing-new' });
    expect(Date.parse(run?.startedAt ?? '')).toBeGreaterThanOrEqual(due);
    const after = await api.call(ops.updateRules.getUpdateRule, { params: { id: rule.id } });
    expect(Date.parse(after.nextRunAt ?? '')).toBeGreaterThanOrEqual(due + HOUR);
    // The sync-only rule had nothing to do: no sync happened.
    expect(
      (await api.call(ops.updateRules.listUpdateRuleRuns, { params: { id: other.id }, query: {} }))
        .items,
    ).toEqual([]);
  }, 120_000);
});
