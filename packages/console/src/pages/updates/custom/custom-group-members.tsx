import { Anchor, Button, Group, Select, Table, Text } from '@mantine/core';
import { IconPlus, IconPuzzle } from '@tabler/icons-react';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { errorCode, errorMessage } from '../../../api/errors';
import { DataTable, RowActions } from '../../../components/data-table';
import { DeleteIconButton } from '../../../components/delete-icon-button';
import { EmptyState } from '../../../components/empty-state';
import { RatioBar } from '../../../components/ratio-bar';
import { useSession } from '../../../session/session-context';
import { UPDATE_KEYS } from '../update-labels';
import { CUSTOM_UPDATES_KEY, customUpdatePath } from './custom-update-labels';
import { useCustomCompliance } from './custom-updates-list';

/** Picks a custom update not yet in the group and adds it (`updateIds` names either kind). */
function AddCustomMember({ groupId, members }: { groupId: string; members: readonly string[] }) {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: [CUSTOM_UPDATES_KEY, 'list', { search, limit: 50 }],
    queryFn: () =>
      api.call(ops.customUpdates.listCustomUpdates, {
        query: { ...(search ? { search } : {}), limit: 50 },
      }),
  });
  const add = useMutation({
    mutationFn: (id: string) =>
      api.call(ops.updateGroups.addUpdates, { params: { id: groupId }, body: { updateIds: [id] } }),
    meta: { silent: true },
    onSuccess: () => {
      setChosen(null);
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
    },
  });
  const options = (list.data?.items ?? [])
    .filter((u) => !members.includes(u.id))
    .map((u) => ({ value: u.id, label: `${u.title} (${u.vendor} ${u.product} ${u.version})` }));
  return (
    <Group align="flex-start" gap="xs" mb="sm">
      <Select
        placeholder="Custom update to add"
        data={options}
        value={chosen}
        onChange={setChosen}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        nothingFoundMessage="No custom update matches"
        clearable
        w={420}
        error={add.isError ? errorMessage(add.error) : undefined}
        data-error-code={add.isError ? errorCode(add.error) : undefined}
        data-testid="group-custom-choose"
      />
      <Button
        leftSection={<IconPlus size={16} />}
        disabled={chosen === null}
        loading={add.isPending}
        onClick={() => chosen && add.mutate(chosen)}
        data-testid="group-custom-add"
      >
        Add
      </Button>
    </Group>
  );
}

/**
 * A group's custom updates (ADR 0083), each with its machines from their scans: installed of
 * those that have or need it, and how many still need it; add one, remove one.
 */
export function GroupCustomMembers({ groupId, ids }: { groupId: string; ids: string[] }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const updates = useQueries({
    queries: ids.map((id) => ({
      queryKey: [CUSTOM_UPDATES_KEY, id],
      queryFn: () => api.call(ops.customUpdates.getCustomUpdate, { params: { id } }),
    })),
  });
  const compliance = useCustomCompliance(ids);
  const remove = useMutation({
    mutationFn: (updateId: string) =>
      api.call(ops.updateGroups.removeUpdate, { params: { id: groupId, updateId } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] }),
  });
  return (
    <>
      {can('software:write') && <AddCustomMember groupId={groupId} members={ids} />}
      {ids.length === 0 ? (
        <EmptyState
          icon={<IconPuzzle size={26} />}
          title="No custom updates in this group"
          description="Add one above, or tick custom updates in the catalog (kind Custom) and choose “Add to update group”."
          compact
        />
      ) : (
        <DataTable
          testId="update-group-custom-members"
          loading={false}
          minWidth={760}
          columns={[
            { label: 'Custom update' },
            { label: 'Version' },
            { label: 'Installed / applicable', w: 260 },
            { label: 'Required', ta: 'right' },
            { label: '' },
          ]}
        >
          {ids.map((id, i) => {
            const u = updates[i]?.data;
            const c = compliance[i]?.data?.counts;
            return (
              <Table.Tr key={id} data-testid="update-group-custom-member" data-title={u?.title}>
                <Table.Td>
                  <Anchor component={Link} to={customUpdatePath(id)} size="sm" fw={600}>
                    {u?.title ?? id}
                  </Anchor>
                  {u && (
                    <Text size="xs" c="dimmed">
                      {u.vendor} · {u.product}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {u?.version ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c && <RatioBar done={c.installed} total={c.installed + c.required} />}
                </Table.Td>
                <Table.Td ta="right">{c ? c.required.toLocaleString() : ''}</Table.Td>
                <Table.Td>
                  {can('software:write') && (
                    <RowActions>
                      <DeleteIconButton
                        name={`${u?.title ?? id} from the group`}
                        message="The custom update leaves this group; the catalog keeps it."
                        loading={remove.isPending && remove.variables === id}
                        onConfirm={() => remove.mutateAsync(id)}
                        testId="update-group-custom-remove"
                      />
                    </RowActions>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}
