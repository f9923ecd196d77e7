import { Badge, Button, Group, Paper, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import {
  IconCheck,
  IconClipboardList,
  IconDownload,
  IconPlugConnectedX,
  IconRefresh,
  IconRocket,
  IconStethoscope,
  IconArrowBigUpLines,
  IconBolt,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeviceAction, NudgeAction } from '@steward/protocol';
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';

const ACTION_LABELS: Record<NudgeAction, string> = {
  'inventory:collect': 'Collect inventory',
  'policy:fetch': 'Fetch policy',
  'deployments:evaluate': 'Evaluate deployments',
  'client-check:run': 'Run client check',
  'agent:upgrade': 'Upgrade agent',
  'updates:scan': 'Scan for updates',
  'updates:scan-expedited': 'Expedited update scan (with full inventory)',
};

const STEPS = ['pending', 'delivered', 'completed'] as const;

function unfinished(a: DeviceAction): boolean {
  return a.state === 'pending' || a.state === 'delivered';
}

/** pending → delivered → completed, as three steps that fill in. */
function ActionProgress({ action }: { action: DeviceAction }) {
  if (action.state === 'not-connected') {
    return (
      <Tooltip
        label="The device holds no push connection; it will act at its next policy poll."
        withArrow
      >
        <Badge
          color="orange"
          variant="light"
          leftSection={<IconPlugConnectedX size={12} />}
          data-testid="action-state"
        >
          Not connected
        </Badge>
      </Tooltip>
    );
  }
  const reached = STEPS.indexOf(action.state);
  return (
    <Group gap={4} wrap="nowrap" data-testid="action-state" data-state={action.state}>
      {STEPS.map((step, i) => (
        <Badge
          key={step}
          size="sm"
          variant={i <= reached ? 'filled' : 'outline'}
          color={i > reached ? 'gray' : step === 'completed' ? 'teal' : 'indigo'}
          leftSection={i <= reached && step === 'completed' ? <IconCheck size={11} /> : undefined}
        >
          {step}
        </Badge>
      ))}
    </Group>
  );
}

/**
 * Buttons that ask the device to act now. `only` picks the update-scan pair (the Updates tab);
 * without it the header's general actions show.
 */
export function DeviceActionsButtons({
  deviceId,
  revoked,
  only,
}: {
  deviceId: string;
  revoked: boolean;
  only?: readonly ('updates:scan' | 'updates:scan-expedited')[];
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const request = useMutation({
    mutationFn: (action: NudgeAction) => api.requestDeviceAction(deviceId, action),
    onSuccess: (a) => {
      notifySuccess(`${ACTION_LABELS[a.action]} requested.`);
      void queryClient.invalidateQueries({ queryKey: ['device', deviceId, 'actions'] });
    },
  });
  const allowed = can('devices:act') && !revoked;
  const reason = revoked ? 'The device is revoked' : 'Your role cannot send actions to devices';
  const button = (action: NudgeAction, label: string, icon: ReactNode, testId: string) => (
    <Tooltip label={reason} disabled={allowed} withArrow>
      <Button
        variant="default"
        leftSection={icon}
        disabled={!allowed}
        loading={request.isPending && request.variables === action}
        onClick={() => request.mutate(action)}
        data-testid={testId}
      >
        {label}
      </Button>
    </Tooltip>
  );
  if (only)
    return (
      <>
        {only.includes('updates:scan') &&
          button('updates:scan', 'Scan now', <IconRefresh size={16} />, 'action-update-scan')}
        {only.includes('updates:scan-expedited') &&
          button(
            'updates:scan-expedited',
            'Expedited scan',
            <IconBolt size={16} />,
            'action-update-scan-expedited',
          )}
      </>
    );
  return (
    <>
      {button(
        'inventory:collect',
        'Collect inventory now',
        <IconClipboardList size={16} />,
        'action-collect-inventory',
      )}
      {button(
        'policy:fetch',
        'Fetch policy now',
        <IconDownload size={16} />,
        'action-fetch-policy',
      )}
      {button(
        'client-check:run',
        'Run client check',
        <IconStethoscope size={16} />,
        'action-client-check',
      )}
      {button(
        'agent:upgrade',
        'Upgrade agent now',
        <IconArrowBigUpLines size={16} />,
        'action-upgrade-agent',
      )}
    </>
  );
}

/** Recent requests to the device, refreshed every 2 s while any is still on its way. */
export function DeviceActionsList({ deviceId }: { deviceId: string }) {
  const queryClient = useQueryClient();
  const actions = useQuery({
    queryKey: ['device', deviceId, 'actions'],
    queryFn: () => api.deviceActions(deviceId),
    refetchInterval: (q) => (q.state.data?.some(unfinished) ? 2000 : false),
  });
  const open = useRef(new Set<string>());
  useEffect(() => {
    const list = actions.data ?? [];
    let finished = false;
    for (const a of list) {
      if (unfinished(a)) open.current.add(a.id);
      else if (open.current.delete(a.id)) finished = true;
    }
    // A completed inventory or policy request changes what the device page shows.
    if (finished) void queryClient.invalidateQueries({ queryKey: ['device', deviceId] });
  }, [actions.data, deviceId, queryClient]);

  const list = (actions.data ?? []).slice(0, 6);
  if (list.length === 0) return null;
  return (
    <Paper p="sm" mb="md" data-testid="device-actions-list">
      <Group gap={6} mb={6}>
        <IconRocket size={16} stroke={1.6} />
        <Text size="sm" fw={600}>
          Actions
        </Text>
        {list.some(unfinished) && (
          <Badge size="xs" variant="light" leftSection={<IconRefresh size={10} />}>
            updating
          </Badge>
        )}
      </Group>
      <Stack gap={6}>
        {list.map((a) => (
          <Group
            key={a.id}
            justify="space-between"
            wrap="nowrap"
            data-testid="device-action"
            data-action={a.action}
          >
            <Group gap="xs" wrap="nowrap">
              <ThemeIcon
                size="sm"
                variant="light"
                color={a.state === 'completed' ? 'teal' : 'indigo'}
              >
                {a.action === 'inventory:collect' ? (
                  <IconClipboardList size={13} />
                ) : (
                  <IconDownload size={13} />
                )}
              </ThemeIcon>
              <Text size="sm">{ACTION_LABELS[a.action]}</Text>
              <Text size="xs" c="dimmed">
                by {a.requestedBy} · <RelativeTime iso={a.requestedAt} size="xs" c="dimmed" />
                {a.completedAt && (
                  <>
                    {' '}
                    · done <RelativeTime iso={a.completedAt} size="xs" c="dimmed" />
                  </>
                )}
              </Text>
            </Group>
            <ActionProgress action={a} />
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
