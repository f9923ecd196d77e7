/**
 * Automatic deployment rules and rollups (issue 10, ADR 0072) with real parts: a signed upstream
 * apt repository on 127.0.0.1 synced by a real server, a Debian tracker advisory imported
 * through the API, an enrolled agent whose dpkg sandbox holds older versions (so the site's
 * applicability says what applies), and the rules run by the scheduler after a sync or on
 * demand. What a run made is read back through the API: the group, its published content,
 * the update deployments, the run history and the status messages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  armorKeyring,
  ops,
  type ApiClient,
  type UpdateRollup,
  type UpdateRule,
  type UpdateRuleBody,
  type UpdateRulePreview,
  type UpdateRuleRun,
} from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../test-support/apt-repo.js';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type Site,
} from '../../../test-support/site.js';

const SUITE = 'bookworm-security';
const HELLO_1: TestPackage = { name: 'hello-rule', version: '1.0-1' };
const HELLO_2: TestPackage = { name: 'hello-rule', version: '2.0-1' };
const TZ_1: TestPackage = { name: 'tzdata-rule', version: '2030a-1' };
const TZ_2: TestPackage = { name: 'tzdata-rule', version: '2031a-1' };
const CVE = 'CVE-2031-0001';

/** The Debian security tracker's JSON: the CVE is fixed in hello-rule 2.0-1, urgency high. */
const TRACKER = JSON.stringify({
  'hello-rule': {
    [CVE]: {
      description: 'hello-rule prints the wrong greeting',
      scope: 'remote',
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: HELLO_2.version },
          fixed_version: HELLO_2.version,
          urgency: 'high',
        },
      },
    },
  },
});

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp) console.warn('PostgreSQL is unreachable: the postgres case of update rules is SKIPPED');

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe.each(dialects)('automatic deployment rules on %s', (dialect) => {
  let dir: string;
  let upstream: string;
  let key: SigningKey;
  let http: { url: string; server: Server; requests: string[] };
  let site: Site;
  let api: ApiClient;
  let sourceId: string;
  const ids = { hello2: '', tz2: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-update-rules-'));
    upstream = join(dir, 'upstream');
    key = createSigningKey(dir);
    writeSuite(upstream, { suite: SUITE, key, packages: [HELLO_1, TZ_1] });
    http = await serveDirectory(upstream);
    const box = createDpkgSandbox(dir, 'root');
    installPackages(dir, box, [HELLO_1, TZ_1]);
    site = await createTestSite({ dialect, env: { STEWARD_AGENT_SYSTEM_ROOT: box.root } });
    api = site.api;
    const source = await api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Bookworm security',
        url: http.url,
        suite: SUITE,
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    sourceId = source.id;
    await syncAndWait([HELLO_1.version, TZ_1.version]);
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    const pilot = await api.createCollection({
      name: 'Pilot',
      rules: [{ kind: 'direct', deviceId: device.id }],
    });
    await api.createCollection({ name: 'Production', rules: [] });
    await waitFor(
      'the collection',
      async () => (await api.getCollection(pilot.id)).memberCount === 1,
    );
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    await new Promise((r) => http?.server.close(r));
    if (key) disposeSigningKey(key);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Syncs and waits for the current updates to be exactly these versions. */
  async function syncAndWait(versions: string[]) {
    await api.call(ops.updateCatalog.syncSource, { params: { id: sourceId } });
    return waitFor('the sync', async () => {
      const items = (await api.call(ops.updateCatalog.listUpdates, { query: { state: 'current' } }))
        .items;
      const have = items.map((u) => u.version).sort();
      return JSON.stringify(have) === JSON.stringify([...versions].sort()) ? items : undefined;
    });
  }

  const createRule = (body: Partial<UpdateRuleBody> & { name: string }) =>
    api.call(ops.updateRules.createUpdateRule, {
      body: { filter: {}, collectionIds: ['Pilot'], ...body },
    });
  const runNow = (id: string) => api.call(ops.updateRules.runUpdateRule, { params: { id } });
  const statusTexts = async (messageId: number) =>
    (await api.call(ops.status.listMessages, { query: { messageId } })).items.map((m) => m.text);

  it('runs after the sync that adds a security update: group, content and deployment', async () => {
    // A rule whose run is quick (its filter matches nothing), made first so it runs first.
    const watch = await createRule({ name: 'Sync watch', filter: { text: 'no-such-package' } });
    const rule: UpdateRule = await createRule({
      name: 'High security',
      filter: { classifications: ['security'], minSeverity: 'high' },
      deadlineAfterHours: 24,
      maxPostponeMinutes: 60,
    });
    expect(rule).toMatchObject({ runAfterSync: true, enabled: true, lastRun: null });
    await api.call(ops.advisories.importAdvisories, {
      query: { format: 'debian-tracker' },
      raw: { body: TRACKER },
    });
    writeSuite(upstream, { suite: SUITE, key, packages: [HELLO_1, HELLO_2, TZ_1, TZ_2] });
    const current = await syncAndWait([HELLO_2.version, TZ_2.version]);
    ids.hello2 = current.find((u) => u.version === HELLO_2.version)?.id ?? '';
    ids.tz2 = current.find((u) => u.version === TZ_2.version)?.id ?? '';
    expect(ids.hello2).not.toBe('');

    // The sync's end runs the rules at once (ADR 0081): the watch has run well before the
    // 30-second poll this replaced could have come round (that poll missed this 2 times in 3).
    const watched = await waitFor(
      'the quick rule run right after the sync',
      async () =>
        (await api.call(ops.updateRules.getUpdateRule, { params: { id: watch.id } })).lastRun ??
        undefined,
      10_000,
      100,
    );
    expect(watched).toMatchObject({ trigger: 'sync', outcome: 'nothing-new', matched: 0 });

    // The same pass runs the security rule by itself.
    const run = await waitFor(
      'the rule run after the sync',
      async () =>
        (await api.call(ops.updateRules.getUpdateRule, { params: { id: rule.id } })).lastRun ??
        undefined,
      120_000,
      500,
    );
    expect(run).toMatchObject({ trigger: 'sync', outcome: 'succeeded', matched: 1, added: 1 });
    expect(run.deploymentIds).toHaveLength(1);
    const group = await api.call(ops.updateGroups.getGroup, { params: { id: run.groupId ?? '' } });
    expect(group).toMatchObject({ name: 'High security', updateIds: [ids.hello2] });
    const deployment = await api.call(ops.updateDeployments.getUpdateDeployment, {
      params: { id: run.deploymentIds[0] ?? '' },
    });
    expect(deployment).toMatchObject({
      groupId: group.id,
      collectionName: 'Pilot',
      maxPostponeMinutes: 60,
      enabled: true,
      updates: [{ updateId: ids.hello2, removed: false }],
    });
    expect(deployment.deadline).not.toBeNull();
    expect(await statusTexts(52500)).toContainEqual(
      expect.stringContaining('"High security" ran (sync): 1 updates matched, 1 added'),
    );

    // Nothing new since: a run on demand deploys nothing and says so.
    const again = await runNow(rule.id);
    expect(again).toMatchObject({ trigger: 'manual', outcome: 'nothing-new', added: 0 });
    const nothingNew = await statusTexts(52501);
    expect(nothingNew).toHaveLength(2);
    expect(nothingNew).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"High security" ran (manual)'),
        expect.stringContaining('"Sync watch" ran (sync)'),
      ]),
    );
    const runs = await api.call(ops.updateRules.listUpdateRuleRuns, {
      params: { id: rule.id },
      query: {},
    });
    expect(runs.items.map((r) => r.outcome)).toEqual(['nothing-new', 'succeeded']);
    await api.call(ops.updateRules.deleteUpdateRule, { params: { id: watch.id } });
  }, 240_000);

  it('previews its filter live: CVE, severity, text, classification, age', async () => {
    const preview = async (filter: UpdateRuleBody['filter']) =>
      (await api.call(ops.updateRules.previewUpdateRule, { body: filter })).items.map((u) => u.id);
    expect(await preview({ cve: CVE })).toEqual([ids.hello2]);
    expect(await preview({ cve: 'CVE-2031-9999' })).toEqual([]);
    expect(await preview({ minSeverity: 'high' })).toEqual([ids.hello2]);
    expect(await preview({ minSeverity: 'critical' })).toEqual([]);
    expect(await preview({ text: 'tzdata' })).toEqual([ids.tz2]);
    expect(await preview({ classifications: ['updates', 'other'] })).toEqual([]);
    expect(await preview({ minAgeDays: 1 })).toEqual([]);
    expect((await preview({ sourceIds: [sourceId] })).sort()).toEqual([ids.hello2, ids.tz2].sort());
  });

  it('makes a new group each run, and refuses what cannot work', async () => {
    const rule = await createRule({
      name: 'Everything',
      groupMode: 'new-group',
      runAfterSync: false,
      deadlineAfterHours: 0,
    });
    const run = await runNow(rule.name);
    expect(run).toMatchObject({ outcome: 'succeeded', matched: 2, added: 2 });
    const group = await api.call(ops.updateGroups.getGroup, { params: { id: run.groupId ?? '' } });
    expect(group.name.startsWith('Everything ')).toBe(true);
    expect([...group.updateIds].sort()).toEqual([ids.hello2, ids.tz2].sort());
    const deployment = await api.call(ops.updateDeployments.getUpdateDeployment, {
      params: { id: run.deploymentIds[0] ?? '' },
    });
    expect(deployment.deadline).toBeNull();

    expect(await codeOf(createRule({ name: 'Everything' }))).toBe('UPDATE_RULE_NAME_TAKEN');
    expect(await codeOf(createRule({ name: 'Nowhere', collectionIds: ['Missing'] }))).toBe(
      'COLLECTION_NOT_FOUND',
    );
    expect(
      await codeOf(createRule({ name: 'Bad', groupMode: 'new-group', groupId: group.id })),
    ).toBe('UPDATE_RULE_INVALID');
    expect(
      await codeOf(createRule({ name: 'Bad source', filter: { sourceIds: ['no-such-source'] } })),
    ).toBe('UPDATE_RULE_INVALID');
    expect(await codeOf(runNow('no-such-rule'))).toBe('UPDATE_RULE_NOT_FOUND');
  }, 120_000);

  it('starts a phased rollout whose phases are update deployments, pre-production first', async () => {
    const rule = await createRule({
      name: 'Phased tzdata',
      filter: { text: 'tzdata' },
      collectionIds: ['Pilot', 'Production'],
      phased: { successPercent: 100, soakMinutes: 60, haltOnFailurePercent: 10 },
      runAfterSync: false,
    });
    const run = await runNow(rule.id);
    expect(run).toMatchObject({ outcome: 'succeeded', added: 1 });
    const rollout = await api.call(ops.phasedDeployments.get, {
      params: { id: run.phasedDeploymentId ?? '' },
    });
    expect(rollout).toMatchObject({ state: 'running', currentPhase: 0 });
    expect(rollout.phases.map((p) => p.collectionName)).toEqual(['Pilot', 'Production']);
    const first = rollout.phases[0]?.deploymentId;
    const updateDeployments = await api.call(ops.updateDeployments.listUpdateDeployments, {});
    const phase1 = updateDeployments.items.find((d) => d.deploymentId === first);
    expect(phase1).toMatchObject({ collectionName: 'Pilot', updates: [{ updateId: ids.tz2 }] });
    expect(run.deploymentIds).toEqual([phase1?.id]);
  }, 120_000);

  it('keeps a rollup per source equal to the latest applicable updates', async () => {
    // The agent's scan of its dpkg sandbox says what applies (its inventory is the host's).
    await api.call(ops.devices.requestAction, {
      params: { id: site.devices[0]?.id ?? '' },
      body: { action: 'updates:scan' },
    });
    const rollup = await waitFor('applicability of the synced updates', async () => {
      const r = await api.call(ops.updateRollups.getUpdateRollup, { params: { id: sourceId } });
      return r.updateIds.length === 2 ? r : undefined;
    });
    expect([...rollup.updateIds].sort()).toEqual([ids.hello2, ids.tz2].sort());
    expect(rollup).toMatchObject({ groupId: null, current: false });
    const refreshed = await api.call(ops.updateRollups.refreshUpdateRollup, {
      params: { id: sourceId },
    });
    expect(refreshed).toMatchObject({
      current: true,
      groupName: 'Rollup: Bookworm security (bookworm-security)',
    });
    const group = await api.call(ops.updateGroups.getGroup, {
      params: { id: refreshed.groupId ?? '' },
    });
    expect([...group.updateIds].sort()).toEqual([ids.hello2, ids.tz2].sort());
    // Deployable like any group: its content is published.
    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: { groupId: group.id, collectionId: 'Pilot' },
    });
    expect(d.updates).toHaveLength(2);
    const list = await api.call(ops.updateRollups.listUpdateRollups, {});
    expect(list.items.map((r) => r.sourceId)).toEqual([sourceId]);
    expect(await codeOf(api.call(ops.updateRollups.getUpdateRollup, { params: { id: 'x' } }))).toBe(
      'UPDATE_ROLLUP_NOT_FOUND',
    );
  }, 120_000);
  it('is driven from the CLI too, with --json', async () => {
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: api.token ?? '',
      NO_COLOR: '1',
    };
    const steward = async (...args: string[]) => {
      const r = await exec(STEWARD, args, { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    };
    const json = async <T>(...args: string[]) => JSON.parse(await steward(...args, '--json')) as T;

    const preview = await json<UpdateRulePreview>('update', 'rule', 'preview', '--text', 'hello');
    expect(preview.items.map((u) => u.id)).toEqual([ids.hello2]);
    const rule = await json<UpdateRule>(
      ...['update', 'rule', 'add', 'CLI hello', '--text', 'hello', '--collection', 'Pilot'],
      ...[
        '--new-group',
        '--no-after-sync',
        '--deadline-after-hours',
        '0',
        '--max-postpone-minutes',
        '30',
      ],
    );
    expect(rule).toMatchObject({
      filter: { text: 'hello' },
      groupMode: 'new-group',
      runAfterSync: false,
      deadlineAfterHours: 0,
      maxPostponeMinutes: 30,
    });
    const changed = await json<UpdateRule>('update', 'rule', 'set', 'CLI hello', '--disable');
    expect(changed.enabled).toBe(false);
    // A disabled rule still runs on demand.
    const run = await json<UpdateRuleRun>('update', 'rule', 'run', 'CLI hello');
    expect(run).toMatchObject({ trigger: 'manual', outcome: 'succeeded', added: 1 });
    const runs = await json<{ items: UpdateRuleRun[] }>('update', 'rule', 'runs', rule.id);
    expect(runs.items.map((r) => r.id)).toEqual([run.id]);
    expect(await steward('update', 'rule', 'list')).toMatch(/CLI hello\s+no\s+succeeded/);
    expect(await steward('update', 'rule', 'show', rule.id)).toContain('Filter');

    const rollups = await json<{ items: UpdateRollup[] }>('update', 'rollup', 'list');
    expect(rollups.items.map((r) => r.sourceId)).toEqual([sourceId]);
    const refreshed = await json<UpdateRollup>('update', 'rollup', 'refresh', 'Bookworm security');
    expect(refreshed).toMatchObject({ sourceId, current: true });
    expect(await steward('update', 'rollup', 'show', sourceId)).toMatch(/Current:\s+yes/);

    await steward('update', 'rule', 'delete', 'CLI hello');
    expect(await codeOf(api.call(ops.updateRules.getUpdateRule, { params: { id: rule.id } }))).toBe(
      'UPDATE_RULE_NOT_FOUND',
    );
  }, 120_000);
});
