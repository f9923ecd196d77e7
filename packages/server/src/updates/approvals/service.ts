import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  APPROVED_LIST_SCHEMA_VERSION,
  ErrorCode,
  NotFoundError,
  type ApprovedAptEntry,
  type ApprovedListDocument,
  type ApprovedListGroup,
  type ApprovedListImportReport,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction, type Queryable, type Tx } from '../../db/database.js';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import {
  addMembers,
  findGroup,
  groupMembers,
  insertGroup,
  listGroups,
  updateGroupRow,
  type GroupRow,
} from '../deployments/group-repository.js';
import { candidatesOf, memberIdentities, siteName, type CatalogCandidate } from './repository.js';

const WORDS = Type.Array(Type.String());

/** A repository URL as two sites may spell it: no trailing slash, scheme and host lower case. */
export function sameUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  const m = /^([a-z]+:\/\/[^/]+)(.*)$/i.exec(trimmed);
  return m?.[1] ? `${m[1].toLowerCase()}${m[2] ?? ''}` : trimmed;
}

const keyOf = (e: { url: string; suite: string; package: string; version: string }) =>
  JSON.stringify([sameUrl(e.url), e.suite, e.package, e.version]);

type Report = ApprovedListImportReport;
type GroupReport = Report['groups'][number];

/** Approved-update lists between sites (issue 10): export groups, import them elsewhere. */
export class UpdateApprovalService {
  constructor(private readonly ctx: SiteContext) {}

  async exportList(actor: Actor, groupsParam?: string): Promise<ApprovedListDocument> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const rows = await this.chosenGroups(db, groupsParam);
    const members = await memberIdentities(
      db,
      rows.map((r) => r.id),
    );
    const groups = rows.map((g): ApprovedListGroup => ({
      name: g.name,
      ...(g.description !== '' ? { description: g.description } : {}),
      updates: members
        .filter((m) => m.groupId === g.id)
        .map((m) => ({
          kind: 'apt',
          url: m.url,
          suite: m.suite,
          components: parseJsonColumn(WORDS, m.components, {
            table: 'update_source',
            id: m.updateId,
            column: 'components',
          }),
          package: m.package,
          version: m.version,
        })),
    }));
    return {
      schemaVersion: APPROVED_LIST_SCHEMA_VERSION,
      site: await siteName(db),
      exportedAt: nowIso(this.ctx),
      groups,
    };
  }

  private async chosenGroups(db: Queryable, groupsParam?: string): Promise<GroupRow[]> {
    if (groupsParam === undefined) return listGroups(db);
    const out: GroupRow[] = [];
    for (const name of groupsParam
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')) {
      const row = await findGroup(db, name);
      if (!row)
        throw new NotFoundError('update group', name, ErrorCode.UPDATE_APPROVALS_GROUP_NOT_FOUND);
      if (!out.some((r) => r.id === row.id)) out.push(row);
    }
    return out;
  }

  /**
   * Matches every entry against this catalog and creates or extends the groups, in one
   * transaction: a failure part-way leaves nothing written. A dry run answers the same report and
   * writes nothing. Existing groups only gain updates: an import never unapproves anything.
   */
  async importList(
    actor: Actor,
    doc: ApprovedListDocument,
    dryRun: boolean,
  ): Promise<ApprovedListImportReport> {
    authorize(actor, 'software:write');
    const db = this.ctx.db.kysely;
    const byKey = indexCandidates(
      await candidatesOf(
        db,
        doc.groups.flatMap((g) => g.updates.map((u) => u.package)),
      ),
    );
    const work = async (tx: Tx | Queryable, write: boolean): Promise<Report> => {
      const report: Report = { dryRun, groups: [], matched: 0, notInCatalog: 0, ambiguous: 0 };
      for (const g of doc.groups) {
        const gr = await this.importGroup(tx, actor, g, byKey, write);
        for (const e of gr.entries)
          if (e.result === 'matched') report.matched++;
          else if (e.result === 'ambiguous') report.ambiguous++;
          else report.notInCatalog++;
        report.groups.push(gr);
      }
      return report;
    };
    if (dryRun) return work(db, false);
    return inTransaction(db, async (tx) => {
      const report = await work(tx, true);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'update-approvals.import',
        targetType: 'update-group',
        targetId: report.groups.map((g) => g.groupId ?? '').join(','),
        details: {
          site: doc.site,
          exportedAt: doc.exportedAt,
          groups: report.groups.map((g) => ({ name: g.name, action: g.action, added: g.added })),
          matched: report.matched,
          notInCatalog: report.notInCatalog,
          ambiguous: report.ambiguous,
        },
      });
      return report;
    });
  }

  private async importGroup(
    tx: Tx | Queryable,
    actor: Actor,
    g: ApprovedListGroup,
    byKey: ReadonlyMap<string, string[]>,
    write: boolean,
  ): Promise<GroupReport> {
    const entries = g.updates.map((entry: ApprovedAptEntry) => {
      const ids = byKey.get(keyOf(entry)) ?? [];
      const result =
        ids.length === 1 ? 'matched' : ids.length === 0 ? 'not-in-catalog' : 'ambiguous';
      return { entry, result, updateIds: ids } as const;
    });
    const matched = [
      ...new Set(entries.filter((e) => e.result === 'matched').flatMap((e) => e.updateIds)),
    ];
    const existing = await findGroup(tx, g.name);
    const had = existing ? ((await groupMembers(tx, [existing.id])).get(existing.id) ?? []) : [];
    const added = matched.filter((id) => !had.includes(id)).length;
    const at = nowIso(this.ctx);
    let groupId = existing?.id ?? null;
    if (write && !existing) {
      groupId = randomUUID();
      await insertGroup(tx, {
        id: groupId,
        name: g.name,
        description: g.description ?? '',
        created_at: at,
        created_by: actor.userName,
        updated_at: at,
      });
    }
    if (write && groupId !== null) {
      await addMembers(tx, groupId, matched, at);
      await updateGroupRow(tx, groupId, {
        ...(existing && g.description !== undefined ? { description: g.description } : {}),
        updated_at: at,
      });
    }
    return {
      name: g.name,
      action: existing ? 'update' : 'create',
      groupId,
      added,
      entries: entries.map((e) => ({ ...e, updateIds: [...e.updateIds] })),
    };
  }
}

function indexCandidates(rows: readonly CatalogCandidate[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k);
    if (list) list.push(r.id);
    else out.set(k, [r.id]);
  }
  return out;
}
