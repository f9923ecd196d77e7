import { Button, Group } from '@mantine/core';
import { IconExternalLink, IconMessages } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { DeviceDetail, StatusMessage } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { StatusMessageDrawer } from '../../monitoring/status-message-drawer';
import { StatusMessageTable } from '../../monitoring/status-message-table';

export function DeviceStatusTab({ device }: { device: DeviceDetail }) {
  const [open, setOpen] = useState<StatusMessage | null>(null);
  const messages = useQuery({
    queryKey: ['device', device.id, 'status-messages'],
    queryFn: () => api.listStatusMessages({ deviceId: device.id, limit: 200 }),
    refetchInterval: 10_000,
  });
  if (messages.isError) return <ErrorState error={messages.error} what="the status messages" />;
  const items = messages.data?.items ?? [];
  return (
    <div data-testid="device-status-tab">
      <Group justify="flex-end" mb="xs">
        <Button
          component={Link}
          to={`/monitoring/status-messages?device=${encodeURIComponent(device.id)}`}
          variant="subtle"
          size="xs"
          rightSection={<IconExternalLink size={14} />}
        >
          Open in the status message viewer
        </Button>
      </Group>
      {!messages.isPending && items.length === 0 ? (
        <EmptyState
          icon={<IconMessages size={24} />}
          title="No status messages from this device"
          description="Agents report milestones (start, policy, inventory) as status messages; they appear here within seconds."
          compact
        />
      ) : (
        <StatusMessageTable
          messages={items}
          loading={messages.isPending}
          onOpen={setOpen}
          showMachine={false}
        />
      )}
      <StatusMessageDrawer message={open} onClose={() => setOpen(null)} />
    </div>
  );
}
