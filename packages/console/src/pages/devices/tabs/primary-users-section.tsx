import { Badge, Button, Group, Stack, TagsInput, Table, Text } from '@mantine/core';
import { IconUserStar } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { MAX_PRIMARY_USERS, ops, PRIMARY_USERS_VARIABLE } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../../api/client';
import { notifySuccess } from '../../../api/errors';
import { ErrorState } from '../../../components/error-state';
import { RelativeTime } from '../../../components/relative-time';
import { useSession } from '../../../session/session-context';
import { ProblemsAlert } from '../../task-sequences/problems-alert';
import { Section } from './section';

/**
 * User device affinity (issue 11): the device's primary users, the administrator's (edited
 * here, saved as a whole list) and those a task sequence named (read only).
 */
export function PrimaryUsersSection({ deviceId }: { deviceId: string }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['primary-users', deviceId];
  const users = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.primaryUsers.list, { params: { id: deviceId } }),
  });
  const [names, setNames] = useState<string[]>([]);
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (users.data && !dirty)
      setNames(users.data.filter((u) => u.source === 'administrator').map((u) => u.userName));
  }, [users.data, dirty]);
  const save = useMutation({
    mutationFn: (list: string[]) =>
      api.call(ops.primaryUsers.set, { params: { id: deviceId }, body: { users: list } }),
    meta: { silent: true },
    onSuccess: (saved) => {
      notifySuccess('Primary users saved.', 'Saved');
      setDirty(false);
      queryClient.setQueryData(key, saved);
    },
  });
  return (
    <Section title="Primary users" icon={<IconUserStar size={16} />}>
      {users.isError ? (
        <ErrorState error={users.error} what="the primary users" />
      ) : (
        <Stack gap="sm" data-testid="primary-users">
          {(users.data ?? []).length === 0 ? (
            <Text size="sm" c="dimmed">
              No primary users. Set them here, or name them in a task sequence's{' '}
              {PRIMARY_USERS_VARIABLE} variable.
            </Text>
          ) : (
            <Table data-testid="primary-users-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th>Set by</Table.Th>
                  <Table.Th>Set</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(users.data ?? []).map((u) => (
                  <Table.Tr key={`${u.source}/${u.userName}`}>
                    <Table.Td>{u.userName}</Table.Td>
                    <Table.Td>
                      <Badge
                        variant="light"
                        color={u.source === 'administrator' ? 'blue' : 'grape'}
                      >
                        {u.source}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{u.setBy}</Table.Td>
                    <Table.Td>
                      <RelativeTime iso={u.setAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {save.error ? (
            <ProblemsAlert
              error={save.error}
              title="Primary users not saved"
              testId="primary-users-error"
            />
          ) : null}
          {can('devices:write') && (
            <Group align="flex-end">
              <TagsInput
                label="The administrator's primary users"
                placeholder="user name, Enter"
                value={names}
                maxTags={MAX_PRIMARY_USERS}
                splitChars={[',', ';']}
                onChange={(v) => {
                  setNames(v);
                  setDirty(true);
                }}
                style={{ flex: 1 }}
                data-testid="primary-users-input"
              />
              <Button
                size="xs"
                disabled={!dirty}
                loading={save.isPending}
                onClick={() => save.mutate(names)}
                data-testid="primary-users-save"
              >
                Save
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Section>
  );
}
