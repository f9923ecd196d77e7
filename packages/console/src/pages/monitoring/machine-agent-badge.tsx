import { Anchor, Badge } from '@mantine/core';
import type { DiscoveredMachine } from '@steward/protocol';
import { Link } from 'react-router-dom';

/** A discovered machine's agent: its device (a link) or "no agent" (a push candidate). */
export function MachineAgentBadge({
  m,
}: {
  m: Pick<DiscoveredMachine, 'deviceId' | 'deviceName'>;
}) {
  return m.deviceId !== null ? (
    <Anchor component={Link} to={`/devices/${m.deviceId}`} size="sm">
      <Badge color="green" variant="light" style={{ cursor: 'pointer' }}>
        {m.deviceName ?? 'yes'}
      </Badge>
    </Anchor>
  ) : (
    <Badge color="gray" variant="light">
      no agent
    </Badge>
  );
}
