import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { AppError, REPORT_VIEWS, type ErrorCode } from '@steward/protocol';
import {
  createTestContext,
  POSTGRES_URL,
  postgresReachable,
  testDialects,
} from '../../test/support/db.js';
import { ADMIN, ANALYST, countRows } from '../../test/support/collections.js';
import type { SiteContext } from '../context.js';
import type { Db } from '../db/database.js';
import { currentPlace, reportRoleName } from './role-repository.js';
import { sandboxFor } from './sandbox.js';
import { ReportService } from './service.js';

// Reports with visible SQL on both dialects (ADRs 0053, 0054): the built-in reports over the
// report views, custom reports, and the read-only sandbox holding against writes, secret
// tables, several statements, runaway queries and huge results.
const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL is unreachable: the postgres cases of reports are SKIPPED');

const AT = '2026-12-01T10:00:00.000Z';
const NOW = new Date('2026-12-06T12:00:00.000Z');
const clock = { now: () => NOW };

async function refusal(p: Promise<unknown>): Promise<ErrorCode | string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ran';
}

async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  await k
    .insertInto('admin_user')
    .values({
      id: 'u-secret',
      name: 'carol',
      password_hash: 'scrypt$SECRET-HASH',
      role: 'full-administrator',
      disabled: 0,
      created_at: AT,
      last_login_at: null,
    })
    .execute();
  for (const [id, name] of [
    ['d-1', 'web-01'],
    ['d-2', 'db-01'],
  ] as const)
    await k
      .insertInto('device')
      .values({ id, name, key_hash: `KEY-HASH-${id}`, enrolled_at: AT })
      .execute();
  await k
    .insertInto('update_source')
    .values({
      id: 'us-1',
      name: 'bookworm-security',
      url: 'http://127.0.0.1:1/debian-security',
      suite: 'bookworm-security',
      components: '["main"]',
      architectures: '["amd64"]',
      keyring: 'k',
      sync_interval_hours: 168,
      enabled: 1,
      created_at: AT,
      created_by: 'alice',
      last_sync_id: 'sy-1',
    })
    .execute();
  await k
    .insertInto('update_sync')
    .values({
      id: 'sy-1',
      source_id: 'us-1',
      state: 'failed',
      trigger: 'scheduled',
      requested_by: 'system',
      started_at: AT,
      progress_at: AT,
      finished_at: AT,
      failure: 'bad-signature',
      error: 'Release signed by an unknown key',
    })
    .execute();
  const message = (device: string, machine: string, at: string, id: number) => ({
    message_id: id,
    severity: 'informational' as const,
    type: 'milestone' as const,
    component: 'agent',
    device_id: device,
    device_seq: null,
    machine,
    site_code: 'T01',
    at,
    received_at: at,
    insertion_strings: '[]',
    attributes: '{}',
  });
  await k
    .insertInto('status_message')
    .values([
      message('d-1', 'web-01', '2026-12-05T09:00:00.000Z', 10002),
      message('d-1', 'web-01', '2026-11-01T09:00:00.000Z', 10003),
      message('d-2', 'db-01', '2026-12-05T09:00:00.000Z', 10004),
    ])
    .execute();
}

describe.each(testDialects)('reports with visible SQL (%s)', (dialect) => {
  let ctx: SiteContext;
  let cleanup = () => Promise.resolve();
  let reports: ReportService;
  const skip = dialect === 'postgres' && !pgUp;

  beforeAll(async () => {
    if (skip) return;
    const made = await createTestContext(dialect, clock);
    ctx = made.ctx;
    cleanup = made.cleanup;
    reports = new ReportService(ctx);
    await seed(ctx.db);
  }, 60_000);

  afterAll(async () => {
    if (skip) return;
    let role: string | undefined;
    if (dialect === 'postgres') {
      const here = await currentPlace(ctx.db);
      role = reportRoleName(here.database, here.schema);
    }
    await cleanup();
    if (role) {
      // The role outlives the test schema; drop it so test runs leave no roles behind.
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop role if exists "${role}"`);
      await c.end();
    }
  });

  /** What a refused attempt must leave: the same rows everywhere it could have written. */
  async function unchanged(): Promise<number[]> {
    return Promise.all(
      (['admin_user', 'device', 'status_message', 'report_custom'] as const).map((t) =>
        countRows(ctx.db.kysely, t),
      ),
    );
  }

  it.skipIf(skip)('every documented view exists and reads on this dialect', async () => {
    for (const view of REPORT_VIEWS) {
      const out = await sandboxFor(ctx.db).run({
        sql: `select * from ${view.name}`,
        values: {},
        rowLimit: 10,
        timeoutMs: 10_000,
        views: REPORT_VIEWS.map((v) => v.name),
      });
      expect(out, view.name).toMatchObject({ ok: true });
      if (out.ok) expect(out.columns).toEqual(view.columns.map((c) => c.name));
    }
  });

  it.skipIf(skip)('runs the built-in infrastructure report over v_update_source_sync', async () => {
    const r = await reports.run(ANALYST, 'update-infrastructure-status', {});
    expect(r.columns).toContain('last_sync_state');
    const i = r.columns.indexOf('last_sync_error');
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]?.[i]).toBe('Release signed by an unknown key');
    const n = r.columns.indexOf('current_update_count');
    expect(r.rows[0]?.[n]).toBe(0);
  });

  it.skipIf(skip)('binds "last N days" and a computer by name or id', async () => {
    const byName = await reports.run(ANALYST, 'status-messages-for-computer', {
      parameters: { computer: 'web-01', days: 7 },
    });
    const m = byName.columns.indexOf('message_id');
    expect(byName.rows.map((r) => r[m])).toEqual([10002]);
    const longer = await reports.run(ANALYST, 'status-messages-for-computer', {
      parameters: { computer: 'd-1', days: 60 },
    });
    expect(longer.rows.map((r) => r[m])).toEqual([10002, 10003]);
    // An injection attempt is a value, compared as text: nothing matches, nothing breaks.
    const injected = await reports.run(ANALYST, 'status-messages-for-computer', {
      parameters: { computer: "x' or '1'='1", days: 60 },
    });
    expect(injected.rows).toEqual([]);
    expect(
      await refusal(reports.run(ANALYST, 'status-messages-for-computer', { parameters: {} })),
    ).toBe('REPORT_PARAMETER_INVALID');
    expect(
      await refusal(
        reports.run(ANALYST, 'status-messages-for-computer', {
          parameters: { computer: 'web-01', days: 0 },
        }),
      ),
    ).toBe('REPORT_PARAMETER_INVALID');
  });

  it.skipIf(skip)('an optional parameter left out matches everything', async () => {
    const r = await reports.run(ANALYST, 'deployment-failures', {});
    expect(r.rows).toEqual([]);
    expect(r.columns[0]).toBe('deployment_name');
  });

  it.skipIf(skip)(
    'custom reports: administrators write them, audited; analysts run them',
    async () => {
      const input = {
        id: 'devices-by-name',
        title: 'Devices named like',
        sql: 'select device_name from v_device where device_name like :pattern order by device_name;',
        parameters: [
          {
            name: 'pattern',
            label: 'Pattern',
            type: 'text' as const,
            required: true,
            default: '%',
          },
        ],
      };
      expect(await refusal(reports.createCustom(ANALYST, input))).toBe('FORBIDDEN');
      const made = await reports.createCustom(ADMIN, input);
      expect(made).toMatchObject({ builtIn: false, category: 'custom', refreshMinutes: 15 });
      const r = await reports.run(ANALYST, 'devices-by-name', {});
      expect(r.rows).toEqual([['db-01'], ['web-01']]);
      await reports.updateCustom(ADMIN, 'devices-by-name', { refreshMinutes: 5 });
      expect((await reports.get(ANALYST, 'devices-by-name')).refreshMinutes).toBe(5);
      expect(await refusal(reports.createCustom(ADMIN, input))).toBe('REPORT_ID_TAKEN');
      expect(
        await refusal(
          reports.createCustom(ADMIN, { ...input, id: 'update-infrastructure-status' }),
        ),
      ).toBe('REPORT_ID_TAKEN');
      expect(
        await refusal(reports.updateCustom(ADMIN, 'deployment-failures', { title: 'x' })),
      ).toBe('REPORT_BUILT_IN');
      expect(
        await refusal(
          reports.createCustom(ADMIN, { ...input, id: 'x-undeclared', parameters: [] }),
        ),
      ).toBe('REPORT_SQL_INVALID');
      await reports.deleteCustom(ADMIN, 'devices-by-name');
      expect(await refusal(reports.get(ANALYST, 'devices-by-name'))).toBe('REPORT_NOT_FOUND');
      const audit = await ctx.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_type', '=', 'report')
        .orderBy('id')
        .execute();
      expect(audit.map((a) => a.action)).toEqual([
        'report.create',
        'report.update',
        'report.delete',
      ]);
    },
  );

  const WRITES = [
    'insert into device (id, name, key_hash, enrolled_at) values (1, 2, 3, 4)',
    "update admin_user set password_hash = 'x'",
    'delete from status_message',
    'drop table device',
    'drop view v_device',
    "attach database 'elsewhere.db' as other",
    'pragma query_only = 0',
    'create table t (x int)',
    'select 1; delete from device',
    'with gone as (delete from device returning id) select * from gone',
    'vacuum',
  ];

  it.skipIf(skip)(
    'refuses writes and several statements, at the door and in the sandbox',
    async () => {
      const before = await unchanged();
      for (const text of WRITES) {
        const created = await refusal(
          reports.createCustom(ADMIN, { id: 'attempt', title: 'attempt', sql: text }),
        );
        if (created === 'ran') {
          // Only the WITH form passes the door: the sandbox refuses it when it runs.
          expect(text).toMatch(/^with/);
          expect(['REPORT_SQL_REFUSED', 'REPORT_SQL_INVALID']).toContain(
            await refusal(reports.run(ADMIN, 'attempt', {})),
          );
          await reports.deleteCustom(ADMIN, 'attempt');
        } else expect(created, text).toBe('REPORT_SQL_REFUSED');
        // The sandbox on its own, without the checks in front of it, refuses too.
        const out = await sandboxFor(ctx.db).run({
          sql: text,
          values: {},
          rowLimit: 10,
          timeoutMs: 10_000,
          views: REPORT_VIEWS.map((v) => v.name),
        });
        expect(out.ok, text).toBe(false);
      }
      expect(await unchanged()).toEqual([before[0], before[1], before[2], before[3]]);
    },
  );

  it.skipIf(skip)('cannot read tables that are not report views', async () => {
    const secrets = [
      'select password_hash from admin_user',
      'select key_hash from device',
      'select count(*) from admin_user',
      'select device_name from v_device where exists (select 1 from admin_user)',
      'select * from site_setting',
      'select * from report_custom',
      ...(dialect === 'postgres'
        ? [
            "select query_to_xml('select password_hash from admin_user', true, true, '')",
            "select set_config('role', session_user, false)",
          ]
        : ["select * from pragma_table_info('admin_user') where 0"]),
    ];
    for (const text of secrets) {
      const out = await sandboxFor(ctx.db).run({
        sql: text,
        values: {},
        rowLimit: 10,
        timeoutMs: 10_000,
        views: REPORT_VIEWS.map((v) => v.name),
      });
      if (out.ok) {
        // Only the catalog's description of a table may come back, never its rows.
        expect(text).toMatch(/pragma_table_info|set_config/);
        expect(JSON.stringify(out.rows)).not.toMatch(/SECRET|KEY-HASH/);
      } else expect(out.kind, `${text}: ${out.message}`).toBe('refused');
    }
    // set_config('role') changed nothing: the session is still the report role.
    if (dialect === 'postgres') {
      const out = await sandboxFor(ctx.db).run({
        sql: "select set_config('role', session_user, false) as r, (select count(*) from admin_user) as n",
        values: {},
        rowLimit: 10,
        timeoutMs: 10_000,
        views: REPORT_VIEWS.map((v) => v.name),
      });
      expect(out.ok).toBe(false);
    }
  });

  it.skipIf(skip)(
    'stops a runaway query at its time limit and the site keeps answering',
    async () => {
      await reports.createCustom(ADMIN, {
        id: 'runaway',
        title: 'Cartesian runaway',
        sql: `with recursive c(x) as (select 1 union all select x + 1 from c)
select count(*) from c a, c b`,
        timeoutSeconds: 1,
      });
      const started = Date.now();
      expect(await refusal(reports.run(ADMIN, 'runaway', {}))).toBe('REPORT_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(8_000);
      const r = await reports.run(ANALYST, 'update-infrastructure-status', {});
      expect(r.rows).toHaveLength(1);
      await reports.deleteCustom(ADMIN, 'runaway');
    },
    20_000,
  );

  it.skipIf(skip)(
    'cuts a huge result at the row limit and says so',
    async () => {
      await reports.createCustom(ADMIN, {
        id: 'huge',
        title: 'Huge',
        sql: `with recursive c(x) as (select 1 union all select x + 1 from c where x < 200000)
select x from c`,
      });
      const r = await reports.run(ADMIN, 'huge', { rowLimit: 1000 });
      expect(r.rows).toHaveLength(1000);
      expect(r.truncated).toBe(true);
      expect(r.rows[999]).toEqual([1000]);
      await reports.deleteCustom(ADMIN, 'huge');
    },
    20_000,
  );
});
