import { Badge, Group, Tooltip } from '@mantine/core';
import type { DeviceSummary } from '@steward/protocol';

type StatusFields = Pick<DeviceSummary, 'active' | 'online' | 'revokedAt' | 'lastContactAt'>;

export function DeviceStatusBadges({ device }: { device: StatusFields }) {
  if (device.revokedAt) {
    return (
      <Badge color="red" variant="light" size="sm" data-testid="badge-revoked">
        Revoked
      </Badge>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      {device.online ? (
        <Tooltip label="Holds a push connection to the site now" withArrow openDelay={300}>
          <Badge color="green" variant="dot" size="sm" data-testid="badge-online">
            Online
          </Badge>
        </Tooltip>
      ) : (
        <Badge color="gray" variant="dot" size="sm" data-testid="badge-offline">
          Offline
        </Badge>
      )}
      {device.lastContactAt === null ? (
        <Badge color="gray" variant="light" size="sm">
          Never reported
        </Badge>
      ) : device.active ? (
        <Badge color="teal" variant="light" size="sm" data-testid="badge-active">
          Active
        </Badge>
      ) : (
        <Tooltip label="No contact within the activity threshold" withArrow openDelay={300}>
          <Badge color="orange" variant="light" size="sm" data-testid="badge-inactive">
            Inactive
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
