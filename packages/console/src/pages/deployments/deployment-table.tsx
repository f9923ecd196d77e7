import { Anchor, Badge, Group, Progress, Table, Text, Tooltip } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import type { Deployment, DeploymentSummary } from '@steward/protocol';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { TableSkeleton } from '../../components/table-skeleton';
import { RelativeTime } from '../../components/relative-time';
import { SortableTh } from '../../components/sortable-th';
import {
  IN_PROGRESS_STATES,
  countOf,
  useDeployments,
  useDeploymentSummaries,
  type DeploymentFilter,
} from './queries';
import { describeTrigger, describeWallTime } from './recurrence';
import { clickedWithin } from '../../lib/click-target';

export function PurposeBadge({ purpose }: { purpose: Deployment['purpose'] }) {
  return purpose === 'required' ? (
    <Badge color="indigo" variant="light" data-testid="purpose">
      Required
    </Badge>
  ) : (
    <Badge color="cyan" variant="light" data-testid="purpose">
      Available
    </Badge>
  );
}

type SortField = 'name' | 'collection' | 'purpose' | 'targeted' | 'success' | 'failed' | 'created';

/** The schedule in one line: the first trigger (and how many more), and the expiry. */
function scheduleOf(d: Deployment): string {
  const [first, ...rest] = d.triggers;
  const when =
    d.purpose === 'available'
      ? d.availableAt
        ? `Offered from ${describeWallTime(d.availableAt, d.timeBase)}`
        : 'Offered now'
      : first
        ? `${describeTrigger(first, d.timeBase)}${rest.length > 0 ? ` (+${rest.length} more)` : ''}`
        : 'No schedule';
  return d.expiresAt ? `${when}; expires ${describeWallTime(d.expiresAt, d.timeBase)}` : when;
}

/** Succeeded, in progress, failed and not yet run as one stacked bar, with the counts on hover. */
function StateSummaryBar({ s }: { s: DeploymentSummary }) {
  const ok = countOf(s, 'succeeded') + countOf(s, 'reboot-pending');
  const running = IN_PROGRESS_STATES.reduce((n, st) => n + countOf(s, st), 0);
  const failed = countOf(s, 'failed');
  const waiting = Math.max(0, s.targeted - ok - running - failed);
  const pct = (n: number) => (s.targeted > 0 ? (n / s.targeted) * 100 : 0);
  return (
    <Tooltip
      label={`${ok} succeeded · ${running} in progress · ${failed} failed · ${waiting} not run yet`}
      withArrow
    >
      <Progress.Root size="md" w={150} data-testid="deployment-states">
        <Progress.Section value={pct(ok)} color="teal" />
        <Progress.Section value={pct(running)} color="blue" />
        <Progress.Section value={pct(failed)} color="red" />
        <Progress.Section value={pct(waiting)} color="gray.3" />
      </Progress.Root>
    </Tooltip>
  );
}

/** Deployments with their states, schedule and creation; sortable; filtered by program, collection or package. */
export function DeploymentTable(props: {
  filter?: DeploymentFilter;
  search?: string;
  emptyAction?: ReactNode;
}) {
  const navigate = useNavigate();
  const deployments = useDeployments(props.filter, 10_000);
  const summaries = useDeploymentSummaries(10_000);
  const [sort, setSort] = useState<SortField>('created');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const onSort = (field: SortField) => {
    if (field === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(field);
      setOrder(field === 'name' || field === 'collection' || field === 'purpose' ? 'asc' : 'desc');
    }
  };
  const needle = (props.search ?? '').trim().toLowerCase();
  const summaryOf = (d: Deployment) => d.summary ?? summaries.data?.get(d.id);
  const key = (d: Deployment): string | number => {
    const s = summaryOf(d);
    switch (sort) {
      case 'name':
        return d.name.toLowerCase();
      case 'collection':
        return d.collectionName.toLowerCase();
      case 'purpose':
        return d.purpose;
      case 'targeted':
        return s?.targeted ?? -1;
      case 'success':
        return s?.successPercent ?? -1;
      case 'failed':
        return countOf(s, 'failed');
      case 'created':
        return d.createdAt;
    }
  };
  const rows = (deployments.data ?? [])
    .filter(
      (d) =>
        !needle ||
        d.name.toLowerCase().includes(needle) ||
        d.programName.toLowerCase().includes(needle) ||
        d.packageName.toLowerCase().includes(needle) ||
        d.collectionName.toLowerCase().includes(needle),
    )
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.name.localeCompare(b.name);
      return order === 'asc' ? c : -c;
    });
  if (deployments.isError) return <ErrorState error={deployments.error} what="the deployments" />;
  if (!deployments.isPending && rows.length === 0)
    return (
      <EmptyState
        icon={<IconRocket size={24} />}
        title={needle ? 'No deployment matches' : 'No deployments'}
        description="A deployment runs a program on a collection: offered in the Software Center (available) or run on a schedule (required)."
        action={props.emptyAction}
        compact
      />
    );
  const th = (field: SortField, label: string, w?: number) => (
    <SortableTh field={field} sort={sort} order={order} onSort={onSort} w={w}>
      {label}
    </SortableTh>
  );
  return (
    <Table.ScrollContainer minWidth={1300}>
      <Table className="steward-table" data-testid="deployment-table">
        <Table.Thead>
          <Table.Tr>
            {th('name', 'Name')}
            <Table.Th>Program</Table.Th>
            {th('collection', 'Collection')}
            {th('purpose', 'Purpose', 110)}
            <Table.Th>Schedule</Table.Th>
            {th('targeted', 'Targeted')}
            <Table.Th w={170}>States</Table.Th>
            {th('success', 'Success', 170)}
            {th('failed', 'Failed')}
            {th('created', 'Created', 130)}
          </Table.Tr>
        </Table.Thead>
        {deployments.isPending ? (
          <TableSkeleton columns={10} rows={4} />
        ) : (
          <Table.Tbody>
            {rows.map((d) => {
              const s = summaryOf(d);
              const failed = countOf(s, 'failed');
              const to = `/deployments/${encodeURIComponent(d.id)}`;
              return (
                <Table.Tr
                  key={d.id}
                  className="clickable"
                  onClick={(e) => {
                    if (!clickedWithin(e, 'a')) void navigate(to);
                  }}
                  data-testid="deployment-row"
                  data-deployment-name={d.name}
                >
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Anchor component={Link} to={to} size="sm" fw={600}>
                        {d.name}
                      </Anchor>
                      {!d.enabled && (
                        <Badge size="xs" color="gray" variant="outline">
                          disabled
                        </Badge>
                      )}
                      {d.phasedDeploymentId && (
                        <Tooltip label="A phase of a phased deployment" withArrow>
                          <Badge size="xs" color="grape" variant="light">
                            phase
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      <Anchor
                        component={Link}
                        to={`/software/packages/${encodeURIComponent(d.packageId)}?tab=programs`}
                        size="sm"
                        c="dimmed"
                      >
                        {d.packageName}
                      </Anchor>{' '}
                      › {d.programName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/collections/${encodeURIComponent(d.collectionId)}`}
                      size="sm"
                    >
                      {d.collectionName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <PurposeBadge purpose={d.purpose} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" lineClamp={2} maw={260} data-testid="deployment-schedule">
                      {scheduleOf(d)}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{s ? s.targeted.toLocaleString() : '—'}</Table.Td>
                  <Table.Td>{s ? <StateSummaryBar s={s} /> : '—'}</Table.Td>
                  <Table.Td>
                    {!s ? (
                      '—'
                    ) : d.purpose === 'available' ? (
                      <Text size="xs" data-testid="deployment-installed">
                        {(countOf(s, 'succeeded') + countOf(s, 'reboot-pending')).toLocaleString()}{' '}
                        installed by users
                      </Text>
                    ) : (
                      <PercentBar value={s.successPercent} testId="deployment-success" />
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text
                      size="sm"
                      fw={failed > 0 ? 700 : 400}
                      c={failed > 0 ? 'red' : undefined}
                      data-testid="deployment-failed"
                    >
                      {failed.toLocaleString()}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <RelativeTime iso={d.createdAt} size="xs" />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}
