import { Badge, Tooltip } from '@mantine/core';
import type { UpdateEnforcementState } from '@steward/protocol';
import { DEPLOYMENT_STATE_META, type StateMeta } from '../../../components/deployment-state-badge';

/** Query key of everything about update deployments (list, one, status, devices). */
export const UPDATE_DEPLOYMENTS_KEY = 'update-deployments';

/**
 * How each state of a device for an update looks: the software deployment states, plus what
 * compliance says (installed), removal, and what the site derives (ADR 0073).
 */
export const UPDATE_STATE_META: Record<UpdateEnforcementState, StateMeta> = {
  ...DEPLOYMENT_STATE_META,
  installed: {
    label: 'Installed',
    color: 'green',
    chart: 'green.7',
    hint: "The device's own scan reports the update installed",
  },
  removed: {
    label: 'Removed',
    color: 'gray',
    chart: 'gray.3',
    hint: 'Removed from this deployment; the other updates continue',
  },
  offline: {
    label: 'Offline',
    color: 'orange',
    chart: 'orange.5',
    hint: 'No push channel and no contact within the policy interval',
  },
  'not-communicating': {
    label: 'Not communicating',
    color: 'orange',
    chart: 'orange.8',
    hint: 'Nothing heard since its last scan, and a scheduled scan is overdue',
  },
  'agent-stopped': {
    label: 'Agent stopped',
    color: 'pink',
    chart: 'pink.6',
    hint: 'Its client check says the agent service is not running',
  },
};

/** Display order of the states (charts, counts). */
export const UPDATE_STATES = Object.keys(UPDATE_STATE_META).filter(
  (s): s is UpdateEnforcementState => s in UPDATE_STATE_META,
);

export function UpdateStateBadge({ state }: { state: UpdateEnforcementState }) {
  const meta = UPDATE_STATE_META[state];
  return (
    <Tooltip label={meta.hint} withArrow openDelay={300}>
      <Badge color={meta.color} variant="light" data-testid="update-state" data-state={state}>
        {meta.label}
      </Badge>
    </Tooltip>
  );
}
