import { BarChart } from '@mantine/charts';
import { Anchor, Group, Progress, Select, Stack, Table, Text } from '@mantine/core';
import { IconServer2 } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { ContentStateBadge } from '../../components/content-state-badge';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatBytes } from '../../lib/format';
import { useDistributionPoints, usePackages } from '../software/queries';

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
      </Group>
      {report.isError ? (
        <ErrorState error={report.error} what="the distribution status" />
      ) : !report.isPending && rows.length === 0 ? (
        <EmptyState icon={<IconServer2 size={24} />} title="Nothing distributed" compact />
      ) : (
        <Table className="steward-table" data-testid="report-distribution">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Distribution point</Table.Th>
              <Table.Th>Package</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th w={220}>Progress</Table.Th>
              <Table.Th>Message</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          {report.isPending ? (
            <TableSkeleton columns={7} rows={4} />
          ) : (
            <Table.Tbody>
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
            </Table.Tbody>
          )}
        </Table>
      )}
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
      <Table className="steward-table" data-testid="report-completion">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Package</Table.Th>
            <Table.Th ta="right">Targeted</Table.Th>
            <Table.Th ta="right">Installed</Table.Th>
            <Table.Th w={240}>Complete</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {report.isPending ? (
          <TableSkeleton columns={4} rows={3} />
        ) : (
          <Table.Tbody>
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
          </Table.Tbody>
        )}
      </Table>
    </Stack>
  );
}
