import { RuleSet, type AgentCustomInstall, type AgentUpdateInstall } from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import { byDeploymentIds, deployedBinaries, deployedCustomRows } from './deployment-repository.js';
import { optionsOf } from './update-deployment-options.js';

/** The custom updates still deployed, as the agent installs them (ADR 0083), per deployment. */
async function customInstallsFor(
  db: Queryable,
  updateDeploymentIds: readonly string[],
): Promise<Map<string, AgentCustomInstall[]>> {
  const out = new Map<string, AgentCustomInstall[]>();
  if (updateDeploymentIds.length === 0) return out;
  for (const r of await deployedCustomRows(db, updateDeploymentIds)) {
    if (r.removed_at !== null) continue;
    const where = (column: string) => ({
      table: 'custom_update' as const,
      id: r.custom_update_id,
      column,
    });
    const list = out.get(r.update_deployment_id) ?? [];
    list.push({
      updateId: r.custom_update_id,
      title: r.title,
      detection: parseJsonColumn(RuleSet, r.detection, where('detection')),
      applicability:
        r.applicability === null
          ? null
          : parseJsonColumn(RuleSet, r.applicability, where('applicability')),
      installProgramId: r.install_program_id,
      uninstallProgramId: r.uninstall_program_id,
    });
    out.set(r.update_deployment_id, list);
  }
  return out;
}

/**
 * What the agents' assignments add to the software deployments owned by update deployments
 * (ADR 0056): the approved versions still deployed (removed updates left out), the site key the
 * approved repository is signed with, the custom updates with their rules and programs (ADR
 * 0083), and the update options. Keyed by software deployment id.
 */
export async function updateInstallsFor(
  db: Queryable,
  deploymentIds: readonly string[],
): Promise<Map<string, AgentUpdateInstall>> {
  const rows = await byDeploymentIds(db, deploymentIds);
  const ids = rows.map((r) => r.id);
  const binaries = await deployedBinaries(db, ids);
  const custom = await customInstallsFor(db, ids);
  const out = new Map<string, AgentUpdateInstall>();
  for (const r of rows) {
    const updates = new Map<string, { name: string; version: string }[]>();
    for (const b of binaries) {
      if (b.update_deployment_id !== r.id) continue;
      const list = updates.get(b.update_id) ?? [];
      list.push({ name: b.package, version: b.version });
      updates.set(b.update_id, list);
    }
    const customs = custom.get(r.id) ?? [];
    out.set(r.deployment_id, {
      updateDeploymentId: r.id,
      repoKey: r.repo_key,
      updates: [...updates].map(([updateId, list]) => ({ updateId, binaries: list })),
      // Left out when there are none: the document an older agent checks stays as it was.
      ...(customs.length > 0 ? { custom: customs } : {}),
      ...optionsOf(r),
    });
  }
  return out;
}

/** The programs the custom updates of these installs run: the assignments carry them too. */
export function customProgramIds(installs: Iterable<AgentUpdateInstall>): string[] {
  const ids = new Set<string>();
  for (const i of installs)
    for (const c of i.custom ?? []) {
      if (c.installProgramId !== null) ids.add(c.installProgramId);
      if (c.uninstallProgramId !== null) ids.add(c.uninstallProgramId);
    }
  return [...ids];
}
