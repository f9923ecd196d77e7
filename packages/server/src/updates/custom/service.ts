import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  RuleSet,
  type CustomUpdate,
  type CustomUpdateInput,
  type CustomUpdatePatch,
  type ListCustomUpdatesQuery,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction, type Queryable, type Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import * as repo from './repository.js';
import { markCustomChanged } from '../compliance/catalog-version-repository.js';

const E = ErrorCode;
const StoredRefs = Type.Object({
  cves: Type.Array(Type.String()),
  links: Type.Array(Type.String()),
});

function refsOf(r: CustomUpdateInput['references']): { cves: string[]; links: string[] } {
  return { cves: r?.cves ?? [], links: r?.links ?? [] };
}

function toCustomUpdate(
  r: repo.CustomUpdateRow,
  programs: ReadonlyMap<string, repo.ProgramRefRow>,
): CustomUpdate {
  const where = (column: string) => ({ table: 'custom_update' as const, id: r.id, column });
  const program = (id: string | null) => {
    const p = id === null ? undefined : programs.get(id);
    return p
      ? { id: p.id, name: p.name, packageId: p.package_id, packageName: p.package_name }
      : null;
  };
  return {
    id: r.id,
    kind: 'custom',
    title: r.title,
    vendor: r.vendor,
    product: r.product,
    version: r.version,
    classification: r.classification,
    severity: r.severity,
    description: r.description,
    references: parseJsonColumn(StoredRefs, r.refs, where('refs')),
    detection: parseJsonColumn(RuleSet, r.detection, where('detection')),
    applicability:
      r.applicability === null
        ? null
        : parseJsonColumn(RuleSet, r.applicability, where('applicability')),
    installProgram: program(r.install_program_id),
    uninstallProgram: program(r.uninstall_program_id),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

/** Refuses, before anything is written, a program id that names no program. */
async function checkPrograms(db: Queryable, ids: (string | null | undefined)[]): Promise<void> {
  const wanted = ids.filter((id): id is string => typeof id === 'string');
  const known = await repo.programRefs(db, wanted);
  const missing = wanted.filter((id) => !known.has(id));
  if (missing.length > 0)
    throw new InputError(
      E.CUSTOM_UPDATE_PROGRAM_NOT_FOUND,
      `no program ${missing.join(', ')} in the content library`,
      { programIds: missing },
    );
}

function identityTaken(err: unknown, i: { vendor?: string; product?: string; version?: string }) {
  if (isUniqueViolation(err))
    return new ConflictError(
      E.CUSTOM_UPDATE_EXISTS,
      `a custom update ${i.vendor ?? ''} ${i.product ?? ''} ${i.version ?? ''} exists`,
    );
  return err;
}

/** The row columns a patch sets (fields it leaves out stay as they are). */
function columnsOf(p: CustomUpdatePatch) {
  const cols = {
    title: p.title,
    vendor: p.vendor,
    product: p.product,
    version: p.version,
    classification: p.classification,
    severity: p.severity,
    description: p.description,
    refs: p.references === undefined ? undefined : JSON.stringify(refsOf(p.references)),
    detection: p.detection === undefined ? undefined : JSON.stringify(p.detection),
    applicability:
      p.applicability === undefined
        ? undefined
        : p.applicability === null
          ? null
          : JSON.stringify(p.applicability),
    install_program_id: p.installProgramId,
    uninstall_program_id: p.uninstallProgramId,
  };
  return Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined));
}

/** Custom (third-party) updates (issue 10, ADR 0059): administrator-defined catalog entries. */
export class CustomUpdateService {
  constructor(private readonly ctx: SiteContext) {}

  private async toApi(rows: repo.CustomUpdateRow[]): Promise<CustomUpdate[]> {
    const ids = rows.flatMap((r) => [r.install_program_id, r.uninstall_program_id]);
    const programs = await repo.programRefs(
      this.ctx.db.kysely,
      ids.filter((id): id is string => id !== null),
    );
    return rows.map((r) => toCustomUpdate(r, programs));
  }

  private async mustFind(db: Queryable, id: string): Promise<repo.CustomUpdateRow> {
    const row = await repo.findCustomUpdate(db, id);
    if (!row) throw new NotFoundError('custom update', id, E.CUSTOM_UPDATE_NOT_FOUND);
    return row;
  }

  private async read(id: string): Promise<CustomUpdate> {
    const [u] = await this.toApi([await this.mustFind(this.ctx.db.kysely, id)]);
    if (!u) throw new NotFoundError('custom update', id, E.CUSTOM_UPDATE_NOT_FOUND);
    return u;
  }

  async list(
    actor: Actor,
    q: ListCustomUpdatesQuery,
  ): Promise<{ items: CustomUpdate[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await repo.listCustomUpdates(this.ctx.db.kysely, {
      ...(q.search !== undefined ? { search: q.search } : {}),
      ...(q.vendor !== undefined ? { vendor: q.vendor } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    return { items: await this.toApi(rows), total };
  }

  async get(actor: Actor, id: string): Promise<CustomUpdate> {
    authorize(actor, 'read');
    return this.read(id);
  }

  async create(actor: Actor, input: CustomUpdateInput): Promise<CustomUpdate> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await this.insert(tx, actor, id, input, at);
      });
    } catch (err) {
      throw identityTaken(err, input);
    }
    return this.read(id);
  }

  /**
   * Writes a new custom update inside `tx`. The catalog version it raises is one per
   * transaction: a caller writing several in one transaction (an import) makes one version.
   */
  async insert(tx: Tx, actor: Actor, id: string, input: CustomUpdateInput, at: string) {
    await checkPrograms(tx, [input.installProgramId, input.uninstallProgramId]);
    await repo.insertCustomUpdate(tx, {
      id,
      title: input.title,
      vendor: input.vendor,
      product: input.product,
      version: input.version,
      classification: input.classification ?? 'other',
      severity: input.severity ?? 'unknown',
      description: input.description ?? '',
      refs: JSON.stringify(refsOf(input.references)),
      detection: JSON.stringify(input.detection),
      applicability: input.applicability ? JSON.stringify(input.applicability) : null,
      install_program_id: input.installProgramId ?? null,
      uninstall_program_id: input.uninstallProgramId ?? null,
      created_at: at,
      created_by: actor.userName,
      updated_at: at,
    });
    await markCustomChanged(tx, this.ctx.db.dialect, at);
    await writeAudit(tx, actor, at, {
      action: 'custom-update.create',
      targetType: 'custom-update',
      targetId: id,
      details: { vendor: input.vendor, product: input.product, version: input.version },
    });
  }

  async update(actor: Actor, id: string, patch: CustomUpdatePatch): Promise<CustomUpdate> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(this.ctx.db.kysely, id);
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await checkPrograms(tx, [patch.installProgramId, patch.uninstallProgramId]);
        await repo.updateCustomUpdateRow(tx, row.id, { ...columnsOf(patch), updated_at: at });
        // Only the rules reach the agents' catalog: a new title costs no catalog version.
        if (patch.detection !== undefined || patch.applicability !== undefined)
          await markCustomChanged(tx, this.ctx.db.dialect, at);
        await writeAudit(tx, actor, at, {
          action: 'custom-update.update',
          targetType: 'custom-update',
          targetId: row.id,
          details: { fields: Object.keys(patch) },
        });
      });
    } catch (err) {
      throw identityTaken(err, { ...row, ...patch });
    }
    // Deployments of it carry its rules and programs in the agents' assignments (ADR 0083).
    if (
      patch.detection !== undefined ||
      patch.applicability !== undefined ||
      patch.installProgramId !== undefined ||
      patch.uninstallProgramId !== undefined
    )
      await this.ctx.bus.publish('deployments-changed', {});
    return this.read(row.id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'software:write');
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, id);
      await repo.deleteCustomUpdateRow(tx, row.id);
      const at = nowIso(this.ctx);
      await markCustomChanged(tx, this.ctx.db.dialect, at);
      await writeAudit(tx, actor, at, {
        action: 'custom-update.delete',
        targetType: 'custom-update',
        targetId: row.id,
        details: { vendor: row.vendor, product: row.product, version: row.version },
      });
    });
  }
}
