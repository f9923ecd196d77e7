import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ops, type CustomUpdate, type CustomUpdateInput } from '@steward/protocol';
import { exec, STEWARD } from '../../../../../test-support/site.js';
import { postgresReachable, testDialects } from '../../../test/support/db.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { inTransaction } from '../../db/database.js';
import { currentCatalogVersion } from '../compliance/catalog-version-repository.js';
import { CustomUpdateService } from './service.js';
import {
  insertPackage,
  refusal,
  startTestServer,
  type TestServer,
} from '../../../test/support/deployments.js';

// Custom updates through a real site's HTTP API on both dialects: the schema's validation, the
// identity rule, program references into the content library, and nothing half-written.
const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL is unreachable: postgres cases of custom-updates are SKIPPED');

const HASH = 'c'.repeat(64);
const acme = (over: Partial<CustomUpdateInput> = {}): CustomUpdateInput => ({
  title: 'Acme Agent 2.1 security fix',
  vendor: 'Acme',
  product: 'Agent',
  version: '2.1',
  classification: 'security',
  severity: 'high',
  references: { cves: ['CVE-2026-1234'], links: ['https://vendor.example.org/acme/2.1'] },
  detection: {
    match: 'all',
    rules: [
      { kind: 'package', package: 'acme-agent', minVersion: '2.1-1' },
      { kind: 'file-sha256', path: '/opt/acme/bin/acme', sha256: HASH },
    ],
  },
  applicability: { match: 'any', rules: [{ kind: 'file-exists', path: '/etc/acme' }] },
  ...over,
});

describe.each(testDialects)('custom updates on %s', (dialect) => {
  let t: TestServer;

  beforeEach(async (c) => {
    if (dialect === 'postgres' && !pgUp) c.skip();
    t = await startTestServer(dialect);
  }, 60_000);
  afterEach(async () => {
    await t?.stop();
  });

  async function program(name: string) {
    const packageId = await insertPackage(t.db, `acme-${name}`, { 'run.sh': 'exit 0\n' });
    return t.api.call(ops.programs.create, {
      params: { id: packageId },
      body: { name, commandLine: './run.sh' },
    });
  }

  it('creates, lists, changes and deletes a custom update with its programs', async () => {
    const install = await program('install');
    const uninstall = await program('uninstall');
    const made = await t.api.call(ops.customUpdates.createCustomUpdate, {
      body: acme({ installProgramId: install.id, uninstallProgramId: uninstall.id }),
    });
    expect(made).toMatchObject({
      kind: 'custom',
      vendor: 'Acme',
      product: 'Agent',
      version: '2.1',
      classification: 'security',
      severity: 'high',
      references: { cves: ['CVE-2026-1234'], links: ['https://vendor.example.org/acme/2.1'] },
      installProgram: { id: install.id, name: 'install', packageName: 'acme-install' },
      uninstallProgram: { id: uninstall.id, packageName: 'acme-uninstall' },
      createdBy: 'admin',
    });
    expect(made.detection.rules).toHaveLength(2);
    expect(made.applicability?.match).toBe('any');

    const listed = await t.api.call(ops.customUpdates.listCustomUpdates, {
      query: { search: 'acme' },
    });
    expect(listed.items.map((u) => u.id)).toEqual([made.id]);
    expect(listed.total).toBe(1);

    const changed = await t.api.call(ops.customUpdates.updateCustomUpdate, {
      params: { id: made.id },
      body: {
        applicability: null,
        detection: {
          match: 'any',
          rules: [{ kind: 'command', command: 'acme --check', exitCode: 0 }],
        },
        uninstallProgramId: null,
      },
    });
    expect(changed.applicability).toBeNull();
    expect(changed.detection).toEqual({
      match: 'any',
      // The declared default timeout is stored with the rule the agent will run.
      rules: [{ kind: 'command', command: 'acme --check', exitCode: 0, timeoutSeconds: 30 }],
    });
    expect(changed.uninstallProgram).toBeNull();
    expect(changed.installProgram?.id).toBe(install.id);
    expect(changed.title).toBe(made.title);

    await t.api.call(ops.customUpdates.deleteCustomUpdate, { params: { id: made.id } });
    expect(
      (await refusal(t.api.call(ops.customUpdates.getCustomUpdate, { params: { id: made.id } })))
        .code,
    ).toBe('CUSTOM_UPDATE_NOT_FOUND');
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', made.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'custom-update.create',
      'custom-update.update',
      'custom-update.delete',
    ]);
  });

  it('refuses invalid rules, a taken identity and an unknown program, writing nothing', async () => {
    const bad: [string, unknown][] = [
      ['relative path', { match: 'all', rules: [{ kind: 'file-exists', path: 'etc/acme' }] }],
      ['dot-dot path', { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/../etc' }] }],
      ['short hash', { match: 'all', rules: [{ kind: 'file-sha256', path: '/a', sha256: 'ab' }] }],
      [
        'bad version',
        { match: 'all', rules: [{ kind: 'package', package: 'x1', minVersion: 'v1' }] },
      ],
      [
        'long timeout',
        { match: 'all', rules: [{ kind: 'command', command: 'true', timeoutSeconds: 601 }] },
      ],
      ['no rules', { match: 'all', rules: [] }],
      ['unknown kind', { match: 'all', rules: [{ kind: 'registry', key: 'x' }] }],
      ['bad match', { match: 'most', rules: [{ kind: 'file-exists', path: '/a' }] }],
    ];
    for (const [what, detection] of bad) {
      const r = await refusal(
        t.api.call(ops.customUpdates.createCustomUpdate, {
          body: { ...acme(), detection } as CustomUpdateInput,
        }),
      );
      expect([what, r.status, r.code]).toEqual([what, 400, 'INVALID_INPUT']);
    }
    const r = await refusal(
      t.api.call(ops.customUpdates.createCustomUpdate, {
        body: acme({ installProgramId: 'no-such-program' }),
      }),
    );
    expect([r.status, r.code]).toEqual([400, 'CUSTOM_UPDATE_PROGRAM_NOT_FOUND']);
    expect(await count()).toBe(0);

    const first = await t.api.call(ops.customUpdates.createCustomUpdate, { body: acme() });
    const dup = await refusal(
      t.api.call(ops.customUpdates.createCustomUpdate, { body: acme({ title: 'Another' }) }),
    );
    expect([dup.status, dup.code]).toEqual([409, 'CUSTOM_UPDATE_EXISTS']);
    const other = await t.api.call(ops.customUpdates.createCustomUpdate, {
      body: acme({ version: '2.2' }),
    });
    const clash = await refusal(
      t.api.call(ops.customUpdates.updateCustomUpdate, {
        params: { id: other.id },
        body: { version: '2.1' },
      }),
    );
    expect(clash.code).toBe('CUSTOM_UPDATE_EXISTS');
    const badProgram = await refusal(
      t.api.call(ops.customUpdates.updateCustomUpdate, {
        params: { id: first.id },
        body: { title: 'changed', uninstallProgramId: 'gone' },
      }),
    );
    expect(badProgram.code).toBe('CUSTOM_UPDATE_PROGRAM_NOT_FOUND');
    const still = await t.api.call(ops.customUpdates.getCustomUpdate, { params: { id: first.id } });
    expect(still.title).toBe(acme().title);
    expect(await count()).toBe(2);
  });

  it('writes one catalog version for several custom updates written in one transaction', async () => {
    const ctx = t.server.ctx;
    if (!ctx) throw new Error('site server without a database');
    const start = await currentCatalogVersion(t.db);
    await t.api.call(ops.customUpdates.createCustomUpdate, { body: acme({ version: '1.0' }) });
    const one = await currentCatalogVersion(t.db);
    expect(one).toBe(start + 1);
    // An import writes its custom updates together: the agents see one change, not N.
    const custom = new CustomUpdateService(ctx);
    const at = new Date().toISOString();
    const versions = ['3.0', '3.1', '3.2', '3.3'];
    await inTransaction(t.db, async (tx) => {
      for (const version of versions)
        await custom.insert(tx, SYSTEM_ACTOR, randomUUID(), acme({ version }), at);
    });
    expect(await currentCatalogVersion(t.db)).toBe(one + 1);
    const rows = await t.db
      .selectFrom('update_catalog_version')
      .select(['version', 'custom_changed'])
      .where('version', '>', start)
      .orderBy('version')
      .execute();
    expect(rows.map((r) => [r.version, r.custom_changed])).toEqual([
      [one, 1],
      [one + 1, 1],
    ]);
    const listed = await t.api.call(ops.customUpdates.listCustomUpdates, {
      query: { vendor: 'Acme' },
    });
    expect(listed.total).toBe(1 + versions.length);
    // The next transaction is a change of its own: a new version again.
    await t.api.call(ops.customUpdates.createCustomUpdate, { body: acme({ version: '4.0' }) });
    expect(await currentCatalogVersion(t.db)).toBe(one + 2);
  });

  it('a deleted program leaves the update without it', async () => {
    const install = await program('install');
    const made = await t.api.call(ops.customUpdates.createCustomUpdate, {
      body: acme({ installProgramId: install.id }),
    });
    await t.api.call(ops.programs.remove, { params: { id: install.id } });
    const after = await t.api.call(ops.customUpdates.getCustomUpdate, { params: { id: made.id } });
    expect(after.installProgram).toBeNull();
  });

  it('is managed from the CLI with --json', async () => {
    const install = await program('install');
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: t.server.adminUrl,
      STEWARD_TOKEN: t.api.token ?? '',
    };
    const steward = async (...args: string[]) => {
      const r = await exec(STEWARD, args, { env });
      expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const made = JSON.parse(
      await steward(
        'update',
        'custom',
        'create',
        '--json',
        '--title',
        'Acme Agent 2.1',
        '--vendor',
        'Acme',
        '--product',
        'Agent',
        '--product-version',
        '2.1',
        '--severity',
        'critical',
        '--cve',
        'CVE-2026-1234',
        '--package',
        'acme-agent:amd64>=2.1-1',
        '--sha256',
        `/opt/acme/bin/acme=${HASH}`,
        '--command',
        'acme --self-test',
        '--timeout',
        '5',
        '--if-file',
        '/etc/acme',
        '--install-program',
        install.id,
      ),
    ) as CustomUpdate;
    expect(made).toMatchObject({
      severity: 'critical',
      references: { cves: ['CVE-2026-1234'], links: [] },
      detection: {
        match: 'all',
        rules: [
          { kind: 'package', package: 'acme-agent', architecture: 'amd64', minVersion: '2.1-1' },
          { kind: 'file-sha256', path: '/opt/acme/bin/acme', sha256: HASH },
          { kind: 'command', command: 'acme --self-test', timeoutSeconds: 5 },
        ],
      },
      applicability: { match: 'all', rules: [{ kind: 'file-exists', path: '/etc/acme' }] },
      installProgram: { id: install.id },
    });
    const listed = JSON.parse(await steward('update', 'custom', 'list', '--json')) as {
      items: CustomUpdate[];
    };
    expect(listed.items.map((u) => u.id)).toEqual([made.id]);
    expect(await steward('update', 'custom', 'show', made.id)).toContain(
      'command `acme --self-test` exits 0 (timeout 5 s)',
    );
    const set = JSON.parse(
      await steward(
        'update',
        'custom',
        'set',
        made.id,
        '--json',
        '--any',
        '--file',
        '/opt/acme/2.1',
        '--install-program',
        'none',
      ),
    ) as CustomUpdate;
    expect(set.detection).toEqual({
      match: 'any',
      rules: [{ kind: 'file-exists', path: '/opt/acme/2.1' }],
    });
    expect(set.installProgram).toBeNull();
    const incomplete = await exec(STEWARD, ['update', 'custom', 'create', '--title', 'x'], { env });
    expect(incomplete.code).toBe(2);
    expect(await count()).toBe(1);
    await steward('update', 'custom', 'delete', made.id);
    expect(await count()).toBe(0);
  });

  async function count(): Promise<number> {
    const r = await t.db
      .selectFrom('custom_update')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
});
