import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconEdit, IconPlus, IconTopologyStar3, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BoundaryGroup } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { TableSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { keys, useBoundaryGroups, useDistributionPoints } from '../software/queries';
import { BoundaryGroupModal } from './boundary-group-modal';

export function BoundaryGroupsTab() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const groups = useBoundaryGroups();
  const dps = useDistributionPoints();
  const boundaries = useQuery({ queryKey: keys.boundaries, queryFn: () => api.listBoundaries() });
  const [opened, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<BoundaryGroup | undefined>(undefined);
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
      <Button
        leftSection={<IconPlus size={16} />}
        onClick={() => {
          setEditing(undefined);
          open();
        }}
        data-testid={testId}
      >
        New boundary group
      </Button>
    );
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          A boundary group names the DPs and the site of the clients in its boundaries.
        </Text>
        {newButton('new-boundary-group')}
      </Group>
      {groups.isError ? (
        <ErrorState error={groups.error} what="the boundary groups" />
      ) : !groups.isPending && list.length === 0 ? (
        <EmptyState
          icon={<IconTopologyStar3 size={24} />}
          title="No boundary groups"
          action={newButton()}
          compact
        />
      ) : (
        <Table className="steward-table" data-testid="boundary-group-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Site</Table.Th>
              <Table.Th>Boundaries</Table.Th>
              <Table.Th>Distribution points</Table.Th>
              <Table.Th>Neighbours (fallback after)</Table.Th>
              <Table.Th w={150} />
            </Table.Tr>
          </Table.Thead>
          {groups.isPending ? (
            <TableSkeleton columns={6} rows={3} />
          ) : (
            <Table.Tbody>
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
                        .map(
                          (n) => `${groupName(n.boundaryGroupId)} (${n.fallbackAfterMinutes} min)`,
                        )
                        .join(', ') || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    {writable && (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="subtle"
                          leftSection={<IconEdit size={14} />}
                          onClick={() => {
                            setEditing(g);
                            open();
                          }}
                        >
                          Edit
                        </Button>
                        <ConfirmButton
                          size="xs"
                          variant="subtle"
                          color="red"
                          px={6}
                          title={`Delete ${g.name}?`}
                          message="Its clients fall back to the DPs of their other groups, or to every unprotected DP."
                          confirmLabel="Delete"
                          loading={remove.isPending}
                          onConfirm={() => remove.mutateAsync(g.id)}
                          testId="boundary-group-delete"
                        >
                          <IconTrash size={15} />
                        </ConfirmButton>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          )}
        </Table>
      )}
      <BoundaryGroupModal
        key={editing?.id ?? 'new'}
        opened={opened}
        onClose={close}
        existing={editing}
      />
    </Stack>
  );
}
