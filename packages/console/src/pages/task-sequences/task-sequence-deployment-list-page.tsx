import { Anchor, Badge, Paper, Table } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  ops,
  type ListTaskSequenceDeploymentsQuery,
  type TaskSequenceRunCounts,
} from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { DataTable } from '../../components/data-table';
import { ExportButton } from '../../components/export-button';
import { FilteredList, useListPage } from '../../components/filtered-list';
import { PageHeader } from '../../components/page-header';
import { RatioBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { TSD_KEY, tsDeploymentPath } from './deploy-wizard-page';
import { taskSequencePath } from './task-sequence-list-page';

function countsText(c: TaskSequenceRunCounts): string {
  return `${String(c.succeeded)} succeeded · ${String(c.running + c.restarting)} running · ${String(c.failed)} failed · ${String(c.targeted)} not started`;
}

/** Task-sequence deployments (all, or one sequence's), with their run counts: paged, exported. */
export function TaskSequenceDeploymentsTable(props: { sequenceId?: string }) {
  const filters: Omit<ListTaskSequenceDeploymentsQuery, 'offset' | 'limit'> = props.sequenceId
    ? { sequenceId: props.sequenceId }
    : {};
  const [page, setPage] = useListPage(props.sequenceId ?? '');
  const list = useQuery({
    queryKey: [TSD_KEY, 'list', props.sequenceId, page],
    queryFn: () => api.call(ops.taskSequenceDeployments.list, { query: { ...filters, ...page } }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  return (
    <FilteredList
      actions={
        <ExportButton
          op={ops.exports.taskSequenceDeployments}
          filters={filters}
          testId="tsd-export"
        />
      }
      query={list}
      what="the task-sequence deployments"
      empty={{
        icon: <IconRocket />,
        title: 'Not deployed',
        description: 'Open a task sequence and deploy it to a collection.',
      }}
      page={page}
      onPage={setPage}
      pagerTestId="tsd-pager"
    >
      <DataTable
        testId="tsd-list"
        loading={list.isPending}
        columns={[
          { label: 'Name' },
          { label: 'Task sequence' },
          { label: 'Collection' },
          { label: 'Purpose' },
          { label: 'Progress' },
          { label: 'Created' },
        ]}
      >
        {list.data?.items.map((d) => {
          const total =
            d.counts.targeted +
            d.counts.running +
            d.counts.restarting +
            d.counts.succeeded +
            d.counts.failed;
          return (
            <Table.Tr key={d.id} data-testid={`tsd-row-${d.id}`}>
              <Table.Td>
                <Anchor component={Link} to={tsDeploymentPath(d.id)}>
                  {d.name}
                </Anchor>{' '}
                {!d.enabled && (
                  <Badge size="xs" color="gray">
                    disabled
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={taskSequencePath(d.sequenceId)}>
                  {d.sequenceName}
                </Anchor>{' '}
                v{d.version}
              </Table.Td>
              <Table.Td>{d.collectionName}</Table.Td>
              <Table.Td>
                <Badge
                  size="sm"
                  variant="light"
                  color={d.purpose === 'required' ? 'orange' : 'blue'}
                >
                  {d.purpose}
                </Badge>
              </Table.Td>
              <Table.Td title={countsText(d.counts)}>
                <RatioBar
                  done={d.counts.succeeded}
                  total={total}
                  w={140}
                  label="Succeeded of targeted"
                />
              </Table.Td>
              <Table.Td>
                <RelativeTime iso={d.createdAt} />
              </Table.Td>
            </Table.Tr>
          );
        })}
      </DataTable>
    </FilteredList>
  );
}

/** Software library › Operating systems › Task-sequence deployments. */
export function TaskSequenceDeploymentListPage() {
  return (
    <>
      <PageHeader
        title="Task-sequence deployments"
        icon={<IconRocket />}
        description="Task sequences deployed to collections, and how far every member has got"
        testId="tsd-list-page"
      />
      <Paper p="md">
        <TaskSequenceDeploymentsTable />
      </Paper>
    </>
  );
}
