import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';

/** A program `prog-1` of the package and a required deployment `dep-1` of it (integration tests). */
export async function insertProgramAndDeployment(
  db: Kysely<Database>,
  o: { packageId: string; collectionId: string; at: string },
): Promise<void> {
  await db
    .insertInto('program')
    .values({
      id: 'prog-1',
      package_id: o.packageId,
      name: 'Install',
      command_line: './install.sh',
      working_directory: '',
      run_as: 'root',
      max_run_minutes: 10,
      success_exit_codes: '[0]',
      reboot_exit_codes: '[]',
      requirements: '{}',
      depends_on_program_id: null,
      description: '',
      disabled: 0,
      created_at: o.at,
      updated_at: o.at,
    })
    .execute();
  await db
    .insertInto('deployment')
    .values({
      id: 'dep-1',
      name: 'Deploy it',
      program_id: 'prog-1',
      collection_id: o.collectionId,
      purpose: 'required',
      triggers: '[]',
      available_at: null,
      expires_at: null,
      time_base: 'utc',
      rerun: 'never',
      pre_download: 0,
      content_mode: 'download',
      run_over_slow_boundary: 1,
      allow_fallback: 1,
      override_maintenance_windows: 0,
      max_postpone_minutes: 0,
      enabled: 1,
      revision: 1,
      extra_assignments: '[]',
      phased_deployment_id: null,
      created_by: 'admin',
      created_at: o.at,
      updated_at: o.at,
    })
    .execute();
}
