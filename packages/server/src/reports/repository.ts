import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { ReportCustomTable } from '../db/tables/index.js';

/** The reports domain's SQL: custom reports (ADR 0017). */
export type CustomReportRow = Selectable<ReportCustomTable>;

export async function listCustomReports(db: Queryable): Promise<CustomReportRow[]> {
  return db.selectFrom('report_custom').selectAll().orderBy('title').orderBy('id').execute();
}

export async function findCustomReport(
  db: Queryable,
  id: string,
): Promise<CustomReportRow | undefined> {
  return db.selectFrom('report_custom').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCustomReport(
  db: Queryable,
  row: Insertable<ReportCustomTable>,
): Promise<void> {
  await db.insertInto('report_custom').values(row).execute();
}

export async function updateCustomReport(
  db: Queryable,
  id: string,
  patch: Updateable<ReportCustomTable>,
): Promise<void> {
  await db.updateTable('report_custom').set(patch).where('id', '=', id).execute();
}

export async function deleteCustomReport(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('report_custom').where('id', '=', id).execute();
}
