import { Badge, Group, Stack, Table, Text } from '@mantine/core';

import { IconTopologyStar3 } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BoundaryGroup } from '@steward/protocol';

import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EditButton } from '../../components/edit-button';
import { EmptyState } from '../../components/empty-state';
import { NewButton } from '../../components/new-button';
import { QueryView } from '../../components/query-view';
import { useEditModal } from '../../components/use-edit-modal';
import { useSession } from '../../session/session-context';
import { keys, useBoundaries, useBoundaryGroups, useDistributionPoints } from '../software/queries';
import { BoundaryGroupModal } from './boundary-group-modal';

export function BoundaryGroupsTab() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const groups = useBoundaryGroups();
  const dps = useDistributionPoints();
  const boundaries = useBoundaries();
  const editor = useEditModal<BoundaryGroup>();
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteBoundaryGroup(id),
    onSuccess: () => {
      notifySuccess('Boundary group deleted.');
      void queryClient.invalidateQueries({ queryKey: keys.boundaryGroups });
      void queryClient.invalidateQueries({ queryKey: keys.boundaries });
    },
  });
  const writable = can('software:write');
  const dpName = (id: string) => dps.data?.find((d) => d.id === id)?.name ?? id;
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? id;
  const boundaryName = (id: string) => boundaries.data?.find((b) => b.id === id)?.name ?? id;
  const list = [...(groups.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    writable && (
      <NewButton onClick={editor.openNew} testId={testId}>
        New boundary group
      </NewButton>
    );
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          A boundary group names the DPs and the site of the clients in its boundaries.
        </Text>
        {newButton('new-boundary-group')}
      </Group>
      <QueryView
        query={groups}
        what="the boundary groups"
        isEmpty={list.length === 0}
        empty={
          <EmptyState
            icon={<IconTopologyStar3 size={24} />}
            title="No boundary groups"
            action={newButton()}
            compact
          />
        }
      >
        <DataTable
          columns={[
            { label: 'Name' },
            { label: 'Site' },
            { label: 'Boundaries' },
            { label: 'Distribution points' },
            { label: 'Neighbours (fallback after)' },
            { w: 150 },
          ]}
          loading={groups.isPending}
          skeletonRows={3}
          testId="boundary-group-table"
        >
          {list.map((g) => (
            <Table.Tr key={g.id} data-testid="boundary-group-row">
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={600}>
                    {g.name}
                  </Text>
                  {g.slow && (
                    <Badge size="xs" color="orange" variant="light">
                      slow
                    </Badge>
                  )}
                </Group>
                {g.description && (
                  <Text size="xs" c="dimmed">
                    {g.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{g.siteCode}</Table.Td>
              <Table.Td>
                <Text size="xs">{g.boundaryIds.map(boundaryName).join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{g.dpIds.map(dpName).join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">
                  {g.neighbours
                    .map((n) => `${groupName(n.boundaryGroupId)} (${n.fallbackAfterMinutes} min)`)
                    .join(', ') || '—'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                {writable && (
                  <RowActions>
                    <EditButton onClick={() => editor.openEdit(g)} />
                    <DeleteIconButton
                      name={g.name}
                      message="Its clients fall back to the DPs of their other groups, or to every unprotected DP."
                      loading={remove.isPending}
                      onConfirm={() => remove.mutateAsync(g.id)}
                      testId="boundary-group-delete"
                    />
                  </RowActions>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </QueryView>
      <BoundaryGroupModal
        key={editor.editing?.id ?? 'new'}
        opened={editor.opened}
        onClose={editor.close}
        existing={editor.editing}
      />
    </Stack>
  );
}
