import {
  UPDATE_SEVERITY_ORDER,
  type ComplianceGroup,
  type RequiredUpdate,
  type UpdateComplianceOverview,
  type UpdateSeverity,
} from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { updateReferences } from '../advisories/repository.js';
import { currentCatalogVersion } from './catalog-version-repository.js';
import {
  currentPairCounts,
  currentUpdates,
  customUpdatesOfOverview,
  deviceTotals,
} from './overview-repository.js';

type Row = RequiredUpdate & { sourceId: string };

/** Sums rows into groups by `keyOf`, in the order `order` gives (unknown keys last). */
function groupBy(
  rows: readonly Row[],
  keyOf: (r: Row) => { key: string; label: string },
  order?: readonly string[],
): ComplianceGroup[] {
  const out = new Map<string, ComplianceGroup>();
  for (const r of rows) {
    const { key, label } = keyOf(r);
    const g = out.get(key) ?? { key, label, updates: 0, installed: 0, required: 0 };
    g.updates += 1;
    g.installed += r.installed;
    g.required += r.required;
    out.set(key, g);
  }
  const rank = (k: string) => (order ? order.indexOf(k) : -1);
  return [...out.values()].sort((a, b) =>
    order ? rank(a.key) - rank(b.key) : a.label.localeCompare(b.label),
  );
}

/**
 * The dashboard's figures (ADR 0047's bases): device × update pairs of the current catalog,
 * grouped in memory (one row per current update), with severities from the advisories; and the
 * custom updates (ADR 0083) from the devices' scans, with their own severity, one source group.
 */
export async function complianceOverview(
  db: Queryable,
  top: number,
): Promise<UpdateComplianceOverview> {
  const cv = await currentCatalogVersion(db);
  const custom = await customUpdatesOfOverview(db);
  const [updates, pairs, devices] = [
    [...(await currentUpdates(db)), ...custom],
    await currentPairCounts(db, cv),
    await deviceTotals(db, cv),
  ];
  const counts = new Map<string, { installed: number; required: number }>();
  for (const p of pairs) {
    const c = counts.get(p.updateId) ?? { installed: 0, required: 0 };
    c[p.state] += p.n;
    counts.set(p.updateId, c);
  }
  const refs = await updateReferences(
    db,
    updates.filter((u) => u.kind === 'apt').map((u) => u.id),
  );
  const customSeverity = new Map(custom.map((u) => [u.id, u.severity]));
  const rows: Row[] = updates.map((u) => ({
    updateId: u.id,
    kind: u.kind,
    package: u.package,
    version: u.version,
    sourceId: u.sourceId,
    sourceName: u.sourceName,
    classification: u.classification,
    severity:
      customSeverity.get(u.id) ?? refs.get(u.id)?.severity ?? ('unknown' satisfies UpdateSeverity),
    installed: counts.get(u.id)?.installed ?? 0,
    required: counts.get(u.id)?.required ?? 0,
  }));
  const mostRequired = rows
    .filter((r) => r.required > 0)
    .sort(
      (a, b) =>
        b.required - a.required ||
        a.package.localeCompare(b.package) ||
        a.updateId.localeCompare(b.updateId),
    )
    .slice(0, top)
    .map(({ sourceId: _sourceId, ...r }) => r);
  return {
    catalogVersion: cv,
    devices: devices.devices,
    devicesRequiring: devices.requiring,
    currentUpdates: rows.length,
    installed: rows.reduce((n, r) => n + r.installed, 0),
    required: rows.reduce((n, r) => n + r.required, 0),
    bySource: groupBy(rows, (r) => ({ key: r.sourceId, label: r.sourceName })),
    byClassification: groupBy(rows, (r) => ({ key: r.classification, label: r.classification }), [
      'security',
      'updates',
      'other',
    ]),
    bySeverity: groupBy(
      rows,
      (r) => ({ key: r.severity, label: r.severity }),
      UPDATE_SEVERITY_ORDER,
    ),
    mostRequired,
  };
}
