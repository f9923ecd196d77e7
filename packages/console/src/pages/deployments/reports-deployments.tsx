import { BarChart } from '@mantine/charts';
import { Anchor, Code, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconCircleCheck, IconListCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type DeploymentFailureRow, ops } from '@steward/protocol';
import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ExpandToggle, ExpandedRow } from '../../components/expandable-row';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { QueryView } from '../../components/query-view';
import { DeviceDeploymentsLink } from './device-deployments-link';
import { IN_PROGRESS_STATES, countOf, useDeploymentSummaryReport, useDeployments } from './queries';
import { ExportButton } from '../../components/export-button';

/** Deployment status summary: per deployment, targeted, outcome counts and success rate. */
export function DeploymentSummaryReport() {
  const report = useDeploymentSummaryReport(15_000);
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
      <DataTable
        columns={[
          { label: 'Deployment' },
          { label: 'Targeted', ta: 'right' },
          { label: 'Succeeded', ta: 'right' },
          { label: 'In progress', ta: 'right' },
          { label: 'Failed', ta: 'right' },
          { label: 'Overdue', ta: 'right' },
          { label: 'Success', w: 200 },
        ]}
        loading={report.isPending}
        skeletonRows={4}
        testId="report-summary"
      >
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
            <Table.Td ta="right">{countOf(r, 'succeeded') + countOf(r, 'reboot-pending')}</Table.Td>
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
      </DataTable>
    </Stack>
  );
}

function FailureRow({ row }: { row: DeploymentFailureRow }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <Table.Tr data-testid="report-failure-row">
        <Table.Td w={34}>
          <ExpandToggle open={open} onToggle={() => setOpen((o) => !o)} label="Output" />
        </Table.Td>
        <Table.Td>
          <DeviceDeploymentsLink deviceId={row.deviceId} hostname={row.hostname} />
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
      <ExpandedRow open={open} colSpan={6}>
        <Code block m="xs" mah={240} style={{ overflow: 'auto', whiteSpace: 'pre-wrap' }}>
          {row.outputTail ?? 'No output captured.'}
        </Code>
      </ExpandedRow>
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
        <ExportButton
          op={ops.exports.deploymentFailures}
          filters={{ deployment }}
          testId="failures-export"
        />
      </Group>
      <QueryView
        query={report}
        what="the failures"
        isEmpty={rows.length === 0}
        empty={
          <EmptyState
            icon={<IconCircleCheck size={24} />}
            title="No failures"
            description="No device failed a deployment."
            compact
          />
        }
      >
        <DataTable
          columns={[
            {},
            { label: 'Device' },
            { label: 'Deployment' },
            { label: 'Exit code' },
            { label: 'Error' },
            { label: 'Last run' },
          ]}
          loading={report.isPending}
          skeletonRows={4}
          testId="report-failures"
        >
          {rows.map((r) => (
            <FailureRow key={`${r.deploymentId}/${r.deviceId}`} row={r} />
          ))}
        </DataTable>
      </QueryView>
    </Stack>
  );
}
