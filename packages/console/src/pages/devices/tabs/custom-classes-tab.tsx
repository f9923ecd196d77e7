import { Badge, Button, Stack } from '@mantine/core';
import { IconListDetails } from '@tabler/icons-react';
import { BUILTIN_CLASS_NAMES, inventoryClassLabel } from '@steward/protocol';
import type { DeviceDetail } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { EmptyState } from '../../../components/empty-state';
import { InstanceTable } from './instance-table';
import { Section } from './section';

export function CustomClassesTab({ device }: { device: DeviceDetail }) {
  const custom = Object.entries(device.inventory)
    .filter(([cls]) => !BUILTIN_CLASS_NAMES.has(cls))
    .sort(([a], [b]) => a.localeCompare(b));
  if (custom.length === 0) {
    return (
      <EmptyState
        icon={<IconListDetails size={24} />}
        title="No custom inventory on this device"
        description="Administrators add inventory classes (files, command output, /proc and /sys values) under Administration › Inventory classes; agents collect them at their next inventory."
        action={
          <Button component={Link} to="/admin/inventory-classes" variant="light">
            Manage inventory classes
          </Button>
        }
        compact
      />
    );
  }
  return (
    <Stack gap="xl" data-testid="custom-classes-tab">
      {custom.map(([cls, instances]) => (
        <Section
          key={cls}
          title={inventoryClassLabel(cls)}
          icon={<IconListDetails size={16} />}
          right={
            <Badge variant="light" color="grape">
              {instances.length} instance{instances.length === 1 ? '' : 's'}
            </Badge>
          }
        >
          <InstanceTable instances={instances} pageSize={20} testId={`custom-${cls}`} />
        </Section>
      ))}
    </Stack>
  );
}
