import { Group } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { api } from '../../api/client';
import { BulkActionBar, type BulkSummary } from '../../components/bulk-action-bar';
import { SelectionBanner, type RowSelection } from '../../components/row-selection';
import { useSession } from '../../session/session-context';
import { UPDATE_KEYS } from './update-labels';
import { UpdateDeployButton } from './deployments/update-deploy-modal';

/**
 * Adds the selected updates (catalog or custom: one id list names either kind, ADR 0083) to a
 * group: the added, and those already in it, counted.
 */
async function addToGroup(groupId: string, ids: string[]): Promise<BulkSummary> {
  const before = await api.call(ops.updateGroups.getGroup, { params: { id: groupId } });
  const after = await api.call(ops.updateGroups.addUpdates, {
    params: { id: groupId },
    body: { updateIds: ids },
  });
  const done =
    after.updateIds.length +
    after.customUpdateIds.length -
    before.updateIds.length -
    before.customUpdateIds.length;
  return {
    matched: ids.length,
    done,
    unchanged: ids.length - done,
    failed: 0,
    failures: [],
    follow: {
      to: `/software/update-groups/${encodeURIComponent(groupId)}`,
      label: `Open ${after.name}`,
    },
  };
}

/**
 * The bulk bar of an update list (the catalog's apt and custom lists): "Add to update group" for
 * the ticked rows, then the selection banner.
 */
export function AddToGroupBar(props: {
  selection: RowSelection<never>;
  noun: string;
  /** The list holds custom updates: the wizard names them with their programs. */
  custom?: boolean;
}) {
  const { selection } = props;
  const { can } = useSession();
  // Ticked rows can be deployed at once; "all matching the filter" goes through a group.
  const ids = selection.selection && 'ids' in selection.selection ? selection.selection.ids : [];
  const customIds = props.custom === true ? ids : [];
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: [UPDATE_KEYS.groups],
    queryFn: () => api.call(ops.updateGroups.listGroups, {}),
  });
  return (
    <>
      <BulkActionBar
        selection={selection}
        noun={props.noun}
        actions={[
          {
            id: 'add-to-group',
            label: 'Add to update group',
            verb: 'Add',
            note: 'Updates already in the group stay once.',
            choose: {
              label: 'Update group',
              placeholder: groups.data?.items.length ? 'Choose a group' : 'No groups yet',
              options: (groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name })),
              testId: 'bulk-update-group',
            },
          },
        ]}
        run={async (_action, o) => {
          const summary = await addToGroup(
            o.choice ?? '',
            selection.selection && 'ids' in selection.selection ? selection.selection.ids : [],
          );
          // At once, not on close: the result's link opens the group, which must show them.
          await queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
          return summary;
        }}
        onDone={() => {
          selection.clear();
          void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
        }}
      />
      {can('deployments:write') && ids.length > 0 && (
        <Group justify="flex-end">
          <UpdateDeployButton
            groupId={{ selection: ids }}
            groupName={`${ids.length.toLocaleString()} selected ${props.noun}`}
            updates={ids.length - customIds.length}
            customUpdateIds={customIds}
            disabled={false}
          />
        </Group>
      )}
      <SelectionBanner selection={selection} noun={props.noun} />
    </>
  );
}
