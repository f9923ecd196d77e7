import { Badge, Group, Table, Text } from '@mantine/core';
import { IconArrowBigUpLines } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, type AgentUpgradeState, type DeviceDetail } from '@steward/protocol';
import { api } from '../../../api/client';
import { ErrorState } from '../../../components/error-state';
import { RelativeTime } from '../../../components/relative-time';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { Section } from './section';

const COLOR: Record<AgentUpgradeState, string> = {
  scheduled: 'gray',
  downloading: 'indigo',
  installing: 'indigo',
  verifying: 'indigo',
  succeeded: 'teal',
  failed: 'red',
  'rolled-back': 'orange',
};

/**
 * The device's client-version target (ADR 0027): the rollout it follows, the version its policy
 * names, what it runs, and its latest self-upgrade attempts with their reasons.
 */
export function ClientVersionTab({ device }: { device: DeviceDetail }) {
  const r = useQuery({
    queryKey: ['device', device.id, 'agent-upgrade'],
    queryFn: () => api.call(ops.agentVersions.deviceUpgradeStatus, { params: { id: device.id } }),
    refetchInterval: (q) =>
      q.state.data?.attempts.some((a) => !['succeeded', 'failed', 'rolled-back'].includes(a.state))
        ? 3000
        : 30_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="the client version" />;
  if (!r.data) return <BlockSkeleton lines={6} />;
  const s = r.data;
  const rollout =
    s.rollout === 'excluded'
      ? 'Excluded from automatic upgrade (exclusion collection)'
      : s.rollout === 'pre-production'
        ? 'Pre-production'
        : 'Production';
  return (
    <Section
      title="Client version"
      icon={<IconArrowBigUpLines size={18} />}
      testId="client-version"
    >
      <Group gap="xl" mb="sm">
        <div>
          <Text size="xs" c="dimmed">
            Rollout
          </Text>
          <Text data-testid="client-version-rollout">{rollout}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Target version
          </Text>
          <Text data-testid="client-version-target">{s.targetVersion ?? 'none'}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Runs
          </Text>
          <Text data-testid="client-version-running">{s.agentVersion ?? 'not reported yet'}</Text>
        </div>
      </Group>
      {s.attempts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No upgrade attempt yet.
        </Text>
      ) : (
        <Table className="steward-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Upgrade</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {s.attempts.map((a) => (
              <Table.Tr key={a.attemptId} data-testid={`upgrade-attempt-${a.attemptId}`}>
                <Table.Td>
                  {a.fromVersion ?? '?'} → {a.toVersion}
                  <Text size="xs" c="dimmed">
                    {a.rollout}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={COLOR[a.state]} variant="light">
                    {a.state}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={a.startedAt} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {a.reason ?? (a.state === 'scheduled' ? `at ${a.scheduledFor ?? '?'}` : '')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}
