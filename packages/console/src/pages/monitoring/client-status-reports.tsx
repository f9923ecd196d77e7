import { Badge, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { CLIENT_DEPLOYMENT_STATES, ops, type ClientRollout } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { BlockSkeleton } from '../../components/table-skeleton';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { CLIENT_STATE_META } from './client-status-charts';

/** Report: client deployment status by collection, for one rollout. */
function ByCollectionReport() {
  const [rollout, setRollout] = useState<ClientRollout>('production');
  const report = useQuery({
    queryKey: ['client-status-by-collection', rollout],
    queryFn: () => api.call(ops.clientStatus.byCollectionReport, { query: { rollout } }),
    refetchInterval: 30_000,
  });
  return (
    <Stack gap="sm">
      <SegmentedControl
        w="fit-content"
        size="xs"
        value={rollout}
        onChange={(v) => setRollout(v === 'pre-production' ? 'pre-production' : 'production')}
        data={[
          { value: 'production', label: 'Production' },
          { value: 'pre-production', label: 'Pre-production' },
        ]}
      />
      {report.isError ? (
        <ErrorState error={report.error} what="the report" />
      ) : !report.data ? (
        <BlockSkeleton lines={4} />
      ) : (
        <Table data-testid="report-client-status-by-collection">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Collection</Table.Th>
              <Table.Th ta="right">Devices</Table.Th>
              {CLIENT_DEPLOYMENT_STATES.map((s) => (
                <Table.Th key={s} ta="right">
                  {CLIENT_STATE_META[s].label}
                </Table.Th>
              ))}
              <Table.Th ta="right">Compliant</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.data.map((r) => (
              <Table.Tr key={r.collectionId} data-testid={`report-collection-${r.collectionId}`}>
                <Table.Td>{r.collectionName}</Table.Td>
                <Table.Td ta="right">{r.total}</Table.Td>
                {CLIENT_DEPLOYMENT_STATES.map((s) => (
                  <Table.Td key={s} ta="right" c={r.counts[s] === 0 ? 'dimmed' : undefined}>
                    {r.counts[s]}
                  </Table.Td>
                ))}
                <Table.Td ta="right">{r.compliantPercent.toFixed(1)}%</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** Report: failed client deployments of the last 30 days with their reasons. */
function FailedDeploymentsReport() {
  const report = useQuery({
    queryKey: ['client-status-failed-report'],
    queryFn: () => api.call(ops.clientStatus.failuresReport, { query: {} }),
    refetchInterval: 30_000,
  });
  if (report.isError) return <ErrorState error={report.error} what="the report" />;
  if (!report.data) return <BlockSkeleton lines={4} />;
  return (
    <Table data-testid="report-client-failures">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Kind</Table.Th>
          <Table.Th>Host or device</Table.Th>
          <Table.Th>Version</Table.Th>
          <Table.Th>Code</Table.Th>
          <Table.Th>Reason</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {report.data.length === 0 && (
          <Table.Tr>
            <Table.Td colSpan={6}>
              <Text size="sm" c="dimmed">
                No failed client deployment in the last 30 days.
              </Text>
            </Table.Td>
          </Table.Tr>
        )}
        {report.data.map((r) => (
          <Table.Tr key={`${r.kind}/${r.attemptRef}/${r.at}`}>
            <Table.Td>
              <RelativeTime iso={r.at} />
            </Table.Td>
            <Table.Td>{r.kind === 'push' ? 'Client push' : 'Agent upgrade'}</Table.Td>
            <Table.Td>{r.target}</Table.Td>
            <Table.Td>{r.version ?? '-'}</Table.Td>
            <Table.Td>
              <Badge color="red" variant="outline">
                {r.code}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={2}>
                {r.reason}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The two client deployment reports. */
export function ClientStatusReports() {
  return (
    <Stack gap="lg" data-testid="client-status-reports">
      <Stack gap="xs">
        <Title order={4} fz={15}>
          Client deployment status by collection
        </Title>
        <ByCollectionReport />
      </Stack>
      <Stack gap="xs">
        <Title order={4} fz={15}>
          Failed client deployments (last 30 days)
        </Title>
        <FailedDeploymentsReport />
      </Stack>
    </Stack>
  );
}
