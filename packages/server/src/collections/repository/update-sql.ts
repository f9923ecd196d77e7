import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The `update` pseudo-class of the query language (ADR 0063): any(update, <condition>) holds
 * for a device when one of its update compliance rows satisfies the condition, with the basis
 * resolved as v_update_compliance and the compliance API resolve it (ADR 0047):
 *
 * - a device that scanned the current catalog successfully is tested against its scan rows
 *   (update_compliance), as `d.id in (...)`;
 * - any other device with an inventoried package set is tested against its SET's applicability
 *   rows, as `d.package_set_id in (...)`: the subquery runs once over the distinct sets, not
 *   once per device, so 100,000 devices sharing a few hundred sets cost a few hundred rows.
 *
 * Both subqueries are uncorrelated (computed once). Everything spliced is a fixed identifier of
 * this file; values are bound parameters.
 */
export interface UpdateScope {
  kind: 'update';
  /** `custom`: a custom update's row of the device's scan (ADR 0083). */
  basis: 'scan' | 'inventory' | 'custom';
  /** update_compliance (scan), update_applicability (inventory), custom_update_compliance. */
  row: string;
  /** software_update alias (custom_update for the custom basis). */
  update: string;
  source: string;
  advisory: string;
}

export interface UpdateTarget {
  value: RawBuilder<unknown>;
  versionKey: RawBuilder<unknown> | false;
  nullable: boolean;
}

const CURRENT_CATALOG = sql`(select coalesce(max(version), 0) from update_catalog_version)`;

/**
 * A custom update's values (ADR 0083): no source, supersedence, hold or CVE link; its package
 * is its vendor and product, its version matches no version comparison (no dpkg key), its
 * severity its own.
 */
function customTarget(scope: UpdateScope, property: string): UpdateTarget {
  const u = (c: string) => sql.ref(`${scope.update}.${c}`);
  const r = (c: string) => sql.ref(`${scope.row}.${c}`);
  const plain = (value: RawBuilder<unknown>, nullable = false): UpdateTarget => ({
    value,
    versionKey: false,
    nullable,
  });
  const none = plain(sql`cast(null as text)`, true);
  const level = sql`(case ${u('severity')} when 'critical' then 4 when 'high' then 3
    when 'medium' then 2 when 'low' then 1 else 0 end)`;
  switch (property) {
    case 'id':
      return plain(u('id'));
    case 'package':
      return plain(sql`(${u('vendor')} || ' ' || ${u('product')})`);
    case 'version':
      // No dpkg version key is stored for a custom update: a version comparison holds for none
      // (null), rather than comparing vendor version words in dpkg order by accident.
      return { value: u('version'), versionKey: sql`cast(null as text)`, nullable: true };
    case 'classification':
      return plain(u('classification'));
    case 'superseded':
      return plain(sql`(1 = 0)`);
    case 'state':
      return plain(r('state'));
    case 'basis':
      return plain(sql`cast('scan' as text)`);
    case 'installedAt':
      return plain(r('installed_at'), true);
    case 'firstDetectedAt':
      return plain(r('first_detected_at'), true);
    case 'severityLevel':
      return plain(level);
    case 'severity':
      return plain(u('severity'));
    case 'kind':
      return plain(sql`cast('custom' as text)`);
    case 'source':
    case 'hold':
    case 'cve':
      return none;
    default:
      throw new Error(`update property ${property} has no column`);
  }
}

/** The value behind one property of the `update` class, in the scope of one basis. */
export function updateTarget(scope: UpdateScope, property: string): UpdateTarget {
  if (scope.basis === 'custom') return customTarget(scope, property);
  const u = (c: string) => sql.ref(`${scope.update}.${c}`);
  const r = (c: string) => sql.ref(`${scope.row}.${c}`);
  const plain = (value: RawBuilder<unknown>, nullable = false): UpdateTarget => ({
    value,
    versionKey: false,
    nullable,
  });
  const scanOnly = (c: string) =>
    scope.basis === 'scan' ? plain(r(c), true) : plain(sql`cast(null as text)`, true);
  switch (property) {
    case 'id':
      return plain(u('id'));
    case 'package':
      return plain(u('package'));
    case 'version':
      return { value: u('version'), versionKey: u('version_key'), nullable: false };
    case 'classification':
      return plain(u('classification'));
    case 'source':
      return plain(sql.ref(`${scope.source}.name`));
    case 'superseded':
      return plain(sql`(${u('superseded_at')} is not null)`);
    case 'state':
      return plain(r('state'));
    case 'basis':
      return plain(sql`cast(${scope.basis} as text)`);
    case 'hold':
      return scanOnly('hold');
    case 'installedAt':
      return scanOnly('installed_at');
    case 'firstDetectedAt':
      return scanOnly('first_detected_at');
    case 'severityLevel':
      return plain(severityLevel(scope.update));
    case 'severity':
      return plain(sql`(case ${severityLevel(scope.update)} when 4 then 'critical'
        when 3 then 'high' when 2 then 'medium' when 1 then 'low' else 'unknown' end)`);
    case 'cve':
      return plain(sql.ref(`${scope.advisory}.cve_id`), true);
    case 'kind':
      return plain(sql`cast('apt' as text)`);
    default:
      throw new Error(`update property ${property} has no column`);
  }
}

/** The worst severity of what the update fixes: critical 4, high 3, medium 2, low 1, else 0. */
function severityLevel(update: string): RawBuilder<unknown> {
  return sql`coalesce((select max(case sa.severity when 'critical' then 4 when 'high' then 3
    when 'medium' then 2 when 'low' then 1 else 0 end) from update_advisory as sa
    where sa.update_id = ${sql.ref(`${update}.id`)}), 0)`;
}

/**
 * any(update, ...) over `device as d`. `where` compiles the condition for one basis (it is
 * compiled twice, once per basis, because hold/installedAt/firstDetectedAt exist only in scans).
 */
export function anyUpdateSql(
  alias: (prefix: string) => string,
  where: (scope: UpdateScope) => RawBuilder<SqlBool>,
): RawBuilder<SqlBool> {
  const scope = (basis: UpdateScope['basis']): UpdateScope => ({
    kind: 'update',
    basis,
    row: alias(basis === 'scan' ? 'uc' : basis === 'inventory' ? 'ua' : 'cc'),
    update: alias(basis === 'custom' ? 'cu' : 'u'),
    source: alias('us'),
    advisory: alias('ux'),
  });
  const scan = scope('scan');
  const inventory = scope('inventory');
  const custom = scope('custom');
  const s = alias('sc');
  const joins = (x: UpdateScope) => sql`join software_update as ${sql.id(x.update)}
      on ${sql.ref(`${x.update}.id`)} = ${sql.ref(`${x.row}.update_id`)}
    join update_source as ${sql.id(x.source)}
      on ${sql.ref(`${x.source}.id`)} = ${sql.ref(`${x.update}.source_id`)}
    left join update_advisory as ${sql.id(x.advisory)}
      on ${sql.ref(`${x.advisory}.update_id`)} = ${sql.ref(`${x.row}.update_id`)}`;
  const currentScan = sql<SqlBool>`exists (select 1 from update_scan as ${sql.id(s)}
    where ${sql.ref(`${s}.device_id`)} = d.id and ${sql.ref(`${s}.state`)} = 'succeeded'
      and ${sql.ref(`${s}.catalog_version`)} = ${CURRENT_CATALOG})`;
  return sql<SqlBool>`((${currentScan} and d.id in (select ${sql.ref(`${scan.row}.device_id`)}
      from update_compliance as ${sql.id(scan.row)} ${joins(scan)} where ${where(scan)}))
    or (d.package_set_id is not null and not ${currentScan}
      and d.package_set_id in (select ${sql.ref(`${inventory.row}.set_id`)}
        from update_applicability as ${sql.id(inventory.row)} ${joins(inventory)}
        where ${where(inventory)}))
    or d.id in (select ${sql.ref(`${custom.row}.device_id`)}
      from custom_update_compliance as ${sql.id(custom.row)}
      join custom_update as ${sql.id(custom.update)}
        on ${sql.ref(`${custom.update}.id`)} = ${sql.ref(`${custom.row}.custom_update_id`)}
      where ${sql.ref(`${custom.row}.state`)} <> 'not-required' and ${where(custom)}))`;
}
