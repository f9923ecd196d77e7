import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRecord } from '@steward/protocol';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

/**
 * Reports with visible SQL from the command line (ADR 0053): the real `steward` binary against
 * a real site server process.
 */
describe('steward report (visible SQL) against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  const steward = (args: string[]) => exec(STEWARD, args, { env });
  const json = async (args: string[]): Promise<unknown> => {
    const r = await steward([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 1 });
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
      NO_COLOR: '1',
    };
  }, 180_000);
  afterAll(async () => {
    await site?.stop();
  });

  it('lists, shows and prints the SQL of the built-in reports', async () => {
    const list = await json(['report', 'list']);
    expect(Array.isArray(list) ? list.map((r) => (isRecord(r) ? r.id : null)) : []).toContain(
      'status-messages-for-computer',
    );
    const sql = await steward(['report', 'sql', 'status-messages-for-computer']);
    expect(sql.stdout).toContain('from v_status_message');
    expect(sql.stdout).toContain(':computer');
  });

  it('runs a report with parameters and streams CSV', async () => {
    const device = site.devices[0]?.name ?? '';
    const result = await json([
      'report',
      'run',
      'status-messages-for-computer',
      '--param',
      `computer=${device}`,
      '--param',
      'days=1',
    ]);
    expect(isRecord(result) && Array.isArray(result.rows) && result.rows.length).toBeGreaterThan(0);
    const created = await steward([
      'report',
      'custom',
      'create',
      'device-names',
      '--sql',
      'select device_name, os_family from v_device order by device_name',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const csv = await steward(['report', 'run', 'device-names', '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.startsWith('device_name,os_family\r\n')).toBe(true);
    expect(csv.stdout.split('\r\n')[1]?.startsWith(`${device},`)).toBe(true);
  });

  it('copies a built-in report, edits it, refuses writes, and deletes it', async () => {
    const copy = await json([
      'report',
      'custom',
      'create',
      'my-failures',
      '--from',
      'deployment-failures',
    ]);
    expect(copy).toMatchObject({ id: 'my-failures', builtIn: false, category: 'custom' });
    const edited = await json([
      'report',
      'custom',
      'edit',
      'my-failures',
      '--refresh-minutes',
      '5',
    ]);
    expect(edited).toMatchObject({ refreshMinutes: 5 });
    const bad = await steward([
      'report',
      'custom',
      'edit',
      'my-failures',
      '--sql',
      'delete from device',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/REPORT_SQL_REFUSED/);
    const secret = await steward([
      'report',
      'custom',
      'create',
      'secrets',
      '--sql',
      'select password_hash from admin_user',
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    const ran = await steward(['report', 'run', 'secrets']);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toMatch(/REPORT_SQL_REFUSED/);
    expect(ran.stdout).toBe('');
    const gone = await steward(['report', 'custom', 'delete', 'my-failures']);
    expect(gone.code, gone.stderr).toBe(0);
    const missing = await steward(['report', 'show', 'my-failures']);
    expect(missing.stderr).toMatch(/REPORT_NOT_FOUND/);
  });
});
