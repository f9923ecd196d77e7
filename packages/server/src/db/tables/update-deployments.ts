import { integer, text, type TableOf } from './columns.js';

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
} as const;

export interface UpdateDeploymentsTables {
  update_group: UpdateGroupTable;
  update_group_member: UpdateGroupMemberTable;
}
export type UpdateGroupTable = TableOf<typeof updateDeploymentsTables.update_group>;
export type UpdateGroupMemberTable = TableOf<typeof updateDeploymentsTables.update_group_member>;
