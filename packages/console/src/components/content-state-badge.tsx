import { Badge, Tooltip } from '@mantine/core';
import type { ContentState, DistributionPointState } from '@steward/protocol';

const CONTENT: Record<ContentState, { label: string; color: string; hint: string }> = {
  pending: { label: 'Pending', color: 'gray', hint: 'Targeted; the DP has not started yet' },
  distributing: { label: 'Distributing', color: 'blue', hint: 'The DP is pulling the files' },
  installed: { label: 'Installed', color: 'teal', hint: 'The DP holds every file, verified' },
  failed: { label: 'Failed', color: 'red', hint: 'The DP could not get the content' },
  'validation-failed': {
    label: 'Validation failed',
    color: 'orange',
    hint: 'Validate content found a file missing or with the wrong hash; the DP fetches it again',
  },
  removing: { label: 'Removing', color: 'gray', hint: 'The DP is deleting the content' },
};

export function ContentStateBadge({ state }: { state: ContentState }) {
  const m = CONTENT[state];
  return (
    <Tooltip label={m.hint} withArrow openDelay={300}>
      <Badge color={m.color} variant="light" data-testid="content-state" data-state={state}>
        {m.label}
      </Badge>
    </Tooltip>
  );
}

const DP: Record<DistributionPointState, { label: string; color: string; hint: string }> = {
  pending: {
    label: 'Pending',
    color: 'gray',
    hint: 'Created; the DP process has not registered with its token yet',
  },
  online: { label: 'Online', color: 'green', hint: 'Heartbeat received recently' },
  offline: { label: 'Offline', color: 'red', hint: 'No heartbeat for three intervals' },
};

export function DpStateBadge({ state }: { state: DistributionPointState }) {
  const m = DP[state];
  return (
    <Tooltip label={m.hint} withArrow openDelay={300}>
      <Badge color={m.color} variant="dot" data-testid="dp-state" data-state={state}>
        {m.label}
      </Badge>
    </Tooltip>
  );
}
