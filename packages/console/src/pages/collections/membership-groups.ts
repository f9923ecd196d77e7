import type { MembershipChange } from '@steward/protocol';

/** One evaluation run: the changes it recorded (same time, same rules revision). */
export interface EvaluationGroup {
  at: string;
  revision: number;
  /** The rules changed since the previous (older) evaluation shown. */
  rulesChanged: boolean;
  added: MembershipChange[];
  removed: MembershipChange[];
}

/**
 * Groups changes (newest first) by evaluation run: an evaluation writes all its changes with
 * one time and one rules revision.
 */
export function groupByEvaluation(changes: readonly MembershipChange[]): EvaluationGroup[] {
  const groups: EvaluationGroup[] = [];
  for (const c of changes) {
    let g = groups[groups.length - 1];
    if (!g || g.at !== c.at || g.revision !== c.revision) {
      g = { at: c.at, revision: c.revision, rulesChanged: false, added: [], removed: [] };
      groups.push(g);
    }
    (c.change === 'added' ? g.added : g.removed).push(c);
  }
  groups.forEach((g, i) => {
    const older = groups[i + 1];
    g.rulesChanged = older !== undefined && older.revision !== g.revision;
  });
  return groups;
}
