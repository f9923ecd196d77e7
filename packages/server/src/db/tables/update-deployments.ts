import { integer, nullable, text, type TableOf } from './columns.js';

/** Update groups and update deployments (issue 10; see columns.ts for the conventions). */
export const updateDeploymentsTables = {
  update_group: {
    id: text(),
    name: text(),
    description: text(),
    created_at: text(),
    created_by: text(),
    updated_at: text(),
  },
  update_group_member: {
    group_id: text(),
    update_id: text(),
    position: integer(),
    added_at: text(),
  },
  /** Custom updates in a group (ADR 0083; apt updates are in update_group_member). */
  update_group_custom_member: {
    group_id: text(),
    custom_update_id: text(),
    position: integer(),
    added_at: text(),
  },
  update_deployment: {
    id: text(),
    name: text(),
    group_id: text(),
    deployment_id: text(),
    package_id: text(),
    repo_key: text(),
    /** JSON object of UpdateDeploymentOptions. */
    options: text(),
    created_at: text(),
    created_by: text(),
  },
  update_deployment_update: {
    update_deployment_id: text(),
    update_id: text(),
    position: integer(),
    removed_at: nullable(text()),
  },
  /** Custom updates a deployment holds (ADR 0083), each removable on its own. */
  update_deployment_custom_update: {
    update_deployment_id: text(),
    custom_update_id: text(),
    position: integer(),
    removed_at: nullable(text()),
  },
} as const;

export interface UpdateDeploymentsTables {
  update_group: UpdateGroupTable;
  update_group_member: UpdateGroupMemberTable;
  update_deployment: TableOf<typeof updateDeploymentsTables.update_deployment>;
  update_deployment_update: TableOf<typeof updateDeploymentsTables.update_deployment_update>;
  update_group_custom_member: TableOf<typeof updateDeploymentsTables.update_group_custom_member>;
  update_deployment_custom_update: TableOf<
    typeof updateDeploymentsTables.update_deployment_custom_update
  >;
}
export type UpdateGroupTable = TableOf<typeof updateDeploymentsTables.update_group>;
export type UpdateGroupMemberTable = TableOf<typeof updateDeploymentsTables.update_group_member>;
