import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { IconActivityHeartbeat, IconStethoscope } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, type ClientCheckOutcome, type DeviceDetail } from '@steward/protocol';
import { api } from '../../../api/client';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { DeviceStatusBadges } from '../../../components/device-status-badges';
import { RelativeTime } from '../../../components/relative-time';
import { ActivityCheckBadge } from '../../monitoring/client-health-page';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { Section } from './section';

const COLOR: Record<ClientCheckOutcome, string> = {
  passed: 'teal',
  failed: 'red',
  remediated: 'yellow',
};

const SIGNALS = [
  ['Policy request', 'lastPolicyRequestAt'],
  ['Heartbeat', 'lastHeartbeatAt'],
  ['Hardware inventory', 'lastHardwareInventoryAt'],
  ['Software inventory', 'lastSoftwareInventoryAt'],
  ['Status message', 'lastStatusAt'],
] as const;

/** Client activity: the five signals, the site's last activity check, the obsolete mark. */
function ActivitySection({ device }: { device: DeviceDetail }) {
  return (
    <Section
      title="Client activity"
      icon={<IconActivityHeartbeat size={18} />}
      testId="device-activity"
      right={<DeviceStatusBadges device={device} />}
    >
      <Table className="steward-table">
        <Table.Tbody>
          {SIGNALS.map(([label, key]) => (
            <Table.Tr key={key}>
              <Table.Td w={200}>{label}</Table.Td>
              <Table.Td>
                <RelativeTime iso={device[key]} />
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td>Site activity check</Table.Td>
            <Table.Td>
              <Group gap={8}>
                <ActivityCheckBadge
                  outcome={device.activityCheckOutcome}
                  detail={device.activityCheckDetail}
                />
                {device.activityCheckedAt && <RelativeTime iso={device.activityCheckedAt} />}
                {device.activityCheckDetail && (
                  <Text size="xs" c="dimmed">
                    {device.activityCheckDetail}
                  </Text>
                )}
              </Group>
            </Table.Td>
          </Table.Tr>
          {device.obsoleteAt && (
            <Table.Tr>
              <Table.Td>Marked obsolete</Table.Td>
              <Table.Td>
                <RelativeTime iso={device.obsoleteAt} />
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

/** The device's activity, then its latest client check (the ccmeval analog) and recent runs. */
export function ClientHealthTab({ device }: { device: DeviceDetail }) {
  return (
    <Stack gap="md">
      <ActivitySection device={device} />
      <ClientCheckSection device={device} />
    </Stack>
  );
}

function ClientCheckSection({ device }: { device: DeviceDetail }) {
  const r = useQuery({
    queryKey: ['device', device.id, 'client-check'],
    queryFn: () => api.call(ops.clientCheck.device, { params: { id: device.id } }),
    refetchInterval: 30_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="the client check" />;
  if (!r.data) return <BlockSkeleton lines={8} />;
  const latest = r.data.latest;
  if (latest === null)
    return (
      <EmptyState
        icon={<IconStethoscope size={24} />}
        title="No client check reported yet"
        description="Agents check themselves daily (client settings) and when asked: use “Run client check”."
        compact
      />
    );
  return (
    <Section
      title="Client check"
      icon={<IconStethoscope size={18} />}
      testId="client-check"
      right={
        <Group gap={6}>
          <Text size="xs" c="dimmed">
            {latest.trigger}, {latest.mode}
          </Text>
          <RelativeTime iso={latest.at} />
        </Group>
      }
    >
      <Table className="steward-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Check</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Detail</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {latest.results.map((x) => (
            <Table.Tr key={x.check} data-testid={`client-check-${x.check}`}>
              <Table.Td>{x.check}</Table.Td>
              <Table.Td>
                <Badge color={COLOR[x.outcome]} variant="light">
                  {x.outcome}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{x.detail}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" fw={600} mt="sm">
        Recent runs
      </Text>
      <Group gap={4}>
        {r.data.history.map((h) => (
          <Badge
            key={h.at}
            variant="light"
            color={h.failed > 0 ? 'red' : h.remediated > 0 ? 'yellow' : 'teal'}
            title={h.at}
          >
            {h.at.slice(0, 16).replace('T', ' ')}: {h.failed} failed, {h.remediated} remediated
          </Badge>
        ))}
      </Group>
    </Section>
  );
}
