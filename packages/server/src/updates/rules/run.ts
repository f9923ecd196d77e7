import { randomUUID } from 'node:crypto';
import {
  AppError,
  ConflictError,
  ErrorCode,
  MAX_RULE_MATCHES,
  type UpdateRuleRun,
  type UpdateRuleRunTrigger,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { nowIso } from '../../context.js';
import { inTransaction, type Queryable } from '../../db/database.js';
import { raiseSiteStatus } from '../../status/site-status.js';
import type { ApprovedContentService } from '../deployments/content-service.js';
import type { UpdateCatalogService } from '../service.js';
import { catalogFilter } from './filter.js';
import { filterOf, toRun } from './present.js';
import * as repo from './repository.js';
import { RuleDeployer, type Deployed, type RuleDeployerDeps } from './deploy.js';
import { fillGroup } from './group.js';

/** A run that has not finished in this long was cut short (its process died): it may be retaken. */
const STALE_MS = 3600_000;

export interface RuleRunnerDeps extends RuleDeployerDeps {
  catalog: UpdateCatalogService;
  content: ApprovedContentService;
}

interface Progress {
  matched: number;
  added: number;
  groupId: string | null;
}

/**
 * One run of an automatic deployment rule (ADR 0072): match the filter, put the updates not yet
 * deployed by the rule into its group, publish the group's approved content, then deploy it
 * and record the run with its status message in one transaction. A failure is recorded too
 * (its reason in the run and in a status message); a run never leaves the rule claimed.
 */
export class RuleRunner {
  private readonly deployer: RuleDeployer;

  constructor(
    private readonly ctx: SiteContext,
    private readonly deps: RuleRunnerDeps,
  ) {
    this.deployer = new RuleDeployer(ctx, deps);
  }

  async run(
    actor: Actor,
    rule: repo.RuleRow,
    trigger: UpdateRuleRunTrigger,
  ): Promise<UpdateRuleRun> {
    const startedAt = nowIso(this.ctx);
    const staleBefore = new Date(this.ctx.clock.now().getTime() - STALE_MS).toISOString();
    if (!(await repo.claimRule(this.ctx.db.kysely, rule.id, startedAt, staleBefore)))
      throw new ConflictError(
        ErrorCode.UPDATE_RULE_RUNNING,
        `automatic deployment rule "${rule.name}" is running already`,
      );
    const progress: Progress = { matched: 0, added: 0, groupId: null };
    try {
      return await this.execute(actor, rule, trigger, startedAt, progress);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      const reason = err instanceof AppError ? `${err.code}: ${err.message}` : err.message;
      this.ctx.log.warn({ err, ruleId: rule.id }, 'an automatic deployment rule run failed');
      return this.record(
        rule,
        { trigger, actor, startedAt, progress },
        { outcome: 'failed', reason },
      );
    }
  }

  private async execute(
    actor: Actor,
    rule: repo.RuleRow,
    trigger: UpdateRuleRunTrigger,
    startedAt: string,
    progress: Progress,
  ): Promise<UpdateRuleRun> {
    const db = this.ctx.db.kysely;
    const matches = await this.deps.catalog.matching(
      catalogFilter(filterOf(rule), this.ctx.clock.now()),
      { offset: 0, limit: MAX_RULE_MATCHES },
    );
    progress.matched = matches.total;
    // "New" is measured against what the rule's groups have deployed, not what they hold: the
    // updates a failed run put in a group are deployed by the next run.
    const groups = await repo.groupsOfRuns(db, rule.id);
    if (rule.group_id) groups.push(rule.group_id);
    const deployed = await repo.deployedUpdateIds(db, groups);
    const fresh = matches.items.map((u) => u.id).filter((id) => !deployed.has(id));
    const base = { trigger, actor, startedAt, progress };
    if (fresh.length === 0) return this.record(rule, base, { outcome: 'nothing-new' });
    const group = await fillGroup(this.ctx, actor, rule, fresh, startedAt);
    progress.groupId = group.id;
    progress.added = fresh.length;
    await this.deps.content.publishGroup(actor, group.id);
    return this.record(rule, base, { outcome: 'succeeded', group });
  }

  /** The run row, its status message and (on success) the deployments, in one transaction. */
  private async record(
    rule: repo.RuleRow,
    base: { trigger: UpdateRuleRunTrigger; actor: Actor; startedAt: string; progress: Progress },
    result:
      | { outcome: 'nothing-new' }
      | { outcome: 'failed'; reason: string }
      | { outcome: 'succeeded'; group: { id: string; name: string } },
  ): Promise<UpdateRuleRun> {
    const id = randomUUID();
    const { progress } = base;
    let deployed: Deployed | undefined;
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const phasedId = result.outcome === 'succeeded' && rule.phased !== null ? randomUUID() : null;
      await repo.insertRun(tx, {
        id,
        rule_id: rule.id,
        trigger: base.trigger,
        requested_by: base.actor.userName,
        started_at: base.startedAt,
        finished_at: nowIso(this.ctx),
        outcome: result.outcome,
        matched: progress.matched,
        added: result.outcome === 'succeeded' ? progress.added : 0,
        group_id: progress.groupId,
        deployment_ids: '[]',
        phased_deployment_id: phasedId,
        error: result.outcome === 'failed' ? result.reason : null,
      });
      if (result.outcome === 'succeeded') {
        deployed = await this.deployer.deploy(tx, base.actor, rule, result.group, phasedId);
        await repo.setRunDeployments(tx, id, deployed.updateDeploymentIds);
      }
      await this.status(tx, rule, base.trigger, progress, result, deployed);
    });
    if (deployed) await this.deployer.afterCommit(base.actor, deployed);
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    const [row] = await repo.findRuns(this.ctx.db.kysely, [id]);
    if (!row) throw new Error(`run ${id} of rule ${rule.id} was not recorded`);
    return toRun(row);
  }

  private async status(
    tx: Queryable,
    rule: repo.RuleRow,
    trigger: UpdateRuleRunTrigger,
    progress: Progress,
    result:
      | { outcome: 'nothing-new' }
      | { outcome: 'failed'; reason: string }
      | { outcome: 'succeeded'; group: { id: string; name: string } },
    deployed: Deployed | undefined,
  ): Promise<void> {
    const attributes = { updateRule: rule.id };
    switch (result.outcome) {
      case 'succeeded':
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'UPDATE_RULE_RUN_SUCCEEDED',
            insertionStrings: [
              rule.name,
              trigger,
              String(progress.matched),
              String(progress.added),
              result.group.name,
              String(deployed?.collections ?? 0),
            ],
            attributes,
          },
          tx,
        );
        return;
      case 'nothing-new':
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'UPDATE_RULE_RUN_NOTHING_NEW',
            insertionStrings: [rule.name, trigger, String(progress.matched)],
            attributes,
          },
          tx,
        );
        return;
      case 'failed':
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'UPDATE_RULE_RUN_FAILED',
            insertionStrings: [rule.name, trigger, result.reason],
            attributes,
          },
          tx,
        );
        return;
    }
  }
}
