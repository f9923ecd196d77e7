import { sql, type Insertable, type Selectable } from 'kysely';
import type { AuditLogTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';

export type AuditRow = Selectable<AuditLogTable>;

export async function insertAuditRow(db: Queryable, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditFilter {
  limit: number;
  before?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  user?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  text?: string | undefined;
}

/**
 * The audit log newest first, paged backwards with `before` (an id). `action` ending in "." is a
 * prefix (every action of a kind); `text` is a case-insensitive "contains" over the action, the
 * user, the target id and the details.
 */
export function listAuditRows(db: Queryable, opts: AuditFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.before) q = q.where('id', '<', Number(opts.before));
  if (opts.targetType) q = q.where('target_type', '=', opts.targetType);
  if (opts.targetId) q = q.where('target_id', '=', opts.targetId);
  if (opts.user) q = q.where('user_name', '=', opts.user);
  if (opts.action)
    q = opts.action.endsWith('.')
      ? q.where(sql<string>`substr(action, 1, ${opts.action.length})`, '=', opts.action)
      : q.where('action', '=', opts.action);
  // Times are ISO-8601 UTC text: compared as text they sort as times.
  if (opts.from) q = q.where('at', '>=', new Date(opts.from).toISOString());
  if (opts.to) q = q.where('at', '<', new Date(opts.to).toISOString());
  const { text } = opts;
  if (text !== undefined) {
    const pattern = containsPattern(text);
    q = q.where((eb) =>
      eb.or(
        [
          sql<string>`lower(action)`,
          sql<string>`lower(user_name)`,
          sql<string>`lower(target_id)`,
          // jsonb on PostgreSQL, text on SQLite: cast to text on both.
          sql<string>`lower(cast(details as text))`,
        ].map((column) => eb(column, 'like', sql<string>`${pattern} escape '\\'`)),
      ),
    );
  }
  return q.execute();
}

/** Distinct users, actions and target types, for the audit log's filters. */
export async function auditFacets(
  db: Queryable,
): Promise<{ users: string[]; actions: string[]; targetTypes: string[] }> {
  const distinct = async (column: 'user_name' | 'action' | 'target_type') =>
    (await db.selectFrom('audit_log').select(column).distinct().orderBy(column).execute()).map(
      (r) => r[column],
    );
  const [users, actions, targetTypes] = await Promise.all([
    distinct('user_name'),
    distinct('action'),
    distinct('target_type'),
  ]);
  return { users, actions, targetTypes };
}

/**
 * The tables of targets known by an id whose rows have a name: the audit log shows the name
 * (now) beside the id. Targets known by their name already (inventory classes, agent versions,
 * the site) are not here.
 */
const NAMED_TARGETS = {
  device: 'device',
  collection: 'collection',
  package: 'software_package',
  program: 'program',
  deployment: 'deployment',
  'phased-deployment': 'phased_deployment',
  user: 'admin_user',
  'distribution-point': 'distribution_point',
  'dp-group': 'dp_group',
  boundary: 'boundary',
  'boundary-group': 'boundary_group',
  'maintenance-window': 'maintenance_window',
  'client-settings-object': 'client_settings_object',
  'push-account': 'push_account',
  'update-source': 'update_source',
  view: 'saved_view',
} as const;

function isNamedTarget(type: string): type is keyof typeof NAMED_TARGETS {
  return Object.hasOwn(NAMED_TARGETS, type);
}

/** Names of the given targets that still exist, by `${type}\u0000${id}`. */
export async function auditTargetNames(
  db: Queryable,
  targets: readonly { type: string; id: string }[],
): Promise<Map<string, string>> {
  const byType = new Map<string, Set<string>>();
  for (const t of targets) {
    const ids = byType.get(t.type) ?? new Set<string>();
    ids.add(t.id);
    byType.set(t.type, ids);
  }
  const names = new Map<string, string>();
  for (const [type, ids] of byType) {
    const list = [...ids];
    let rows: { id: string; name: string }[];
    if (type === 'enrolment-token')
      rows = (
        await db
          .selectFrom('enrolment_token')
          .select(['id', 'description'])
          .where('id', 'in', list)
          .execute()
      ).map((r) => ({ id: r.id, name: r.description }));
    else if (isNamedTarget(type))
      rows = await db
        .selectFrom(NAMED_TARGETS[type])
        .select(['id', 'name'])
        .where('id', 'in', list)
        .execute();
    else continue;
    for (const r of rows) if (r.name) names.set(`${type}\u0000${r.id}`, r.name);
  }
  return names;
}
