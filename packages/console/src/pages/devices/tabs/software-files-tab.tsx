import { Text, Tooltip } from '@mantine/core';
import { IconFileCode } from '@tabler/icons-react';
import type { DeviceDetail } from '@steward/protocol';
import { EmptyState } from '../../../components/empty-state';
import { RelativeTime } from '../../../components/relative-time';
import { formatBytes } from '../../../lib/format';
import { num, str } from '../../../lib/inventory-values';
import { InstanceTable } from './instance-table';

export function SoftwareFilesTab({ device }: { device: DeviceDetail }) {
  const files = device.inventory.softwareFile ?? [];
  if (files.length === 0) {
    return (
      <EmptyState
        icon={<IconFileCode size={24} />}
        title="No software files reported"
        description="The agent scans the software-inventory paths set in Client settings (weekly by default). Add paths there, or collect inventory now."
        compact
      />
    );
  }
  return (
    <InstanceTable
      instances={files}
      testId="software-files-table"
      searchPlaceholder="Filter by path or hash…"
      columns={[
        {
          key: 'name',
          label: 'Name',
          render: (f) => (
            <Text size="sm" fw={600}>
              {str(f, 'name')}
            </Text>
          ),
        },
        { key: 'path', label: 'Path', mono: true },
        {
          key: 'sizeBytes',
          label: 'Size',
          align: 'right',
          render: (f) => formatBytes(num(f, 'sizeBytes')),
        },
        {
          key: 'modifiedAt',
          label: 'Modified',
          nowrap: true,
          render: (f) => <RelativeTime iso={str(f, 'modifiedAt')} />,
        },
        {
          key: 'sha256',
          label: 'SHA-256',
          render: (f) => (
            <Tooltip label={str(f, 'sha256') ?? ''} disabled={!str(f, 'sha256')} withArrow>
              <Text size="xs" className="steward-mono" c="dimmed">
                {str(f, 'sha256')?.slice(0, 12) ?? '—'}
              </Text>
            </Tooltip>
          ),
        },
      ]}
    />
  );
}
