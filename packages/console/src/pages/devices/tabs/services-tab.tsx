import { Badge, SegmentedControl, Text } from '@mantine/core';
import { IconSettingsAutomation } from '@tabler/icons-react';
import type { DeviceDetail } from '@steward/protocol';
import { useState } from 'react';
import { EmptyState } from '../../../components/empty-state';
import { str } from '../../../lib/inventory-values';
import { InstanceTable } from './instance-table';

const STATE_COLORS: Record<string, string> = {
  active: 'teal',
  failed: 'red',
  inactive: 'gray',
  activating: 'yellow',
};

export function ServicesTab({ device }: { device: DeviceDetail }) {
  const [filter, setFilter] = useState('all');
  const all = device.inventory.service ?? [];
  if (all.length === 0) {
    return (
      <EmptyState
        icon={<IconSettingsAutomation size={24} />}
        title="No services reported"
        description="The agent lists systemd units (or init scripts) with its hardware inventory. Use “Collect inventory now” to refresh it."
        compact
      />
    );
  }
  const services = all.filter((s) => {
    switch (filter) {
      case 'running':
        return str(s, 'subState') === 'running';
      case 'failed':
        return str(s, 'state') === 'failed';
      case 'enabled':
        return s.enabled === true;
      default:
        return true;
    }
  });
  return (
    <InstanceTable
      instances={services}
      testId="services-table"
      searchPlaceholder="Filter services…"
      toolbar={
        <SegmentedControl
          size="xs"
          value={filter}
          onChange={setFilter}
          data={[
            { value: 'all', label: 'All' },
            { value: 'running', label: 'Running' },
            { value: 'failed', label: 'Failed' },
            { value: 'enabled', label: 'Enabled' },
          ]}
        />
      }
      columns={[
        {
          key: 'name',
          label: 'Service',
          nowrap: true,
          render: (s) => (
            <Text size="sm" fw={600}>
              {str(s, 'name')}
            </Text>
          ),
        },
        {
          key: 'description',
          label: 'Description',
          render: (s) => (
            <Text size="sm" c="dimmed" lineClamp={2} title={str(s, 'description') ?? undefined}>
              {str(s, 'description') ?? '—'}
            </Text>
          ),
        },
        {
          key: 'state',
          label: 'State',
          nowrap: true,
          render: (s) => (
            <Badge size="sm" variant="light" color={STATE_COLORS[str(s, 'state') ?? ''] ?? 'gray'}>
              {str(s, 'state') ?? 'unknown'}
            </Badge>
          ),
        },
        { key: 'subState', label: 'Sub-state', nowrap: true },
        {
          key: 'enabled',
          label: 'Start at boot',
          nowrap: true,
          render: (s) => (s.enabled === true ? 'enabled' : s.enabled === false ? 'disabled' : '—'),
        },
      ]}
    />
  );
}
