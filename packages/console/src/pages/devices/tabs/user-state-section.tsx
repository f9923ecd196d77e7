import { Anchor, Badge, Group, Text } from '@mantine/core';
import { IconUserShare } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { ErrorState } from '../../../components/error-state';
import { Section } from './section';

/**
 * The device's user state (issue 11, ADR 0096): how many records name it as source or
 * destination, by state, with a link to the User state page filtered to it.
 */
export function UserStateSection({ deviceId }: { deviceId: string }) {
  const records = useQuery({
    queryKey: ['user-state', deviceId, undefined],
    queryFn: () => api.call(ops.userState.list, { query: { computer: deviceId } }),
  });
  const counts = new Map<string, number>();
  for (const r of records.data ?? []) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return (
    <Section title="User state" icon={<IconUserShare size={16} />}>
      {records.isError ? (
        <ErrorState error={records.error} what="the user state of this device" />
      ) : (
        <Group gap="sm" data-testid="device-user-state">
          {counts.size === 0 ? (
            <Text size="sm" c="dimmed">
              No user state captured from or for this device.
            </Text>
          ) : (
            [...counts].map(([state, n]) => (
              <Badge key={state} variant="light">
                {n} {state}
              </Badge>
            ))
          )}
          <Anchor
            component={Link}
            to={`/software/user-state?computer=${encodeURIComponent(deviceId)}`}
            size="sm"
            data-testid="device-user-state-link"
          >
            User-state records
          </Anchor>
        </Group>
      )}
    </Section>
  );
}
