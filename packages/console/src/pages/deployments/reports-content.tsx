import { BarChart } from '@mantine/charts';
import { Anchor, Group, Progress, Select, Stack, Table, Text } from '@mantine/core';
import { IconServer2 } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { ContentStateBadge } from '../../components/content-state-badge';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { QueryView } from '../../components/query-view';
import { formatBytes } from '../../lib/format';
import { useDistributionPoints, usePackages } from '../software/queries';
import { ops } from '@steward/protocol';
import { ExportButton } from '../../components/export-button';

/** Package distribution status by DP. */
export function DistributionStatusReport() {
  const [pkg, setPkg] = useState<string | null>(null);
  const [dp, setDp] = useState<string | null>(null);
  const packages = usePackages();
  const dps = useDistributionPoints();
  const report = useQuery({
    queryKey: ['reports', 'distribution-status', pkg, dp],
    queryFn: () => api.reportDistributionStatus({ package: pkg ?? undefined, dp: dp ?? undefined }),
    refetchInterval: 10_000,
  });
  const rows = [...(report.data ?? [])].sort(
    (a, b) => a.dpName.localeCompare(b.dpName) || a.packageName.localeCompare(b.packageName),
  );
  return (
    <Stack gap="sm">
      <Group>
        <Select
          placeholder="Every package"
          data={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={pkg}
          onChange={setPkg}
          clearable
          searchable
          w={260}
        />
        <Select
          placeholder="Every distribution point"
          data={(dps.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={dp}
          onChange={setDp}
          clearable
          searchable
          w={260}
        />
        <ExportButton
          op={ops.exports.distributionStatus}
          filters={{ package: pkg, dp }}
          testId="distribution-status-export"
        />
      </Group>
      <QueryView
        query={report}
        what="the distribution status"
        isEmpty={rows.length === 0}
        empty={<EmptyState icon={<IconServer2 size={24} />} title="Nothing distributed" compact />}
      >
        <DataTable
          columns={[
            { label: 'Distribution point' },
            { label: 'Package' },
            { label: 'Version' },
            { label: 'State' },
            { label: 'Progress', w: 220 },
            { label: 'Message' },
            { label: 'Updated' },
          ]}
          loading={report.isPending}
          skeletonRows={4}
          testId="report-distribution"
        >
          {rows.map((r) => (
            <Table.Tr key={`${r.dpId}/${r.packageId}`} data-testid="report-distribution-row">
              <Table.Td fw={600}>{r.dpName}</Table.Td>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/software/packages/${encodeURIComponent(r.packageId)}?tab=content`}
                  size="sm"
                >
                  {r.packageName}
                </Anchor>
              </Table.Td>
              <Table.Td>v{r.versionNumber}</Table.Td>
              <Table.Td>
                <ContentStateBadge state={r.state} />
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Progress
                    value={
                      r.bytesTotal > 0
                        ? (r.bytesDone / r.bytesTotal) * 100
                        : r.state === 'installed'
                          ? 100
                          : 0
                    }
                    size="sm"
                    style={{ flex: 1 }}
                  />
                  <Text size="xs" c="dimmed">
                    {formatBytes(r.bytesDone)}
                  </Text>
                </Group>
              </Table.Td>
              <Table.Td maw={260}>
                <Text size="xs" lineClamp={1}>
                  {r.message ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <RelativeTime iso={r.updatedAt} />
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </QueryView>
    </Stack>
  );
}

/** Percent of targeted DPs that hold each package's current version. */
export function DpCompletionReport() {
  const report = useQuery({
    queryKey: ['reports', 'dp-completion'],
    queryFn: () => api.reportDpCompletion(),
    refetchInterval: 15_000,
  });
  if (report.isError) return <ErrorState error={report.error} what="the DP completion report" />;
  const rows = [...(report.data ?? [])].sort((a, b) => a.packageName.localeCompare(b.packageName));
  if (!report.isPending && rows.length === 0)
    return (
      <EmptyState icon={<IconServer2 size={24} />} title="No package is distributed" compact />
    );
  return (
    <Stack gap="md">
      {rows.length > 0 && (
        <BarChart
          h={Math.max(160, rows.length * 34)}
          data={rows.map((r) => ({ name: r.packageName, complete: Math.round(r.percentComplete) }))}
          dataKey="name"
          orientation="vertical"
          yAxisProps={{ width: 180 }}
          xAxisProps={{ domain: [0, 100] }}
          unit="%"
          series={[{ name: 'complete', label: 'DPs complete', color: 'teal.6' }]}
          data-testid="report-completion-chart"
        />
      )}
      <DataTable
        columns={[
          { label: 'Package' },
          { label: 'Targeted', ta: 'right' },
          { label: 'Installed', ta: 'right' },
          { label: 'Complete', w: 240 },
        ]}
        loading={report.isPending}
        skeletonRows={3}
        testId="report-completion"
      >
        {rows.map((r) => (
          <Table.Tr key={r.packageId} data-testid="report-completion-row">
            <Table.Td>
              <Anchor
                component={Link}
                to={`/software/packages/${encodeURIComponent(r.packageId)}?tab=content`}
                size="sm"
                fw={600}
              >
                {r.packageName}
              </Anchor>
            </Table.Td>
            <Table.Td ta="right">{r.targeted}</Table.Td>
            <Table.Td ta="right">{r.installed}</Table.Td>
            <Table.Td>
              <PercentBar value={r.percentComplete} />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
