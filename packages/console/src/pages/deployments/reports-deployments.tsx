import { BarChart } from '@mantine/charts';
import {
  ActionIcon,
  Anchor,
  Code,
  Collapse,
  Group,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import {
  IconChevronDown,
  IconChevronRight,
  IconCircleCheck,
  IconListCheck,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { DeploymentFailureRow } from '@steward/protocol';
import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { IN_PROGRESS_STATES, countOf, useDeployments } from './queries';

/** Deployment status summary: per deployment, targeted, outcome counts and success rate. */
export function DeploymentSummaryReport() {
  const report = useQuery({
    queryKey: ['reports', 'deployment-summary'],
    queryFn: () => api.reportDeploymentSummary(),
    refetchInterval: 15_000,
  });
  if (report.isError) return <ErrorState error={report.error} what="the deployment summary" />;
  const rows = [...(report.data ?? [])].sort((a, b) =>
    a.deploymentName.localeCompare(b.deploymentName),
  );
  if (!report.isPending && rows.length === 0)
    return <EmptyState icon={<IconListCheck size={24} />} title="No deployments yet" compact />;
  const chart = rows.slice(0, 20).map((r) => ({
    name: r.deploymentName,
    Succeeded: countOf(r, 'succeeded') + countOf(r, 'reboot-pending'),
    'In progress': IN_PROGRESS_STATES.reduce((n, s) => n + countOf(r, s), 0),
    Failed: countOf(r, 'failed'),
    'Not received': countOf(r, 'targeted'),
  }));
  return (
    <Stack gap="md">
      {rows.length > 0 && (
        <BarChart
          h={Math.max(160, chart.length * 34)}
          data={chart}
          dataKey="name"
          type="stacked"
          orientation="vertical"
          yAxisProps={{ width: 180 }}
          xAxisProps={{ allowDecimals: false }}
          withLegend
          series={[
            { name: 'Succeeded', color: 'teal.6' },
            { name: 'In progress', color: 'blue.5' },
            { name: 'Failed', color: 'red.6' },
            { name: 'Not received', color: 'gray.4' },
          ]}
          data-testid="report-summary-chart"
        />
      )}
      <Table className="steward-table" data-testid="report-summary">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Deployment</Table.Th>
            <Table.Th ta="right">Targeted</Table.Th>
            <Table.Th ta="right">Succeeded</Table.Th>
            <Table.Th ta="right">In progress</Table.Th>
            <Table.Th ta="right">Failed</Table.Th>
            <Table.Th ta="right">Overdue</Table.Th>
            <Table.Th w={200}>Success</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {report.isPending ? (
          <TableSkeleton columns={7} rows={4} />
        ) : (
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.deploymentId} data-testid="report-summary-row">
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/deployments/${encodeURIComponent(r.deploymentId)}`}
                    size="sm"
                    fw={600}
                  >
                    {r.deploymentName}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">{r.targeted}</Table.Td>
                <Table.Td ta="right">
                  {countOf(r, 'succeeded') + countOf(r, 'reboot-pending')}
                </Table.Td>
                <Table.Td ta="right">
                  {IN_PROGRESS_STATES.reduce((n, s) => n + countOf(r, s), 0)}
                </Table.Td>
                <Table.Td ta="right" c={countOf(r, 'failed') > 0 ? 'red' : undefined}>
                  {countOf(r, 'failed')}
                </Table.Td>
                <Table.Td ta="right">{r.overdue}</Table.Td>
                <Table.Td>
                  <PercentBar value={r.successPercent} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        )}
      </Table>
    </Stack>
  );
}

function FailureRow({ row }: { row: DeploymentFailureRow }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <Table.Tr data-testid="report-failure-row">
        <Table.Td w={34}>
          <ActionIcon
            variant="subtle"
            size="sm"
            onClick={() => setOpen((o) => !o)}
            aria-label="Output"
          >
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Anchor
            component={Link}
            to={`/devices/${encodeURIComponent(row.deviceId)}?tab=deployments`}
            size="sm"
            fw={600}
          >
            {row.hostname}
          </Anchor>
        </Table.Td>
        <Table.Td>
          <Anchor
            component={Link}
            to={`/deployments/${encodeURIComponent(row.deploymentId)}?state=failed`}
            size="sm"
          >
            {row.deploymentName}
          </Anchor>
        </Table.Td>
        <Table.Td c="red" fw={700}>
          {row.exitCode ?? '—'}
        </Table.Td>
        <Table.Td maw={360}>
          <Text size="xs" lineClamp={2}>
            {row.reasonCode && <Code mr={4}>{row.reasonCode}</Code>}
            {row.reason ?? ''}
          </Text>
        </Table.Td>
        <Table.Td>
          <RelativeTime iso={row.lastRunAt} />
        </Table.Td>
      </Table.Tr>
      <Table.Tr style={{ display: open ? undefined : 'none' }}>
        <Table.Td colSpan={6} p={0}>
          <Collapse in={open}>
            <Code block m="xs" mah={240} style={{ overflow: 'auto', whiteSpace: 'pre-wrap' }}>
              {row.outputTail ?? 'No output captured.'}
            </Code>
          </Collapse>
        </Table.Td>
      </Table.Tr>
    </Fragment>
  );
}

/** Computers that failed a deployment, with exit code, reason and output. */
export function FailuresReport() {
  const [deployment, setDeployment] = useState<string | null>(null);
  const deployments = useDeployments();
  const report = useQuery({
    queryKey: ['reports', 'deployment-failures', deployment],
    queryFn: () =>
      api.reportDeploymentFailures({ deployment: deployment ?? undefined, limit: 500 }),
    refetchInterval: 15_000,
  });
  const rows = report.data ?? [];
  return (
    <Stack gap="sm">
      <Group>
        <Select
          placeholder="Every deployment"
          data={(deployments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={deployment}
          onChange={setDeployment}
          clearable
          searchable
          w={320}
        />
        {report.data && (
          <Text size="sm" c="dimmed">
            {rows.length} failure{rows.length === 1 ? '' : 's'}
          </Text>
        )}
      </Group>
      {report.isError ? (
        <ErrorState error={report.error} what="the failures" />
      ) : !report.isPending && rows.length === 0 ? (
        <EmptyState
          icon={<IconCircleCheck size={24} />}
          title="No failures"
          description="No device failed a deployment."
          compact
        />
      ) : (
        <Table className="steward-table" data-testid="report-failures">
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th>Device</Table.Th>
              <Table.Th>Deployment</Table.Th>
              <Table.Th>Exit code</Table.Th>
              <Table.Th>Error</Table.Th>
              <Table.Th>Last run</Table.Th>
            </Table.Tr>
          </Table.Thead>
          {report.isPending ? (
            <TableSkeleton columns={6} rows={4} />
          ) : (
            <Table.Tbody>
              {rows.map((r) => (
                <FailureRow key={`${r.deploymentId}/${r.deviceId}`} row={r} />
              ))}
            </Table.Tbody>
          )}
        </Table>
      )}
    </Stack>
  );
}
