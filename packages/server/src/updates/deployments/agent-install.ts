import type { AgentUpdateInstall } from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { byDeploymentIds, deployedBinaries } from './deployment-repository.js';
import { optionsOf } from './update-deployment-options.js';

/**
 * What the agents' assignments add to the software deployments owned by update deployments
 * (ADR 0056): the approved versions still deployed (removed updates left out), the site key the
 * approved repository is signed with, and the update options. Keyed by software deployment id.
 */
export async function updateInstallsFor(
  db: Queryable,
  deploymentIds: readonly string[],
): Promise<Map<string, AgentUpdateInstall>> {
  const rows = await byDeploymentIds(db, deploymentIds);
  const binaries = await deployedBinaries(
    db,
    rows.map((r) => r.id),
  );
  const out = new Map<string, AgentUpdateInstall>();
  for (const r of rows) {
    const updates = new Map<string, { name: string; version: string }[]>();
    for (const b of binaries) {
      if (b.update_deployment_id !== r.id) continue;
      const list = updates.get(b.update_id) ?? [];
      list.push({ name: b.package, version: b.version });
      updates.set(b.update_id, list);
    }
    out.set(r.deployment_id, {
      updateDeploymentId: r.id,
      repoKey: r.repo_key,
      updates: [...updates].map(([updateId, list]) => ({ updateId, binaries: list })),
      ...optionsOf(r),
    });
  }
  return out;
}
