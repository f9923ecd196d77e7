import { randomUUID } from 'node:crypto';
import type { Actor, SiteContext } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction, type Queryable } from '../../db/database.js';
import {
  addMembers,
  findGroup,
  insertGroup,
  updateGroupRow,
} from '../deployments/group-repository.js';
import * as repo from './repository.js';

const NAME_MAX = 200;

/** A group name not taken yet: `base`, else `base (2)`, `base (3)`... */
async function freeName(tx: Queryable, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    const name = base.slice(0, NAME_MAX - suffix.length) + suffix;
    if (!(await findGroup(tx, name))) return name;
  }
}

/**
 * Puts a run's new updates into the rule's update group (ADR 0072): the rule's one group
 * (made at its first run, or the one chosen) or a new group named after the rule and the run.
 */
export async function fillGroup(
  ctx: SiteContext,
  actor: Actor,
  rule: repo.RuleRow,
  updateIds: readonly string[],
  at: string,
): Promise<{ id: string; name: string }> {
  return inTransaction(ctx.db.kysely, async (tx) => {
    let group =
      rule.group_mode === 'existing-group' && rule.group_id
        ? await findGroup(tx, rule.group_id)
        : undefined;
    if (!group) {
      const base =
        rule.group_mode === 'new-group'
          ? `${rule.name} ${at.slice(0, 16).replace('T', ' ')}`
          : rule.name;
      const row = {
        id: randomUUID(),
        name: await freeName(tx, base),
        description: `Made by automatic deployment rule "${rule.name}"`,
        created_at: at,
        created_by: actor.userName,
        updated_at: at,
      };
      await insertGroup(tx, row);
      if (rule.group_mode === 'existing-group')
        await repo.updateRule(tx, rule.id, { group_id: row.id });
      group = row;
    }
    await addMembers(tx, group.id, updateIds, at);
    await updateGroupRow(tx, group.id, { updated_at: at });
    await writeAudit(tx, actor, at, {
      action: 'update-group.add-updates',
      targetType: 'update-group',
      targetId: group.id,
      details: { updateIds, rule: rule.name },
    });
    return { id: group.id, name: group.name };
  });
}
