import { Anchor, Badge, Code, Group, Table, Text } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { DeviceDetail } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { DeploymentStateBadge } from '../../../components/deployment-state-badge';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { RelativeTime } from '../../../components/relative-time';
import { RestartNeedText } from '../../../components/restart-need';
import { TableSkeleton } from '../../../components/table-skeleton';
import { dkeys, useDeployments } from '../../deployments/queries';

/** Every deployment targeting the device, with its state in each. */
export function DeploymentsTab({ device }: { device: DeviceDetail }) {
  const states = useQuery({
    queryKey: dkeys.deviceDeployments(device.id),
    queryFn: () => api.deviceDeployments(device.id),
    refetchInterval: 10_000,
  });
  const deployments = useDeployments();
  const byId = new Map((deployments.data ?? []).map((d) => [d.id, d]));
  if (states.isError)
    return <ErrorState error={states.error} what="the deployments of this device" />;
  const rows = states.data ?? [];
  if (!states.isPending && rows.length === 0)
    return (
      <EmptyState
        icon={<IconRocket size={24} />}
        title="No deployments target this device"
        description="Deployments reach devices through the collections they are members of."
        compact
      />
    );
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table className="steward-table" data-testid="device-deployments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Deployment</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Exit code</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th>Next run</Table.Th>
            <Table.Th ta="right">Runs</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {states.isPending ? (
          <TableSkeleton columns={7} rows={3} />
        ) : (
          <Table.Tbody>
            {rows.map((r) => {
              const d = byId.get(r.deploymentId);
              return (
                <Table.Tr
                  key={r.deploymentId}
                  data-testid="device-deployment-row"
                  data-state={r.state}
                >
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/deployments/${encodeURIComponent(r.deploymentId)}`}
                      size="sm"
                      fw={600}
                    >
                      {d?.name ?? r.deploymentId}
                    </Anchor>
                    {d && (
                      <Text size="xs" c="dimmed">
                        {d.packageName} › {d.programName} · {d.purpose}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <DeploymentStateBadge state={r.state} />
                      {r.overdue && (
                        <Badge color="orange" variant="outline" size="sm">
                          overdue
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td c={r.state === 'failed' ? 'red' : undefined}>
                    {r.exitCode ?? '—'}
                  </Table.Td>
                  <Table.Td maw={320}>
                    <Text size="xs" lineClamp={2} title={r.outputTail ?? ''}>
                      {r.reasonCode && <Code mr={4}>{r.reasonCode}</Code>}
                      {r.reason ?? (r.reasonCode ? '' : '—')}
                    </Text>
                    <RestartNeedText need={r.restart} />
                  </Table.Td>
                  <Table.Td>
                    <RelativeTime iso={r.lastRunAt} />
                  </Table.Td>
                  <Table.Td>{r.nextRunAt ? <RelativeTime iso={r.nextRunAt} /> : '—'}</Table.Td>
                  <Table.Td ta="right">{r.runCount}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}
