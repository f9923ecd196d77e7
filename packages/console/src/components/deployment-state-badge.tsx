import { Badge, Tooltip } from '@mantine/core';
import type { DeploymentStateName } from '@steward/protocol';

export interface StateMeta {
  label: string;
  /** Mantine colour name for badges. */
  color: string;
  /** Mantine colour with shade for charts. */
  chart: string;
  hint: string;
}

/** One place for how each per-device deployment state looks (badges, chart series, filters). */
export const DEPLOYMENT_STATE_META: Record<DeploymentStateName, StateMeta> = {
  targeted: {
    label: 'Targeted',
    color: 'gray',
    chart: 'gray.5',
    hint: 'In the collection; the device has not received the deployment yet',
  },
  received: {
    label: 'Received',
    color: 'blue',
    chart: 'blue.4',
    hint: 'Received, not run yet (waiting for its schedule, or offered in the Software Center)',
  },
  'waiting-content': {
    label: 'Waiting for content',
    color: 'cyan',
    chart: 'cyan.5',
    hint: 'Downloading, or no distribution point it may use holds the content yet',
  },
  'waiting-window': {
    label: 'Waiting for window',
    color: 'violet',
    chart: 'violet.5',
    hint: 'The run does not fit in the current maintenance window; it waits for the next',
  },
  running: { label: 'Running', color: 'indigo', chart: 'indigo.6', hint: 'The program is running' },
  succeeded: {
    label: 'Succeeded',
    color: 'teal',
    chart: 'teal.6',
    hint: 'Exited with a success code',
  },
  'reboot-pending': {
    label: 'Reboot pending',
    color: 'yellow',
    chart: 'yellow.6',
    hint: 'Succeeded; the machine must restart to finish',
  },
  failed: {
    label: 'Failed',
    color: 'red',
    chart: 'red.6',
    hint: 'Failed: see the exit code, the reason and the output',
  },
};

export function DeploymentStateBadge({ state }: { state: DeploymentStateName }) {
  const meta = DEPLOYMENT_STATE_META[state];
  return (
    <Tooltip label={meta.hint} withArrow openDelay={300}>
      <Badge color={meta.color} variant="light" data-testid="deployment-state" data-state={state}>
        {meta.label}
      </Badge>
    </Tooltip>
  );
}
