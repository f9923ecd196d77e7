import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, ops } from '@steward/protocol';
import { waitFor } from '../../../../test-support/site.js';
import { postgresReachable, testDialects } from '../../test/support/db.js';
import { startTestServer, type TestServer } from '../../test/support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of export.int.test.ts are SKIPPED');

const DAY = 86_400_000;
/** Devices inserted directly: 2,345 plain ones (three chunks of the list) and a few odd names. */
const PLAIN = 2_345;
const ODD = ['comma,name', 'quote"name', '=HYPERLINK("x")', 'two\nlines', '+1', '@sum', '-2'];

/** Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

describe.each(testDialects)('export of lists on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(dialect);
      const at = new Date(Date.now() - 40 * DAY).toISOString();
      const names = [
        ...Array.from({ length: PLAIN }, (_, i) => `plain-${String(i).padStart(5, '0')}`),
        ...ODD,
      ];
      const rows = names.map((name, i) => ({
        id: `exp-${String(i).padStart(5, '0')}`,
        name,
        key_hash: 'x',
        enrolled_at: at,
        ip_addresses: i === 0 ? '10.0.0.1,10.0.0.2' : '',
        package_count: i,
        inventory_resync: 0,
        last_contact_at: at,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await t.db
          .insertInto('device')
          .values(rows.slice(i, i + 500))
          .execute();
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
    });

    async function text(res: Response): Promise<string> {
      return res.text();
    }

    it('streams every device as CSV: a header, one record per row, across chunks', async () => {
      const res = await t.api.exportResponse(ops.exports.devices, { query: { sort: 'name' } });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="devices-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const records = parseCsv(await text(res));
      const header = records[0] ?? [];
      expect(header.slice(0, 3)).toEqual(['id', 'name', 'osFamily']);
      expect(records).toHaveLength(1 + PLAIN + ODD.length);
      const ids = new Set(records.slice(1).map((r) => r[0]));
      expect(ids.size).toBe(PLAIN + ODD.length);
      const nameAt = header.indexOf('name');
      const first = records.find((r) => r[0] === 'exp-00000') ?? [];
      expect(first[nameAt]).toBe('plain-00000');
      expect(first[header.indexOf('ipAddresses')]).toBe('10.0.0.1; 10.0.0.2');
      expect(first[header.indexOf('online')]).toBe('false');
    });

    it('quotes per RFC 4180 and neutralises spreadsheet formulas', async () => {
      const res = await t.api.exportResponse(ops.exports.devices, {
        query: { search: 'name' },
      });
      const body = await text(res);
      expect(body).toContain('"comma,name"');
      expect(body).toContain('"quote""name"');
      const records = parseCsv(body);
      const names = records.slice(1).map((r) => r[records[0]?.indexOf('name') ?? -1]);
      expect(names.sort()).toEqual(['comma,name', 'quote"name']);
      const allText = await text(await t.api.exportResponse(ops.exports.devices, {}));
      expect(allText).toContain('"two\nlines"');
      const all = parseCsv(allText);
      const nameAt = all[0]?.indexOf('name') ?? -1;
      const odd = all.slice(1).map((r) => r[nameAt] ?? '');
      expect(odd).toContain(`'=HYPERLINK("x")`);
      expect(odd).toContain("'+1");
      expect(odd).toContain("'@sum");
      expect(odd).toContain("'-2");
      // Numbers are written as they are, negative ones included: only text is neutralised.
      expect(all.slice(1).map((r) => r[all[0]?.indexOf('packageCount') ?? -1])).toContain('42');
    });

    it('honours the list filters and writes a JSON array of the rows', async () => {
      const res = await t.api.exportResponse(ops.exports.devices, {
        query: { search: 'plain-001', format: 'json' },
      });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/filename="devices-.*\.json"/);
      const rows: unknown = await res.json();
      expect(Array.isArray(rows)).toBe(true);
      const names = Array.isArray(rows) ? rows.map((r: { name?: unknown }) => r.name) : [];
      expect(names).toHaveLength(100);
      expect(names.every((n) => typeof n === 'string' && n.startsWith('plain-001'))).toBe(true);
      const empty = await t.api.exportResponse(ops.exports.devices, {
        query: { search: 'no such device', format: 'json' },
      });
      expect(await empty.json()).toEqual([]);
    });

    it('exports a collection’s members and reports, and refuses an unknown collection', async () => {
      // The devices were inserted behind the evaluator's back: evaluate, as an admin would.
      await t.api.evaluateCollection('all-systems');
      await waitFor('all members evaluated', async () => {
        const page = await t.api.collectionMembers('all-systems', { limit: 1 });
        return page.total === PLAIN + ODD.length;
      });
      const members = parseCsv(
        await text(
          await t.api.exportResponse(ops.exports.collectionMembers, {
            params: { id: 'all-systems' },
          }),
        ),
      );
      expect(members).toHaveLength(1 + PLAIN + ODD.length);
      const err = await t.api
        .exportResponse(ops.exports.collectionMembers, { params: { id: 'no-such' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      const inactive = parseCsv(
        await text(await t.api.exportResponse(ops.exports.inactiveClients, {})),
      );
      expect(inactive[0]).toEqual(ops.exports.inactiveClients.export.columns);
    });

    it('refuses an unknown format with a stable code', async () => {
      const err = await t.api
        .exportResponse(ops.exports.devices, { query: { format: 'xlsx' } })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'EXPORT_UNSUPPORTED_FORMAT' });
    });

    it('reads the audit log backwards by id in chunks (keyset)', async () => {
      const before = parseCsv(await text(await t.api.exportResponse(ops.exports.auditLog, {})));
      for (let i = 0; i < 3; i++)
        await t.api.createUser({
          name: `exporter-${dialect}-${i}`,
          password: 'export test password',
          role: 'read-only-analyst',
        });
      const after = parseCsv(await text(await t.api.exportResponse(ops.exports.auditLog, {})));
      expect(after.length - before.length).toBe(3);
      const ids = after.slice(1).map((r) => Number(r[0]));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
    });

    it('asks the list’s permission: an analyst may export devices, not the audit log', async () => {
      await t.api.createUser({
        name: `analyst-${dialect}`,
        password: 'analyst password',
        role: 'read-only-analyst',
      });
      const analyst = new ApiClient({ baseUrl: t.server.adminUrl });
      analyst.setToken((await analyst.login(`analyst-${dialect}`, 'analyst password')).token);
      const ok = await analyst.exportResponse(ops.exports.devices, { query: { search: 'comma' } });
      expect(parseCsv(await ok.text())).toHaveLength(2);
      const err = await analyst.exportResponse(ops.exports.auditLog, {}).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const anonymous = new ApiClient({ baseUrl: t.server.adminUrl });
      const refused = await anonymous
        .exportResponse(ops.exports.devices, {})
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 401 });
    });
  });
});
