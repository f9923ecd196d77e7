import { Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { DeviceDetail } from '@steward/protocol';
import type { ReactNode } from 'react';
import { RelativeTime } from '../../components/relative-time';
import { machineTypeLabel } from '../../components/machine-type-icon';
import { formatDateTime, formatMegabytes, formatOs } from '../../lib/format';

function Fact({
  label,
  children,
  testId,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap={2} miw={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3}>
        {label}
      </Text>
      <Text
        size="sm"
        fw={500}
        truncate
        data-testid={testId}
        title={typeof children === 'string' ? children : undefined}
      >
        {children}
      </Text>
    </Stack>
  );
}

/** The key facts of a device, above the tabs. */
export function DeviceFacts({ device }: { device: DeviceDetail }) {
  return (
    <Paper p="md" mb="md" data-testid="device-facts">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="lg" verticalSpacing="md">
        <Fact label="Operating system" testId="fact-os">
          {formatOs(device.osName, device.osVersion)}
        </Fact>
        <Fact label="Machine type" testId="fact-type">
          {machineTypeLabel(device.machineType)}
        </Fact>
        <Fact label="Processor">{device.cpuModel ?? '—'}</Fact>
        <Fact label="Memory" testId="fact-memory">
          {formatMegabytes(device.memoryTotalMb)}
        </Fact>
        <Fact label="IP addresses">{device.ipAddresses.join(', ') || '—'}</Fact>
        <Fact label="Last contact">
          <RelativeTime iso={device.lastContactAt} fw={500} />
        </Fact>
        <Fact label="Agent version">{device.agentVersion ?? '—'}</Fact>
        <Fact label="Last logged-on user">{device.lastLoggedOnUser ?? '—'}</Fact>
      </SimpleGrid>
      <Group gap="lg" mt="sm">
        <Text size="xs" c="dimmed">
          Enrolled {formatDateTime(device.enrolledAt)}
        </Text>
        <Text size="xs" c="dimmed">
          Packages {device.packageCount.toLocaleString()}
        </Text>
        <Text size="xs" c="dimmed" className="steward-mono">
          {device.id}
        </Text>
      </Group>
    </Paper>
  );
}
