import { Anchor, Badge, Group, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconClock, IconDatabase, IconDeviceDesktop } from '@tabler/icons-react';
import { BUILTIN_CLASS_NAMES, inventoryClassLabel } from '@steward/protocol';
import type { DeviceDetail } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { KeyValueTable } from '../../../components/key-value-table';
import { RelativeTime } from '../../../components/relative-time';
import { formatDateTime, formatMegabytes } from '../../../lib/format';
import { num, str } from '../../../lib/inventory-values';
import { Section } from './section';

const CLASS_TABS: Record<string, string> = {
  os: 'hardware',
  machine: 'hardware',
  cpu: 'hardware',
  memory: 'hardware',
  disk: 'hardware',
  networkAdapter: 'hardware',
  ipAddress: 'hardware',
  service: 'services',
  user: 'users',
  session: 'users',
  localUser: 'users',
  localGroup: 'users',
  softwareFile: 'files',
};

export function SummaryTab({ device }: { device: DeviceDetail }) {
  const machine = device.inventory.machine?.[0];
  const os = device.inventory.os?.[0];
  const memory = device.inventory.memory?.[0];
  const total = num(memory, 'totalMb');
  const available = num(memory, 'availableMb');
  const usedMb = total && available !== null ? total - available : null;
  const usedPct = total && usedMb !== null ? Math.round((usedMb / total) * 100) : null;
  const classes = Object.entries(device.inventory).sort(([a], [b]) =>
    inventoryClassLabel(a).localeCompare(inventoryClassLabel(b)),
  );

  return (
    <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="xl" data-testid="summary-tab">
      <Section title="Contact" icon={<IconClock size={16} />}>
        <KeyValueTable
          labelWidth={150}
          rows={[
            ['Last contact', <RelativeTime iso={device.lastContactAt} />],
            ['Policy request', <RelativeTime iso={device.lastPolicyRequestAt} />],
            ['Heartbeat', <RelativeTime iso={device.lastHeartbeatAt} />],
            ['Inventory', <RelativeTime iso={device.lastInventoryAt} />],
            ['Status message', <RelativeTime iso={device.lastStatusAt} />],
            ['Enrolled', <RelativeTime iso={device.enrolledAt} />],
            ['Revoked', device.revokedAt ? formatDateTime(device.revokedAt) : 'no'],
          ]}
        />
      </Section>
      <Section title="System" icon={<IconDeviceDesktop size={16} />}>
        <KeyValueTable
          labelWidth={150}
          rows={[
            ['Host name', str(os, 'fqdn') ?? str(os, 'hostname')],
            ['Kernel', str(os, 'kernel')],
            ['Architecture', str(os, 'arch')],
            [
              'Vendor / model',
              [str(machine, 'vendor'), str(machine, 'model')].filter(Boolean).join(' ') || null,
            ],
            ['Virtualisation', str(machine, 'virtualization') ?? 'none'],
            [
              'Booted',
              str(machine, 'bootTime') ? <RelativeTime iso={str(machine, 'bootTime')} /> : null,
            ],
            [
              'Memory in use',
              usedPct === null ? null : (
                <Stack gap={2}>
                  <Text size="sm">
                    {formatMegabytes(usedMb)} of {formatMegabytes(total)} ({usedPct}%)
                  </Text>
                  <Progress
                    value={usedPct}
                    size="sm"
                    color={usedPct > 90 ? 'red' : usedPct > 75 ? 'orange' : 'indigo'}
                  />
                </Stack>
              ),
            ],
          ]}
        />
      </Section>
      <Section title="Inventory" icon={<IconDatabase size={16} />}>
        <Table verticalSpacing={4} fz="sm" withRowBorders={false}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Td>
                <Anchor component={Link} to="?tab=packages" size="sm" title="package">
                  {inventoryClassLabel('package')}
                </Anchor>
              </Table.Td>
              <Table.Td ta="right">{device.packageCount.toLocaleString()}</Table.Td>
            </Table.Tr>
            {classes.map(([cls, instances]) => (
              <Table.Tr key={cls}>
                <Table.Td>
                  <Group gap={6}>
                    <Anchor
                      component={Link}
                      to={`?tab=${CLASS_TABS[cls] ?? (BUILTIN_CLASS_NAMES.has(cls) ? 'hardware' : 'custom')}`}
                      size="sm"
                      title={cls}
                    >
                      {inventoryClassLabel(cls)}
                    </Anchor>
                    {!BUILTIN_CLASS_NAMES.has(cls) && (
                      <Badge size="xs" variant="light" color="grape">
                        custom
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td ta="right">{instances.length.toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>
    </SimpleGrid>
  );
}
