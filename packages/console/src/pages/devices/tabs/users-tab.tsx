import { Badge, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconUser, IconUserCircle, IconUsers, IconUsersGroup } from '@tabler/icons-react';
import type { DeviceDetail } from '@steward/protocol';
import { KeyValueTable } from '../../../components/key-value-table';
import { RelativeTime } from '../../../components/relative-time';
import { displayValue, str } from '../../../lib/inventory-values';
import { InstanceTable } from './instance-table';
import { PrimaryUsersSection } from './primary-users-section';
import { UserStateSection } from './user-state-section';
import { NotReported, Section } from './section';

export function UsersTab({ device }: { device: DeviceDetail }) {
  const user = device.inventory.user?.[0];
  const sessions = device.inventory.session ?? [];
  const localUsers = device.inventory.localUser;
  const localGroups = device.inventory.localGroup;
  return (
    <Stack gap="xl" data-testid="users-tab">
      <PrimaryUsersSection deviceId={device.id} />
      <UserStateSection deviceId={device.id} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
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
      <Section title="Local accounts" icon={<IconUserCircle size={16} />}>
        {localUsers === undefined ? (
          <NotReported what="local accounts" />
        ) : (
          <InstanceTable
            instances={localUsers}
            testId="local-users-table"
            pageSize={20}
            columns={[
              { key: 'name', label: 'Account', nowrap: true },
              { key: 'uid', label: 'UID', align: 'right' },
              { key: 'primaryGroup', label: 'Primary group' },
              { key: 'fullName', label: 'Full name' },
              { key: 'home', label: 'Home', mono: true },
              { key: 'shell', label: 'Shell', mono: true },
              {
                key: 'system',
                label: 'Kind',
                render: (u) =>
                  u.system === true ? (
                    <Badge variant="light" color="gray" size="sm">
                      system
                    </Badge>
                  ) : (
                    <Badge variant="light" color="indigo" size="sm">
                      person
                    </Badge>
                  ),
              },
            ]}
          />
        )}
      </Section>
      <Section title="Local groups" icon={<IconUsersGroup size={16} />}>
        {localGroups === undefined ? (
          <NotReported what="local groups" />
        ) : (
          <InstanceTable
            instances={localGroups}
            testId="local-groups-table"
            pageSize={20}
            columns={[
              { key: 'name', label: 'Group', nowrap: true },
              { key: 'gid', label: 'GID', align: 'right' },
              { key: 'members', label: 'Members' },
              { key: 'system', label: 'System' },
            ]}
          />
        )}
      </Section>
    </Stack>
  );
}
