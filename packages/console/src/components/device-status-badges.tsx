import { Badge, Group, Tooltip } from '@mantine/core';
import type { DeviceSummary } from '@steward/protocol';
import type { ReactNode } from 'react';

type StatusFields = Pick<
  DeviceSummary,
  'active' | 'online' | 'revokedAt' | 'lastContactAt' | 'obsolete' | 'activityCheckOutcome'
>;

/**
 * How often pages showing Online read it again. Online follows the push channel within a second
 * or two on the site (ADR 0035); a short poll shows a drop within seconds.
 */
export const ONLINE_POLL_MS = 5_000;

/**
 * A badge never shrinks below its text: in a narrow table column (1024 px) or beside the OS name
 * in the device header, flex layout squeezed "Online" to "On…" or to nothing.
 */
const WHOLE = { flex: 'none', minWidth: 'max-content' } as const;

/** A badge's explanation on hover. */
function Hint(props: { label: string; children: ReactNode }) {
  return (
    <Tooltip label={props.label} withArrow openDelay={300} multiline w={280}>
      {props.children}
    </Tooltip>
  );
}

export function DeviceStatusBadges({ device }: { device: StatusFields }) {
  if (device.revokedAt) {
    return (
      <Badge color="red" variant="light" size="sm" style={WHOLE} data-testid="badge-revoked">
        Revoked
      </Badge>
    );
  }
  return (
    <Group gap={4} wrap="nowrap" miw="max-content">
      {device.online ? (
        <Tooltip label="Holds a push connection to the site now" withArrow openDelay={300}>
          <Badge color="green" variant="dot" size="sm" style={WHOLE} data-testid="badge-online">
            Online
          </Badge>
        </Tooltip>
      ) : (
        <Badge color="gray" variant="dot" size="sm" style={WHOLE} data-testid="badge-offline">
          Offline
        </Badge>
      )}
      {device.obsolete ? (
        <Hint label="No heartbeat for the obsolete threshold (90 days by default); it stops being obsolete when it reports again">
          <Badge color="red" variant="light" size="sm" style={WHOLE} data-testid="badge-obsolete">
            Obsolete
          </Badge>
        </Hint>
      ) : device.lastContactAt === null ? (
        <Badge color="gray" variant="light" size="sm" style={WHOLE}>
          Never reported
        </Badge>
      ) : device.active ? (
        <Badge color="teal" variant="light" size="sm" style={WHOLE} data-testid="badge-active">
          Active
        </Badge>
      ) : (
        <Hint
          label={
            device.activityCheckOutcome === 'probe-answered'
              ? 'No signal within its thresholds; the machine answered the probe but its agent is silent'
              : "No policy request, heartbeat, inventory or status message within its threshold, and no answer to the site's check"
          }
        >
          <Badge
            color="orange"
            variant="light"
            size="sm"
            style={WHOLE}
            data-testid="badge-inactive"
          >
            Inactive
          </Badge>
        </Hint>
      )}
    </Group>
  );
}
