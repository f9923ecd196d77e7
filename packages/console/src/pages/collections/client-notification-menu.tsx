import { Button, Menu } from '@mantine/core';
import {
  IconBell,
  IconChevronDown,
  IconDownload,
  IconListSearch,
  IconStethoscope,
  IconArrowBigUpLines,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { NudgeAction } from '@steward/protocol';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';

const LABELS: Record<NudgeAction, string> = {
  'policy:fetch': 'Fetch policy now',
  'inventory:collect': 'Collect inventory now',
  'deployments:evaluate': 'Evaluate deployments now',
  'client-check:run': 'Run client check now',
  'agent:upgrade': 'Upgrade agent now (skip the random delay)',
  'updates:scan': 'Scan for updates',
  'updates:scan-expedited': 'Expedited update scan (with full inventory)',
};

/**
 * Client notification for every member of a collection (as in Configuration Manager): the
 * request reaches connected agents through their push channel within seconds.
 */
export function ClientNotificationMenu({ collectionId }: { collectionId: string }) {
  const notify = useMutation({
    mutationFn: (action: NudgeAction) => api.notifyCollection(collectionId, action),
    onSuccess: (r) => {
      const waiting = r.devices - r.connected;
      notifySuccess(
        `${LABELS[r.action]}: sent to ${r.devices.toLocaleString()} devices` +
          (waiting > 0
            ? ` (${waiting.toLocaleString()} not connected get it when they reconnect).`
            : '.'),
      );
    },
  });
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          leftSection={<IconBell size={16} />}
          rightSection={<IconChevronDown size={14} />}
          loading={notify.isPending}
          data-testid="collection-notify"
        >
          Client notification
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconDownload size={16} />}
          onClick={() => notify.mutate('policy:fetch')}
          data-testid="collection-notify-policy"
        >
          {LABELS['policy:fetch']}
        </Menu.Item>
        <Menu.Item
          leftSection={<IconListSearch size={16} />}
          onClick={() => notify.mutate('inventory:collect')}
          data-testid="collection-notify-inventory"
        >
          {LABELS['inventory:collect']}
        </Menu.Item>
        <Menu.Item
          leftSection={<IconStethoscope size={16} />}
          onClick={() => notify.mutate('client-check:run')}
          data-testid="collection-notify-client-check"
        >
          {LABELS['client-check:run']}
        </Menu.Item>
        <Menu.Item
          leftSection={<IconArrowBigUpLines size={16} />}
          onClick={() => notify.mutate('agent:upgrade')}
          data-testid="collection-notify-agent-upgrade"
        >
          {LABELS['agent:upgrade']}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
