import { Anchor, Badge, Button, Group, Paper, Table } from '@mantine/core';
import { IconListTree, IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type ListTaskSequencesQuery, type TaskSequenceKind } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ExportButton } from '../../components/export-button';
import {
  ChoiceFilter,
  FilteredList,
  TextFilter,
  useListPage,
} from '../../components/filtered-list';
import { PageHeader } from '../../components/page-header';
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
  const [kind, setKind] = useState<TaskSequenceKind | undefined>(undefined);
  const filters: Omit<ListTaskSequencesQuery, 'offset' | 'limit'> = {
    ...(search ? { search } : {}),
    ...(kind ? { kind } : {}),
  };
  const [page, setPage] = useListPage(JSON.stringify(filters));
  const list = useQuery({
    queryKey: [TS_KEY, filters, page],
    queryFn: () => api.call(ops.taskSequences.list, { query: { ...filters, ...page } }),
    placeholderData: keepPreviousData,
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
  const filtered = search !== '' || kind !== undefined;
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
        <FilteredList
          filters={
            <>
              <TextFilter
                search
                placeholder="Search by name"
                value={search}
                onChange={setSearch}
                w={300}
                testId="ts-search"
              />
              <ChoiceFilter
                choices={SEQUENCE_KINDS.map((x) => x.value)}
                label={(v) => SEQUENCE_KINDS.find((x) => x.value === v)?.label ?? v}
                placeholder="Any kind"
                value={kind}
                onChange={setKind}
                w={260}
                testId="ts-kind"
              />
            </>
          }
          actions={
            <ExportButton op={ops.exports.taskSequences} filters={filters} testId="ts-export" />
          }
          query={list}
          what="the task sequences"
          empty={
            filtered
              ? { icon: <IconListTree />, title: 'No task sequence matches these filters' }
              : {
                  icon: <IconListTree />,
                  title: 'No task sequences',
                  description: 'Build one in the editor: steps, groups, conditions and variables.',
                }
          }
          page={page}
          onPage={setPage}
          pagerTestId="ts-pager"
        >
          <DataTable
            testId="ts-list"
            loading={list.isPending}
            columns={[
              { label: 'Name' },
              { label: 'Kind' },
              { label: 'Version' },
              { label: 'Steps' },
              { label: 'Updated' },
              {},
            ]}
          >
            {list.data?.items.map((s) => (
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
          </DataTable>
        </FilteredList>
      </Paper>
    </>
  );
}
