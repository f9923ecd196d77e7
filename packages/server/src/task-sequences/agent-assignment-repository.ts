import { SequenceSteps, Variables, type AgentTaskSequenceDeployment } from '@steward/protocol';
import { parseJsonColumn } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';

/**
 * The task-sequence deployments an agent runs (issue 11, ADR 0084): enabled ones made available
 * to clients, to the collections holding the device, each with its sequence version whole and
 * the variables resolved here: the sequence's defaults, then the deployment collection's, then
 * the device's (the later wins).
 */
export async function agentTaskSequences(
  db: Queryable,
  deviceId: string,
  collectionIds: readonly string[],
): Promise<AgentTaskSequenceDeployment[]> {
  if (collectionIds.length === 0) return [];
  const rows = await db
    .selectFrom('task_sequence_deployment as d')
    .innerJoin('task_sequence as s', 's.id', 'd.sequence_id')
    .innerJoin('task_sequence_version as v', (j) =>
      j.onRef('v.sequence_id', '=', 'd.sequence_id').onRef('v.version', '=', 'd.version'),
    )
    .select([
      'd.id',
      'd.name',
      'd.purpose',
      'd.available_at',
      'd.deadline',
      'd.honor_windows',
      'd.rerun',
      'd.collection_id',
      'd.sequence_id',
      'd.version',
      's.name as sequence_name',
      's.kind',
      'v.steps',
      'v.variables',
    ])
    .where('d.collection_id', 'in', [...collectionIds])
    .where('d.enabled', '=', 1)
    .where('d.available_to', 'in', ['clients', 'clients-media-and-pxe'])
    .orderBy('d.id')
    .execute();
  if (rows.length === 0) return [];
  const collectionVars = await db
    .selectFrom('collection_ts_variable')
    .select(['target_id', 'name', 'value'])
    .where('target_id', 'in', [...new Set(rows.map((r) => r.collection_id))])
    .execute();
  const deviceVars = await db
    .selectFrom('device_ts_variable')
    .select(['name', 'value'])
    .where('target_id', '=', deviceId)
    .execute();
  return rows.map((r) => {
    const ref = {
      table: 'task_sequence_version' as const,
      id: `${r.sequence_id}/${String(r.version)}`,
    };
    const variables: Record<string, string> = {
      ...parseJsonColumn(Variables, r.variables, { ...ref, column: 'variables' }),
    };
    for (const v of collectionVars)
      if (v.target_id === r.collection_id) variables[v.name] = v.value;
    for (const v of deviceVars) variables[v.name] = v.value;
    return {
      id: r.id,
      name: r.name,
      purpose: r.purpose,
      kind: r.kind,
      availableAt: r.available_at,
      deadline: r.deadline,
      honorWindows: r.honor_windows === 1,
      rerun: r.rerun,
      sequence: {
        sequenceId: r.sequence_id,
        name: r.sequence_name,
        version: r.version,
        steps: parseJsonColumn(SequenceSteps, r.steps, { ...ref, column: 'steps' }),
        variables,
      },
    };
  });
}
