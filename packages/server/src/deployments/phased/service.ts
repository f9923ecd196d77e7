import { ConflictError, InputError, NotFoundError, ErrorCode } from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type { CreatePhasedDeploymentRequest, PhasedDeployment } from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { findCollection } from '../../collections/repository.js';
import { advancePhasedDeployments } from './advance.js';
import {
  AfterCommit,
  haltRollout,
  resumeRollout,
  startPhase,
  type PhaseDeployer,
  type Step,
} from './lifecycle.js';
import { toPhasedDeployments } from './present.js';
import * as repo from './repository.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import { type Queryable, inTransaction } from '../../db/database.js';

/**
 * Phased deployments: one required deployment per phase over a sequence of collections; the next
 * phase starts after a success threshold and a soak time, and the rollout halts by itself when a
 * phase's failures pass a threshold (`advance`, run by the scheduler). Every public method taking an
 * actor authorises first; every change is one transaction with its audit rows.
 */
export class PhasedDeploymentService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly deployments: PhaseDeployer,
  ) {}

  /** Scheduler: moves running rollouts on by the server clock. */
  advance(): Promise<void> {
    return advancePhasedDeployments(this.ctx, this.deployments);
  }

  async list(actor: Actor): Promise<PhasedDeployment[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    return toPhasedDeployments(db, await repo.listPhased(db), this.ctx.clock.now());
  }

  async get(actor: Actor, idOrName: string): Promise<PhasedDeployment> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const row = await mustFind(db, idOrName);
    const [one] = await toPhasedDeployments(db, [row], this.ctx.clock.now());
    if (!one) throw new NotFoundError('phased deployment', idOrName);
    return one;
  }

  /**
   * Creates the rollout and starts phase 1 at once (its required deployment is created in the
   * same transaction): a refused deployment leaves nothing behind.
   */
  async create(actor: Actor, req: CreatePhasedDeploymentRequest): Promise<PhasedDeployment> {
    authorize(actor, 'deployments:write');
    const id = randomUUID();
    const effects = new AfterCommit();
    await inTransaction(this.ctx.db.kysely, (tx) =>
      this.createInTransaction(tx, actor, req, effects, id),
    );
    await effects.flush(this.ctx, this.deployments);
    return this.get(actor, id);
  }

  /**
   * `create` inside the caller's transaction (automatic deployment rules start a rollout in the
   * transaction that records their run, ADR 0072); the caller flushes `effects` after commit.
   */
  async createInTransaction(
    tx: Queryable,
    actor: Actor,
    req: CreatePhasedDeploymentRequest,
    effects: AfterCommit,
    id: string = randomUUID(),
  ): Promise<string> {
    authorize(actor, 'deployments:write');
    const at = nowIso(this.ctx);
    try {
      const collectionIds = await validateCreate(tx, req);
      await repo.insertPhased(tx, {
        id,
        name: req.name,
        programId: req.programId,
        haltOnFailurePercent: req.haltOnFailurePercent,
        settings: req.deployment ?? {},
        by: actor.userName,
        at,
      });
      await repo.insertPhases(
        tx,
        id,
        req.phases.map((p, i) => ({ ...p, collectionId: collectionIds[i] ?? p.collectionId })),
      );
      await writeAudit(tx, actor, at, {
        action: 'phased-deployment.create',
        targetType: 'phased-deployment',
        targetId: id,
        details: {
          name: req.name,
          programId: req.programId,
          haltOnFailurePercent: req.haltOnFailurePercent,
          phases: req.phases.map((p, i) => ({ ...p, collectionId: collectionIds[i] })),
        },
      });
      const rollout = await mustFind(tx, id);
      const [first] = await repo.phasesOf(tx, [id]);
      if (!first) throw new InputError(ErrorCode.INVALID_PHASES, 'a rollout needs a phase');
      await startPhase({ ctx: this.ctx, tx, actor, at, effects }, this.deployments, rollout, first);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(req.name);
      throw err;
    }
    return id;
  }

  /** Halts a running rollout by hand: the current phase's deployment is disabled; `reason` is kept. */
  async halt(actor: Actor, idOrName: string, reason?: string): Promise<PhasedDeployment> {
    authorize(actor, 'deployments:write');
    const id = await this.change(actor, idOrName, async (s, rollout, phase) => {
      if (repo.rolloutStateOf(rollout) !== 'running')
        throw new ConflictError(
          ErrorCode.PHASED_DEPLOYMENT_NOT_RUNNING,
          `phased deployment "${rollout.name}" is ${rollout.state}, not running`,
        );
      await haltRollout(s, rollout, phase, reason ?? `halted by ${actor.userName}`, 'manual');
    });
    return this.get(actor, id);
  }

  /** Resumes a halted rollout in the phase where it stopped. */
  async resume(actor: Actor, idOrName: string): Promise<PhasedDeployment> {
    authorize(actor, 'deployments:write');
    const id = await this.change(actor, idOrName, async (s, rollout, phase) => {
      if (repo.rolloutStateOf(rollout) !== 'halted')
        throw new ConflictError(
          ErrorCode.PHASED_DEPLOYMENT_NOT_HALTED,
          `phased deployment "${rollout.name}" is ${rollout.state}, not halted`,
        );
      await resumeRollout(s, this.deployments, rollout, phase);
    });
    return this.get(actor, id);
  }

  /** One transaction on one rollout's current phase, under the rollout's row lock. */
  private async change(
    actor: Actor,
    idOrName: string,
    body: (s: Step, rollout: repo.PhasedRow, phase: repo.PhaseRow) => Promise<void>,
  ): Promise<string> {
    const effects = new AfterCommit();
    const id = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const found = await mustFind(tx, idOrName);
      const rollout = await repo.lockPhased(tx, this.ctx.db.dialect, found.id);
      const phase = (await repo.phasesOf(tx, [found.id]))[rollout?.current_phase ?? -1];
      if (!rollout || !phase) throw notFound(idOrName);
      await body({ ctx: this.ctx, tx, actor, at: nowIso(this.ctx), effects }, rollout, phase);
      return rollout.id;
    });
    await effects.flush(this.ctx, this.deployments);
    return id;
  }
}

function notFound(idOrName: string): NotFoundError {
  return new NotFoundError('phased deployment', idOrName, ErrorCode.PHASED_DEPLOYMENT_NOT_FOUND);
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(
    ErrorCode.PHASED_DEPLOYMENT_NAME_TAKEN,
    `a phased deployment named "${name}" already exists`,
  );
}

async function mustFind(db: Queryable, idOrName: string): Promise<repo.PhasedRow> {
  const row = await repo.findPhased(db, idOrName);
  if (!row) throw notFound(idOrName);
  return row;
}

/**
 * The program with content, every collection (by id or name), no collection twice (a device would
 * be deployed to by two phases). Returns the phases' collection ids.
 */
async function validateCreate(
  tx: Queryable,
  req: CreatePhasedDeploymentRequest,
): Promise<string[]> {
  const program = await repo.findProgramForDeployment(tx, req.programId);
  if (!program) throw new NotFoundError('program', req.programId, ErrorCode.PROGRAM_NOT_FOUND);
  if (program.current_version_id === null)
    throw new InputError(
      ErrorCode.CONTENT_MISSING,
      `the package of program "${program.name}" has no content yet: import a version first`,
    );
  if (await repo.findPhased(tx, req.name)) throw nameTaken(req.name);
  const ids: string[] = [];
  for (const [i, p] of req.phases.entries()) {
    const collection = await findCollection(tx, p.collectionId);
    if (!collection)
      throw new NotFoundError('collection', p.collectionId, ErrorCode.COLLECTION_NOT_FOUND);
    const earlier = ids.indexOf(collection.id);
    if (earlier >= 0)
      throw new InputError(
        ErrorCode.INVALID_PHASES,
        `phases ${earlier + 1} and ${i + 1} both target collection "${collection.name}": ` +
          'a collection may be in one phase only',
        { phases: [earlier + 1, i + 1], collectionId: collection.id },
      );
    ids.push(collection.id);
  }
  return ids;
}
