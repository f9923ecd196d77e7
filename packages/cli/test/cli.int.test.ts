import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

/** The scripting contract of issue 2, run as an administrator's script would: real processes. */
describe('steward CLI against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  const steward = async (args: string[], input?: string) =>
    exec(STEWARD, args, { env, ...(input === undefined ? {} : { input }) });
  const json = async (args: string[]): Promise<unknown> => {
    const r = await steward([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 1 });
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      NO_COLOR: '1',
      STEWARD_SERVER: '',
      STEWARD_TOKEN: '',
    };
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('signs in with --password-stdin and keeps the session', async () => {
    const bad = await steward(
      ['login', '--server', site.adminUrl, '--user', 'admin', '--password-stdin'],
      'wrong\n',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/error INVALID_CREDENTIALS/);
    expect(bad.stdout).toBe('');
    const ok = await steward(
      ['login', '--server', site.adminUrl, '--user', 'admin', '--password-stdin'],
      `${site.adminPassword}\n`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(await json(['whoami'])).toMatchObject({ name: 'admin', role: 'full-administrator' });
  });

  it('creates an enrolment token as JSON with the token string', async () => {
    const token = (await json([
      'token',
      'create',
      '--description',
      'from a script',
      '--max-uses',
      '5',
    ])) as { token: string; maxUses: number };
    expect(token.token).toMatch(/^stw1\./);
    expect(token.maxUses).toBe(5);
  });

  it('lists and shows devices with their inventory', async () => {
    const list = (await json(['device', 'list'])) as {
      items: { id: string; name: string }[];
      total: number;
    };
    expect(list.total).toBe(1);
    const device = list.items[0];
    const shown = (await json(['device', 'show', device?.name ?? ''])) as {
      id: string;
      inventory: Record<string, unknown[]>;
      packageCount: number;
    };
    expect(shown.id).toBe(device?.id);
    expect(shown.packageCount).toBeGreaterThan(0);
    expect(Object.keys(shown.inventory)).toEqual(
      expect.arrayContaining(['os', 'machine', 'cpu', 'memory', 'disk']),
    );
  });

  it('creates a collection from a query and lists its members', async () => {
    const created = (await json([
      'collection',
      'create',
      'Debian from CLI',
      '--query',
      'os.family = "debian" and any(package, name = "dpkg")',
    ])) as { id: string; memberCount: number };
    expect(created.memberCount).toBe(1);
    const members = (await json(['collection', 'members', 'Debian from CLI'])) as
      { items: { id: string }[] } | { id: string }[];
    const items = Array.isArray(members) ? members : members.items;
    expect(items.map((d) => d.id)).toEqual([site.devices[0]?.id]);
  });

  it('filters the audit log by user, kind of action, time and text, naming the target', async () => {
    const entries = (await json([
      'audit',
      'list',
      '--user',
      'admin',
      '--action',
      'collection.',
      '--since',
      '1h',
      '--text',
      'DEBIAN FROM cli',
    ])) as { action: string; targetName: string | null }[];
    expect(entries.map((e) => [e.action, e.targetName])).toEqual([
      ['collection.create', 'Debian from CLI'],
    ]);
    // A time in the future leaves nothing; a bad time is refused before any request.
    expect(await json(['audit', 'list', '--since', '2999-01-01T00:00:00Z'])).toEqual([]);
    const bad = await steward(['audit', 'list', '--since', 'yesterday']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/ISO 8601/);
  });

  it('sends a client notification to every member of a collection', async () => {
    expect(await json(['collection', 'collect-inventory', 'Debian from CLI'])).toMatchObject({
      devices: 1,
      action: 'inventory:collect',
    });
  });

  it('reports query errors with their code on stderr and a non-zero exit', async () => {
    const r = await steward([
      'collection',
      'create',
      'Broken',
      '--query',
      'os.family = ',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error QUERY_SYNTAX/);
    expect(r.stdout).toBe('');
    const dup = await steward([
      'collection',
      'create',
      'Debian from CLI',
      '--query',
      'os.family = "debian"',
    ]);
    expect(dup.stderr).toMatch(/error COLLECTION_NAME_TAKEN/);
  });

  it('lists status messages and changes site settings', async () => {
    const status = (await json(['status', 'list', '--limit', '20'])) as
      { items: { messageId: number }[] } | { messageId: number }[];
    const items = Array.isArray(status) ? status : status.items;
    expect(items.some((m) => m.messageId === 40001)).toBe(true);
    const defaults = {
      inactivePolicyRequestDays: 7,
      inactiveHeartbeatDays: 7,
      inactiveHardwareInventoryDays: 7,
      inactiveSoftwareInventoryDays: 7,
      inactiveStatusMessageDays: 7,
      activityProbePort: 22,
      obsoleteAfterDays: 90,
      removeObsoleteDevices: false,
      statusMessageRetentionDays: 90,
      expireSupersededUpdates: true,
      supersededUpdateExpiryDays: 90,
    };
    expect(await json(['site-settings', 'set', '--inactive-heartbeat-days', '14'])).toEqual({
      ...defaults,
      inactiveHeartbeatDays: 14,
    });
    expect(
      await json(['site-settings', 'set', '--status-retention-days', '30', '--remove-obsolete']),
    ).toEqual({
      ...defaults,
      inactiveHeartbeatDays: 14,
      statusMessageRetentionDays: 30,
      removeObsoleteDevices: true,
    });
    await json(['site-settings', 'set', '--no-remove-obsolete', '--inactive-heartbeat-days', '7']);
  });

  it('serves the OpenAPI document of every admin route without a session', async () => {
    const res = await fetch(`${site.adminUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/devices',
      '/api/v1/collections',
      '/api/v1/status-messages',
      '/api/v1/enrolment-tokens',
      '/api/v1/monitoring/client-activity',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('works from STEWARD_SERVER and STEWARD_TOKEN alone', async () => {
    const r = await exec(STEWARD, ['device', 'list', '--json'], {
      env: {
        STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { total: number }).total).toBe(1);
  });
});
