import {
  ConflictError,
  InputError,
  NotFoundError,
  ErrorCode,
  ProgramOptions,
  withSettingDefaults,
} from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type { Program, ProgramBody, UpdateProgramRequest } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import type { ProgramTable } from '../db/tables/index.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import type { DeploymentNotifier } from './notify.js';
import { mustFindPackage } from '../content/find-package.js';
import * as repo from './program-repository.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { columnChanges, type ColumnWriters } from '../db/setting-columns.js';
import { type Queryable, inTransaction } from '../db/database.js';

/**
 * The working directory stays inside the package: relative, no `..`. Returned normalised
 * ('.' for the package root) so the agent joins it to the run directory as it is.
 */
export function normaliseWorkingDirectory(dir: string | undefined): string {
  const text = (dir ?? '.').trim();
  if (text.startsWith('/') || text.includes('\u0000'))
    throw new InputError(
      ErrorCode.INVALID_WORKING_DIRECTORY,
      `working directory "${text}" must be relative to the package root`,
    );
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw new InputError(
      ErrorCode.INVALID_WORKING_DIRECTORY,
      `working directory "${text}" must stay inside the package (no "..")`,
    );
  return parts.length === 0 ? '.' : parts.join('/');
}

/** Every field a program PATCH may carry, mapped to its columns (the compiler asks for each). */
const UPDATE_COLUMNS: ColumnWriters<UpdateProgramRequest, ProgramTable> = {
  name: (v) => ({ name: v }),
  commandLine: (v) => ({ command_line: v }),
  workingDirectory: (v) => ({ working_directory: normaliseWorkingDirectory(v) }),
  runAs: (v) => ({ run_as: v }),
  maxRunMinutes: (v) => ({ max_run_minutes: v }),
  successExitCodes: (v) => ({ success_exit_codes: JSON.stringify([...new Set(v)]) }),
  rebootExitCodes: (v) => ({ reboot_exit_codes: JSON.stringify([...new Set(v)]) }),
  requirements: (v) => ({ requirements: JSON.stringify(v) }),
  dependsOnProgramId: (v) => ({ depends_on_program_id: v }),
  description: (v) => ({ description: v }),
};

/**
 * Programs of a package: the command line and how it runs, its "run another program first"
 * dependency (no cycles), and "disable this program", which reaches running agents at once.
 */
export class ProgramService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly notifier: DeploymentNotifier,
  ) {}

  private async mustFind(db: Queryable, id: string): Promise<repo.ProgramRow> {
    const row = await repo.findProgramRow(db, id);
    if (!row) throw new NotFoundError('program', id, ErrorCode.PROGRAM_NOT_FOUND);
    return row;
  }

  async list(actor: Actor, packageIdOrName?: string): Promise<Program[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    let packageId: string | undefined;
    if (packageIdOrName !== undefined) {
      packageId = (await mustFindPackage(db, packageIdOrName)).id;
    }
    return (await repo.listProgramRows(db, packageId)).map(repo.toProgram);
  }

  async get(actor: Actor, id: string): Promise<Program> {
    authorize(actor, 'read');
    return repo.toProgram(await this.mustFind(this.ctx.db.kysely, id));
  }

  /** Refuses an unknown dependency, itself, or a loop through other programs. */
  private async checkDependency(
    tx: Queryable,
    programId: string,
    dependsOn: string,
  ): Promise<void> {
    const edges = await repo.dependencyEdges(tx);
    if (!edges.has(dependsOn))
      throw new NotFoundError('program', dependsOn, ErrorCode.PROGRAM_NOT_FOUND);
    const cycle = repo.closesCycle(edges, programId, dependsOn);
    if (cycle)
      throw new InputError(
        ErrorCode.PROGRAM_DEPENDENCY_CYCLE,
        cycle.length === 2
          ? 'a program cannot depend on itself'
          : `this dependency closes a loop: ${cycle.join(' -> ')}`,
        { cycle },
      );
  }

  async create(actor: Actor, packageIdOrName: string, body: ProgramBody): Promise<Program> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.write(body.name, async (tx) => {
      const pkg = await mustFindPackage(tx, packageIdOrName);
      if (body.dependsOnProgramId) await this.checkDependency(tx, id, body.dependsOnProgramId);
      // What the body leaves out takes the protocol's declared defaults.
      const options = withSettingDefaults(ProgramOptions, body);
      await repo.insertProgram(tx, {
        id,
        package_id: pkg.id,
        name: body.name,
        command_line: body.commandLine,
        working_directory: normaliseWorkingDirectory(body.workingDirectory),
        run_as: options.runAs,
        max_run_minutes: options.maxRunMinutes,
        success_exit_codes: JSON.stringify([...new Set(body.successExitCodes ?? [0])]),
        reboot_exit_codes: JSON.stringify([...new Set(body.rebootExitCodes ?? [])]),
        requirements: JSON.stringify(body.requirements ?? {}),
        depends_on_program_id: body.dependsOnProgramId ?? null,
        description: body.description ?? '',
        disabled: 0,
        created_at: at,
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'program.create',
        targetType: 'program',
        targetId: id,
        details: { package: pkg.name, name: body.name },
      });
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, body: UpdateProgramRequest): Promise<Program> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    const set = columnChanges(UPDATE_COLUMNS, body);
    let affected: string[] = [];
    await this.write(body.name ?? id, async (tx) => {
      const row = await this.mustFind(tx, id);
      if (body.dependsOnProgramId) await this.checkDependency(tx, row.id, body.dependsOnProgramId);
      if (Object.keys(set).length === 0) return;
      await repo.updateProgram(tx, row.id, { ...set, updated_at: at });
      await writeAudit(tx, actor, at, {
        action: 'program.update',
        targetType: 'program',
        targetId: row.id,
        details: { package: row.package_name, name: row.name, changes: body },
      });
      affected = await this.collectionsAffected(tx, row.id);
    });
    await this.notifier.collectionsChanged(affected, actor.userName);
    return this.get(actor, id);
  }

  /** Refused while deployments, phased deployments or other programs use it. */
  async remove(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, id);
      const users = await repo.programUsers(tx, row.id);
      const names = [...users.deployments, ...users.phasedDeployments, ...users.programs];
      if (names.length > 0)
        throw new ConflictError(
          ErrorCode.PROGRAM_IN_USE,
          `"${row.name}" is used by ${names.map((n) => `"${n}"`).join(', ')}; remove those first`,
          users,
        );
      await repo.deleteProgram(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'program.delete',
        targetType: 'program',
        targetId: row.id,
        details: { package: row.package_name, name: row.name },
      });
    });
  }

  /**
   * "Disable this program": every device targeted by a deployment of it (or of a program that
   * needs it first) is nudged at once, so running agents stop it, mandatory runs included.
   */
  async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<Program> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    let affected: string[] = [];
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, id);
      if ((row.disabled === 1) === disabled) return;
      await repo.updateProgram(tx, row.id, { disabled: disabled ? 1 : 0, updated_at: at });
      const verb = disabled ? 'disabled' : 'enabled';
      await writeAudit(tx, actor, at, {
        action: disabled ? 'program.disable' : 'program.enable',
        targetType: 'program',
        targetId: row.id,
        details: { package: row.package_name, name: row.name },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'PROGRAM_CHANGED',
          insertionStrings: [row.package_name, row.name, verb, actor.userName],
          attributes: { programId: row.id, packageId: row.package_id },
        },
        tx,
      );
      affected = await this.collectionsAffected(tx, row.id);
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    await this.notifier.collectionsChanged(affected, actor.userName);
    return this.get(actor, id);
  }

  /** Collections of deployments of this program or of programs that depend on it. */
  private async collectionsAffected(tx: Queryable, programId: string): Promise<string[]> {
    const programs = repo.withDependants(await repo.dependencyEdges(tx), programId);
    return repo.collectionsDeploying(tx, programs);
  }

  private async write(name: string, body: (tx: Queryable) => Promise<void>): Promise<void> {
    try {
      await inTransaction(this.ctx.db.kysely, body);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.PROGRAM_NAME_TAKEN,
          `this package already has a program named "${name}"`,
        );
      throw err;
    }
  }
}
