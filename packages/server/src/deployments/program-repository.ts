import { Type, type TSchema } from '@sinclair/typebox';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { PlatformRequirements, type Program } from '@steward/protocol';
import type { ProgramTable } from '../db/tables/index.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';
import { packageHeads } from '../content/repository.js';
import type { Queryable } from '../db/database.js';

export type ProgramRow = Selectable<ProgramTable> & { package_name: string };

const ExitCodes = Type.Array(Type.Integer());

/** Stored JSON is checked on the way out: a row that does not parse is corrupt, never defaulted. */
export function toProgram(row: ProgramRow): Program {
  checkRow('program', row.id, row);
  const json = <T extends TSchema>(schema: T, column: keyof ProgramRow) =>
    parseJsonColumn(schema, row[column], { table: 'program', id: row.id, column });
  return {
    id: row.id,
    packageId: row.package_id,
    packageName: row.package_name,
    name: row.name,
    commandLine: row.command_line,
    workingDirectory: row.working_directory,
    runAs: row.run_as,
    maxRunMinutes: row.max_run_minutes,
    successExitCodes: json(ExitCodes, 'success_exit_codes'),
    rebootExitCodes: json(ExitCodes, 'reboot_exit_codes'),
    requirements: json(PlatformRequirements, 'requirements'),
    dependsOnProgramId: row.depends_on_program_id,
    description: row.description,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function selectPrograms(db: Queryable) {
  return db
    .selectFrom('program as p')
    .innerJoin(packageHeads(db).as('k'), 'k.id', 'p.package_id')
    .selectAll('p')
    .select('k.name as package_name');
}

export function listProgramRows(db: Queryable, packageId?: string): Promise<ProgramRow[]> {
  let q = selectPrograms(db).orderBy('k.name').orderBy('p.name');
  if (packageId !== undefined) q = q.where('p.package_id', '=', packageId);
  return q.execute();
}

export function findProgramRow(db: Queryable, id: string): Promise<ProgramRow | undefined> {
  return selectPrograms(db).where('p.id', '=', id).executeTakeFirst();
}

export function programRowsByIds(db: Queryable, ids: readonly string[]): Promise<ProgramRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectPrograms(db)
    .where('p.id', 'in', [...ids])
    .execute();
}

export async function insertProgram(db: Queryable, row: Insertable<ProgramTable>): Promise<void> {
  await db.insertInto('program').values(row).execute();
}

export async function updateProgram(
  db: Queryable,
  id: string,
  set: Updateable<ProgramTable>,
): Promise<void> {
  await db.updateTable('program').set(set).where('id', '=', id).execute();
}

export async function deleteProgram(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('program').where('id', '=', id).execute();
}

/** Every program's dependency edge: programs are few (hundreds), so cycles are checked in memory. */
export async function dependencyEdges(db: Queryable): Promise<Map<string, string | null>> {
  const rows = await db.selectFrom('program').select(['id', 'depends_on_program_id']).execute();
  return new Map(rows.map((r) => [r.id, r.depends_on_program_id]));
}

/** The program and every program that depends on it, directly or through others. */
export function withDependants(edges: ReadonlyMap<string, string | null>, id: string): string[] {
  const found = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, dep] of edges)
      if (dep !== null && found.has(dep) && !found.has(p)) {
        found.add(p);
        grew = true;
      }
  }
  return [...found];
}

/**
 * Whether `programId` depending on `dependsOn` closes a loop: follows the chain from
 * `dependsOn` and reports it if it comes back to `programId` (itself included).
 */
export function closesCycle(
  edges: ReadonlyMap<string, string | null>,
  programId: string,
  dependsOn: string,
): string[] | undefined {
  const path = [programId];
  let at: string | null | undefined = dependsOn;
  const seen = new Set<string>();
  while (at !== null && at !== undefined && !seen.has(at)) {
    path.push(at);
    if (at === programId) return path;
    seen.add(at);
    at = edges.get(at);
  }
  return undefined;
}

/** What keeps a program from being deleted: deployments, phased deployments, dependants. */
export async function programUsers(
  db: Queryable,
  id: string,
): Promise<{ deployments: string[]; phasedDeployments: string[]; programs: string[] }> {
  const deployments = await db
    .selectFrom('deployment')
    .select('name')
    .where('program_id', '=', id)
    .execute();
  const phased = await db
    .selectFrom('phased_deployment')
    .select('name')
    .where('program_id', '=', id)
    .execute();
  const programs = await db
    .selectFrom('program')
    .select('name')
    .where('depends_on_program_id', '=', id)
    .execute();
  return {
    deployments: deployments.map((r) => r.name),
    phasedDeployments: phased.map((r) => r.name),
    programs: programs.map((r) => r.name),
  };
}

/** Collections targeted by deployments of these programs (for nudges and cache drops). */
export async function collectionsDeploying(
  db: Queryable,
  programIds: readonly string[],
): Promise<string[]> {
  if (programIds.length === 0) return [];
  const rows = await db
    .selectFrom('deployment')
    .select('collection_id')
    .distinct()
    .where('program_id', 'in', [...programIds])
    .execute();
  return rows.map((r) => r.collection_id);
}
