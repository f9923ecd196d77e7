import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { IconReportAnalytics, IconRocket } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, type UpdateDeployment } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { RatioBar } from '../../../components/ratio-bar';
import { RelativeTime } from '../../../components/relative-time';
import { SortableTh } from '../../../components/sortable-th';
import { ExportButton } from '../../../components/export-button';
import { UPDATE_DEPLOYMENTS_KEY } from './update-deployment-labels';

type SortKey = 'name' | 'deadline' | 'failed';

/** The states a device has finished in (the state summary bar's "done"). */
const done = (d: UpdateDeployment) =>
  (d.summary?.counts.succeeded ?? 0) + (d.summary?.counts['reboot-pending'] ?? 0);
const failed = (d: UpdateDeployment) => d.summary?.counts.failed ?? 0;

function compare(sort: SortKey): (a: UpdateDeployment, b: UpdateDeployment) => number {
  switch (sort) {
    case 'name':
      return (a, b) => a.name.localeCompare(b.name);
    case 'deadline':
      return (a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999');
    case 'failed':
      return (a, b) => failed(a) - failed(b);
  }
}

/**
 * Software library > Software updates > Deployments: every update deployment with its state
 * summary (finished of targeted, failed), sortable; the deployment status reports export them.
 */
export function UpdateDeploymentsPanel() {
  const [sort, setSort] = useState<SortKey>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const list = useQuery({
    queryKey: [UPDATE_DEPLOYMENTS_KEY, 'list'],
    queryFn: () => api.call(ops.updateDeployments.listUpdateDeployments, {}),
    refetchInterval: 10_000,
  });
  if (list.isError) return <ErrorState error={list.error} what="update deployments" />;
  const onSort = (field: SortKey) => {
    setOrder(field === sort && order === 'asc' ? 'desc' : 'asc');
    setSort(field);
  };
  const rows = [...(list.data?.items ?? [])].sort(compare(sort));
  if (order === 'desc') rows.reverse();
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          Deploy an update group from its page (“Deploy”). Disabled deployments stay listed.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Button
            variant="default"
            component={Link}
            to="/monitoring/reports/update-deployment-status-summary"
            leftSection={<IconReportAnalytics size={16} />}
            data-testid="update-deployments-report"
          >
            Status report (CSV)
          </Button>
          <ExportButton op={ops.exports.updateDeployments} testId="update-deployments-export" />
        </Group>
      </Group>
      {list.data?.items.length === 0 ? (
        <EmptyState
          icon={<IconRocket size={26} />}
          title="No update deployments"
          description="Open an update group, publish its content, and choose “Deploy”."
          compact
        />
      ) : (
        <Table.ScrollContainer minWidth={860}>
          <Table className="steward-table" data-testid="update-deployments">
            <Table.Thead>
              <Table.Tr>
                <SortableTh field="name" sort={sort} order={order} onSort={onSort}>
                  Name
                </SortableTh>
                <Table.Th>Group</Table.Th>
                <Table.Th>Collection</Table.Th>
                <SortableTh field="deadline" sort={sort} order={order} onSort={onSort}>
                  Deadline
                </SortableTh>
                <Table.Th w={220}>Finished / targeted</Table.Th>
                <SortableTh field="failed" sort={sort} order={order} onSort={onSort}>
                  Failed
                </SortableTh>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((d) => (
                <Table.Tr key={d.id} data-testid="update-deployment-row" data-name={d.name}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Anchor
                        component={Link}
                        to={`/software/update-deployments/${encodeURIComponent(d.id)}`}
                        size="sm"
                        fw={600}
                      >
                        {d.name}
                      </Anchor>
                      {!d.enabled && (
                        <Badge size="xs" color="gray" variant="outline">
                          disabled
                        </Badge>
                      )}
                      {d.rehearsal && (
                        <Badge size="xs" color="violet" variant="light">
                          rehearsal
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{d.groupName}</Table.Td>
                  <Table.Td>{d.collectionName}</Table.Td>
                  <Table.Td>
                    {d.deadline ? (
                      <Text size="sm">{d.deadline.replace('T', ' ')}</Text>
                    ) : (
                      'Available'
                    )}
                  </Table.Td>
                  <Table.Td>
                    <RatioBar
                      done={done(d)}
                      total={d.summary?.targeted ?? 0}
                      testId="update-deployment-done"
                    />
                  </Table.Td>
                  <Table.Td>
                    <Text
                      size="sm"
                      c={failed(d) > 0 ? 'red' : 'dimmed'}
                      data-testid="update-deployment-failed"
                    >
                      {failed(d).toLocaleString()}
                    </Text>
                    <Text size="xs" c="dimmed">
                      created <RelativeTime iso={d.createdAt} size="xs" />
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
