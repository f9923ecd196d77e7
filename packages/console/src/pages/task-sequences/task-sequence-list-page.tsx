import { Anchor, Badge, Button, Group, Paper, Select, Table, TextInput } from '@mantine/core';
import { IconListTree, IconPlus, IconSearch } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { RowDeleteCell } from './row-delete-cell';
import { SEQUENCE_KINDS } from './task-sequence-editor';

export const TS_KEY = 'task-sequences';
export const taskSequencePath = (id: string) =>
  `/software/task-sequences/${encodeURIComponent(id)}`;

/** Software library › Operating systems › Task sequences. */
export function TaskSequenceListPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const k = SEQUENCE_KINDS.find((x) => x.value === kind)?.value;
  const list = useQuery({
    queryKey: [TS_KEY, search, k],
    queryFn: () =>
      api.call(ops.taskSequences.list, {
        query: { limit: 500, ...(search ? { search } : {}), ...(k ? { kind: k } : {}) },
      }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.taskSequences.delete, { params: { id } }),
    meta: { errorTitle: 'Task sequence not deleted' },
    onSuccess: () => {
      notifySuccess('The task sequence and its versions were deleted.', 'Deleted');
      void queryClient.invalidateQueries({ queryKey: [TS_KEY] });
    },
  });
  const newButton = (testId?: string) =>
    can('software:write') && (
      <Button
        component={Link}
        to="/software/task-sequences/new"
        leftSection={<IconPlus size={16} />}
        data-testid={testId}
      >
        New task sequence
      </Button>
    );
  const items = list.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Task sequences"
        icon={<IconListTree />}
        description="Ordered steps that install, capture or change an operating system, run unattended"
        actions={
          <Group gap="xs">
            <Button component={Link} to="/software/task-sequence-deployments" variant="default">
              Deployments
            </Button>
            {newButton('ts-new')}
          </Group>
        }
        testId="task-sequences-page"
      />
      <Paper p="md">
        <Group mb="sm">
          <TextInput
            placeholder="Search by name"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={300}
          />
          <Select
            placeholder="Any kind"
            clearable
            data={SEQUENCE_KINDS}
            value={kind}
            onChange={setKind}
            w={260}
          />
        </Group>
        <QueryView
          query={list}
          what="the task sequences"
          isEmpty={items.length === 0}
          empty={
            <EmptyState
              icon={<IconListTree />}
              title="No task sequences"
              description="Build one in the editor: steps, groups, conditions and variables."
              action={newButton()}
            />
          }
        >
          <Table className="steward-table" data-testid="ts-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Steps</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <Table.Tr key={s.id} data-testid={`ts-row-${s.name}`}>
                  <Table.Td>
                    <Anchor component={Link} to={taskSequencePath(s.id)}>
                      {s.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" size="sm">
                      {s.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{s.version}</Table.Td>
                  <Table.Td>{s.stepCount}</Table.Td>
                  <Table.Td>
                    <RelativeTime iso={s.updatedAt} /> by {s.updatedBy}
                  </Table.Td>
                  <RowDeleteCell
                    allowed={can('software:write')}
                    name={s.name}
                    message="Its versions go too. A sequence that is deployed cannot be deleted."
                    loading={remove.isPending}
                    onConfirm={() => remove.mutateAsync(s.id)}
                    testId={`ts-delete-${s.name}`}
                  />
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </QueryView>
      </Paper>
    </>
  );
}
