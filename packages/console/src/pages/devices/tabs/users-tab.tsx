import { SimpleGrid, Text } from '@mantine/core';
import { IconUser, IconUsers } from '@tabler/icons-react';
import type { DeviceDetail } from '@steward/protocol';
import { KeyValueTable } from '../../../components/key-value-table';
import { RelativeTime } from '../../../components/relative-time';
import { displayValue, str } from '../../../lib/inventory-values';
import { InstanceTable } from './instance-table';
import { NotReported, Section } from './section';

export function UsersTab({ device }: { device: DeviceDetail }) {
  const user = device.inventory.user?.[0];
  const sessions = device.inventory.session ?? [];
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl" data-testid="users-tab">
      <Section title="Users" icon={<IconUser size={16} />}>
        {user ? (
          <KeyValueTable
            rows={[
              ['Last logged-on user', str(user, 'lastLoggedOnUser')],
              ['Last logon', <RelativeTime iso={str(user, 'lastLogonTime')} />],
              ['Logged on now', str(user, 'loggedOnUsers') || 'nobody'],
              ['Sessions', displayValue(user.loggedOnCount)],
            ]}
          />
        ) : (
          <NotReported what="users" />
        )}
      </Section>
      <Section title="Current sessions" icon={<IconUsers size={16} />}>
        {sessions.length === 0 ? (
          <Text size="sm" c="dimmed">
            No one is logged on.
          </Text>
        ) : (
          <InstanceTable
            instances={sessions}
            testId="sessions-table"
            columns={[
              { key: 'user', label: 'User' },
              { key: 'terminal', label: 'Terminal', mono: true },
              { key: 'host', label: 'From' },
              {
                key: 'since',
                label: 'Since',
                render: (s) => <RelativeTime iso={str(s, 'since')} />,
              },
            ]}
          />
        )}
      </Section>
    </SimpleGrid>
  );
}
