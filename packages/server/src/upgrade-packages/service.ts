import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  type AgentTaskSequenceDeployment,
  ConflictError,
  dearmorKeyring,
  ErrorCode,
  InputError,
  type ListUpgradePackagesQuery,
  NotFoundError,
  referencesOf,
  SequenceSteps,
  type UpgradePackage,
  type UpgradePackageBody,
  type UpgradePackageSummary,
  UpgradeOptions,
  UpgradeSource,
  type UpgradeSpec,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction, type Queryable } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { currentVersionsMentioning } from '../task-sequences/repository.js';
import * as repo from './repository.js';

const Sources = Type.Array(UpgradeSource);

/** The stored row as the agent runs it: sources and options parsed, defaults filled in. */
export function specOf(r: repo.UpgradePackageRow): UpgradeSpec {
  const ref = { table: 'upgrade_package' as const, id: r.id };
  return {
    id: r.id,
    name: r.name,
    fromRelease: { codename: r.from_codename, version: r.from_version },
    targetRelease: { codename: r.target_codename, version: r.target_version },
    sources: parseJsonColumn(Sources, r.sources, { ...ref, column: 'sources' }),
    keyring: r.keyring,
    options: parseJsonColumn(UpgradeOptions, r.options, { ...ref, column: 'options' }),
  };
}

/**
 * Deployed sequences with the upgrade packages their upgrade-os steps name (ADR 0102), so the
 * agent runs the upgrade offline like the rest of its assignments.
 */
export async function withUpgradePackages(
  db: Queryable,
  deployments: readonly AgentTaskSequenceDeployment[],
): Promise<AgentTaskSequenceDeployment[]> {
  const ids = deployments.map((d) => referencesOf(d.sequence.steps).upgradePackageIds);
  const specs = (await repo.upgradePackagesById(db, [...new Set(ids.flat())])).map(specOf);
  return deployments.map((d, i) => {
    const named = specs.filter((u) => ids[i]?.includes(u.id));
    return named.length > 0 ? { ...d, upgradePackages: named } : d;
  });
}

function summaryOf(r: repo.UpgradePackageRow): UpgradePackageSummary {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    fromRelease: { codename: r.from_codename, version: r.from_version },
    targetRelease: { codename: r.target_codename, version: r.target_version },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/** The options with the schema's defaults (declared once, in protocol) for what is left out. */
function optionsOf(body: UpgradePackageBody): UpgradeOptions {
  const filled: unknown = Value.Default(UpgradeOptions, structuredClone(body.options ?? {}));
  if (!Value.Check(UpgradeOptions, filled))
    throw new InputError(ErrorCode.UPGRADE_PACKAGE_INVALID, 'the options are not complete');
  return filled;
}

/**
 * Upgrade packages (issue 11, ADR 0102): stored on the site, checked beyond their schema (a
 * readable keyring, a target that is not the starting release, sources of the target), and
 * refused deletion while a task sequence's newest version uses one.
 */
export class UpgradePackageService {
  constructor(private readonly ctx: SiteContext) {}

  private async mustFind(idOrName: string): Promise<repo.UpgradePackageRow> {
    const row = await repo.findUpgradePackage(this.ctx.db.kysely, idOrName);
    if (!row)
      throw new NotFoundError('upgrade package', idOrName, ErrorCode.UPGRADE_PACKAGE_NOT_FOUND);
    return row;
  }

  /** Task sequences whose newest version has an upgrade-os step naming the package. */
  private async usedBy(db: Queryable, id: string): Promise<{ id: string; name: string }[]> {
    const rows = await currentVersionsMentioning(db, id);
    return rows
      .filter((r) => {
        const steps = parseJsonColumn(SequenceSteps, r.steps, {
          table: 'task_sequence_version',
          id: r.id,
          column: 'steps',
        });
        return referencesOf(steps).upgradePackageIds.includes(id);
      })
      .map((r) => ({ id: r.id, name: r.name }));
  }

  private async toPackage(r: repo.UpgradePackageRow): Promise<UpgradePackage> {
    const spec = specOf(r);
    const key = dearmorKeyring(r.keyring);
    return {
      ...summaryOf(r),
      sources: spec.sources,
      keyring: r.keyring,
      keyringBytes: 'bytes' in key ? key.bytes.length : 0,
      options: spec.options,
      usedBy: await this.usedBy(this.ctx.db.kysely, r.id),
    };
  }

  private check(body: UpgradePackageBody): void {
    const key = dearmorKeyring(body.keyring);
    if ('error' in key)
      throw new InputError(
        ErrorCode.UPGRADE_PACKAGE_INVALID_KEYRING,
        `the keyring is not an armoured OpenPGP public key: ${key.error}`,
      );
    if (body.fromRelease.codename === body.targetRelease.codename)
      throw new InputError(
        ErrorCode.UPGRADE_PACKAGE_INVALID,
        `the target release ${body.targetRelease.codename} is the release it starts from`,
      );
    const target = body.targetRelease.codename;
    // trixie, trixie-updates, trixie-security: a suite of another release is a typo that would
    // upgrade machines to something else than the package says.
    const foreign = body.sources.filter(
      (s) => s.suite !== target && !s.suite.startsWith(`${target}-`),
    );
    if (foreign.length > 0)
      throw new InputError(
        ErrorCode.UPGRADE_PACKAGE_INVALID,
        `sources must be suites of ${target}: ${foreign.map((s) => s.suite).join(', ')}`,
        { suites: foreign.map((s) => s.suite) },
      );
  }

  private async saving(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.UPGRADE_PACKAGE_NAME_TAKEN,
          `an upgrade package named "${name}" exists`,
        );
      throw err;
    }
  }

  private columns(body: UpgradePackageBody) {
    return {
      name: body.name,
      description: body.description ?? '',
      from_codename: body.fromRelease.codename,
      from_version: body.fromRelease.version,
      target_codename: body.targetRelease.codename,
      target_version: body.targetRelease.version,
      sources: JSON.stringify(body.sources),
      keyring: body.keyring,
      options: JSON.stringify(optionsOf(body)),
    };
  }

  async list(
    actor: Actor,
    q: ListUpgradePackagesQuery,
  ): Promise<{ items: UpgradePackageSummary[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await repo.listUpgradePackages(this.ctx.db.kysely, {
      ...(q.search !== undefined ? { search: q.search } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    return { items: rows.map(summaryOf), total };
  }

  async get(actor: Actor, idOrName: string): Promise<UpgradePackage> {
    authorize(actor, 'read');
    return this.toPackage(await this.mustFind(idOrName));
  }

  async create(actor: Actor, body: UpgradePackageBody): Promise<UpgradePackage> {
    authorize(actor, 'software:write');
    this.check(body);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.saving(body.name, () =>
      inTransaction(this.ctx.db.kysely, async (tx) => {
        await repo.insertUpgradePackage(tx, {
          id,
          ...this.columns(body),
          created_at: at,
          updated_at: at,
          updated_by: actor.userName,
        });
        await writeAudit(tx, actor, at, {
          action: 'upgrade-package.create',
          targetType: 'upgrade-package',
          targetId: id,
          details: { name: body.name, target: body.targetRelease.codename },
        });
      }),
    );
    return this.get(actor, id);
  }

  async update(actor: Actor, idOrName: string, body: UpgradePackageBody): Promise<UpgradePackage> {
    authorize(actor, 'software:write');
    const current = await this.mustFind(idOrName);
    this.check(body);
    const at = nowIso(this.ctx);
    await this.saving(body.name, () =>
      inTransaction(this.ctx.db.kysely, async (tx) => {
        await repo.updateUpgradePackage(tx, current.id, {
          ...this.columns(body),
          updated_at: at,
          updated_by: actor.userName,
        });
        await writeAudit(tx, actor, at, {
          action: 'upgrade-package.update',
          targetType: 'upgrade-package',
          targetId: current.id,
          details: { name: body.name, target: body.targetRelease.codename },
        });
      }),
    );
    return this.get(actor, current.id);
  }

  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const current = await this.mustFind(idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const users = await this.usedBy(tx, current.id);
      if (users.length > 0)
        throw new ConflictError(
          ErrorCode.UPGRADE_PACKAGE_IN_USE,
          `task sequences use this upgrade package: ${users.map((u) => u.name).join(', ')}`,
          { taskSequences: users },
        );
      await repo.deleteUpgradePackage(tx, current.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'upgrade-package.delete',
        targetType: 'upgrade-package',
        targetId: current.id,
        details: { name: current.name },
      });
    });
  }
}
