import {
  pickSettings,
  UpdateDeploymentOptions,
  UpdateDeploymentSharedOptions,
  type DeploymentTrigger,
  type UpdateRuleTemplateOptions,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { findCollection } from '../../collections/repository.js';
import type { Queryable } from '../../db/database.js';
import type { DeploymentService } from '../../deployments/service.js';
import { AfterCommit } from '../../deployments/phased/lifecycle.js';
import type { PhasedDeploymentService } from '../../deployments/phased/service.js';
import type { UpdateDeploymentService } from '../deployments/update-deployment-service.js';
import { collectionsOf, phasingOf, templateOf } from './present.js';
import type { RuleRow } from './repository.js';
import * as repo from './repository.js';

const HOUR_MS = 3600_000;
const NAME_MAX = 200;

export interface RuleDeployerDeps {
  deployments: Pick<DeploymentService, 'nudgeDeployment' | 'rerun'>;
  updateDeployments: UpdateDeploymentService;
  phased: PhasedDeploymentService;
  /** What phased rollouts create their phase deployments with (nudged after commit). */
  phaseDeployer: ConstructorParameters<typeof PhasedDeploymentService>[1];
}

/** What a run deployed, and what to do once it has committed. */
export interface Deployed {
  updateDeploymentIds: string[];
  collections: number;
  created: string[];
  grown: string[];
  phased: AfterCommit | null;
}

/** `YYYY-MM-DDTHH:mm` in UTC: a deployment's wall time, `hours` after now. */
function wallAfter(now: Date, hours: number): string {
  return new Date(now.getTime() + hours * HOUR_MS).toISOString().slice(0, 16);
}

function timing(t: UpdateRuleTemplateOptions, now: Date) {
  const deadline = t.deadlineAfterHours > 0 ? wallAfter(now, t.deadlineAfterHours) : null;
  return { availableAt: wallAfter(now, t.availableAfterHours), deadline };
}

/**
 * Deploys a rule's group as its template says (ADR 0072): one update deployment per target
 * collection (a deployment of the group made by an earlier run grows instead), or one phased
 * rollout over the collections in order, whose phase deployments the phased deployments'
 * machinery starts, measures, soaks and halts.
 */
export class RuleDeployer {
  constructor(
    private readonly ctx: SiteContext,
    private readonly deps: RuleDeployerDeps,
  ) {}

  async deploy(
    tx: Queryable,
    actor: Actor,
    rule: RuleRow,
    group: { id: string; name: string },
    phasedId: string | null,
  ): Promise<Deployed> {
    const collections = collectionsOf(rule);
    const phasing = phasingOf(rule);
    if (phasedId !== null && phasing !== null)
      return this.phased(tx, actor, rule, group, phasedId, collections, phasing);
    const t = templateOf(rule);
    const when = timing(t, this.ctx.clock.now());
    const existing = await repo.deploymentsOfGroup(tx, group.id);
    const out: Deployed = {
      updateDeploymentIds: [],
      collections: collections.length,
      created: [],
      grown: [],
      phased: null,
    };
    for (const collectionId of collections) {
      const mine = existing.find((d) => d.collection_id === collectionId);
      if (mine) {
        await this.deps.updateDeployments.addGroupUpdates(tx, mine.id, group.id);
        out.updateDeploymentIds.push(mine.id);
        out.grown.push(mine.deployment_id);
        continue;
      }
      const collection = await findCollection(tx, collectionId);
      const suffix = ` → ${collection?.name ?? collectionId}`;
      const made = await this.deps.updateDeployments.createInTransaction(tx, actor, {
        name: `${group.name} (updates)`.slice(0, NAME_MAX - suffix.length) + suffix,
        groupId: group.id,
        collectionId,
        availableAt: when.availableAt,
        deadline: when.deadline,
        timeBase: 'utc',
        ...pickSettings(UpdateDeploymentSharedOptions, { ...t, enabled: true }),
        ...pickSettings(UpdateDeploymentOptions, t),
      });
      out.updateDeploymentIds.push(made.id);
      out.created.push(made.deploymentId);
    }
    return out;
  }

  private async phased(
    tx: Queryable,
    actor: Actor,
    rule: RuleRow,
    group: { id: string; name: string },
    phasedId: string,
    collections: string[],
    phasing: NonNullable<ReturnType<typeof phasingOf>>,
  ): Promise<Deployed> {
    const t = templateOf(rule);
    const when = timing(t, this.ctx.clock.now());
    const triggers: DeploymentTrigger[] = when.deadline
      ? [{ type: 'at', start: when.deadline }]
      : [];
    const effects = new AfterCommit();
    await this.deps.phased.createInTransaction(
      tx,
      actor,
      {
        // A rollout per run that added updates (rollout names are unique).
        name:
          group.name.slice(0, NAME_MAX - 60) + ` (phased ${wallAfter(this.ctx.clock.now(), 0)})`,
        programId: await this.deps.updateDeployments.installProgramOf(tx, group.id),
        haltOnFailurePercent: phasing.haltOnFailurePercent,
        phases: collections.map((collectionId) => ({
          collectionId,
          successPercent: phasing.successPercent,
          soakMinutes: phasing.soakMinutes,
        })),
        deployment: {
          availableAt: when.availableAt,
          triggers,
          timeBase: 'utc',
          rerun: 'always',
          contentMode: 'download',
          ...pickSettings(UpdateDeploymentSharedOptions, { ...t, enabled: true }),
        },
      },
      effects,
      phasedId,
    );
    const made = await repo.deploymentsOfGroup(tx, group.id);
    return {
      updateDeploymentIds: made.map((d) => d.id),
      collections: collections.length,
      created: [],
      grown: [],
      phased: effects,
    };
  }

  /** Agents hear of new deployments; grown ones run again on every device (a new revision). */
  async afterCommit(actor: Actor, d: Deployed): Promise<void> {
    for (const id of d.created) await this.deps.deployments.nudgeDeployment(id, actor.userName);
    for (const id of d.grown) await this.deps.deployments.rerun(actor, id);
    await d.phased?.flush(this.ctx, this.deps.phaseDeployer);
  }
}
