import { ExportButton } from '../../components/export-button';
import {
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Paper,
  Select,
  Table,
  Text,
  ActionIcon,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconDots,
  IconKey,
  IconLock,
  IconPlus,
  IconTrash,
  IconUserCheck,
  IconUserOff,
  IconUsers,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateUserRequest, type User } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmDialog } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { roleLabel } from '../../layout/app-header';
import {
  CreateUserModal,
  PasswordModal,
  ROLE_OPTIONS,
  explainUserError,
  parseRole,
} from './user-modals';
import { useSession } from '../../session/session-context';

export function UsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [createOpened, { open, close }] = useDisclosure(false);
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.listUsers() });
  const writable = session.can('users:write');
  const update = useMutation({
    mutationFn: ({ id, req }: { id: string; req: UpdateUserRequest }) => api.updateUser(id, req),
    meta: { silent: true },
    onError: explainUserError,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteUser(id),
    meta: { silent: true },
    onError: explainUserError,
    onSuccess: () => {
      notifySuccess('User deleted.');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });

  return (
    <>
      <PageHeader
        title="Users"
        description="Who may sign in to the console, the CLI and the API, and with which role."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.users} testId="users-export" />
            {writable && (
              <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid="new-user">
                New user
              </Button>
            )}
          </Group>
        }
      />
      {!writable && !users.isError && (
        <Alert
          color="gray"
          variant="light"
          icon={<IconLock size={18} />}
          mb="md"
          data-testid="users-read-only"
        >
          Your role ({session.user ? roleLabel(session.user.role) : ''}) can see users but not
          change them.
        </Alert>
      )}
      <Paper p="md">
        {users.isError ? (
          <ErrorState error={users.error} what="see the users" />
        ) : !users.isPending && users.data.length === 0 ? (
          <EmptyState icon={<IconUsers size={24} />} title="No users" />
        ) : (
          <Table className="steward-table" data-testid="user-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th w={260}>Role</Table.Th>
                <Table.Th w={110}>State</Table.Th>
                <Table.Th w={150}>Last sign-in</Table.Th>
                <Table.Th w={150}>Created</Table.Th>
                <Table.Th w={50} />
              </Table.Tr>
            </Table.Thead>
            {users.isPending ? (
              <TableSkeleton columns={6} rows={4} />
            ) : (
              <Table.Tbody>
                {users.data.map((u) => {
                  const self = u.id === session.user?.id;
                  return (
                    <Table.Tr key={u.id} data-testid="user-row" opacity={u.disabled ? 0.6 : 1}>
                      <Table.Td>
                        <Group gap={6}>
                          <Text size="sm" fw={600}>
                            {u.name}
                          </Text>
                          {self && (
                            <Badge size="xs" variant="light">
                              you
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {writable ? (
                          <Select
                            size="xs"
                            data={ROLE_OPTIONS}
                            value={u.role}
                            allowDeselect={false}
                            onChange={(v) => {
                              const role = parseRole(v);
                              if (role && role !== u.role)
                                update.mutate({ id: u.id, req: { role } });
                            }}
                          />
                        ) : (
                          <Text size="sm">{roleLabel(u.role)}</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge color={u.disabled ? 'gray' : 'teal'} variant="light">
                          {u.disabled ? 'disabled' : 'enabled'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime iso={u.lastLoginAt} />
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime iso={u.createdAt} />
                      </Table.Td>
                      <Table.Td>
                        {writable && (
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <ActionIcon
                                variant="subtle"
                                color="gray"
                                aria-label={`Actions for ${u.name}`}
                              >
                                <IconDots size={16} />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item
                                leftSection={<IconKey size={15} />}
                                onClick={() => setPasswordFor(u)}
                              >
                                Set password
                              </Menu.Item>
                              <Menu.Item
                                leftSection={
                                  u.disabled ? (
                                    <IconUserCheck size={15} />
                                  ) : (
                                    <IconUserOff size={15} />
                                  )
                                }
                                disabled={self && !u.disabled}
                                onClick={() =>
                                  update.mutate({ id: u.id, req: { disabled: !u.disabled } })
                                }
                              >
                                {u.disabled ? 'Enable' : 'Disable'}
                              </Menu.Item>
                              <Menu.Divider />
                              <Menu.Item
                                color="red"
                                leftSection={<IconTrash size={15} />}
                                disabled={self}
                                onClick={() => setDeleting(u)}
                              >
                                Delete
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            )}
          </Table>
        )}
      </Paper>
      <CreateUserModal opened={createOpened} onClose={close} />
      <PasswordModal user={passwordFor} onClose={() => setPasswordFor(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={`Delete user ${deleting?.name ?? ''}?`}
        message="The user can no longer sign in; their entries in the audit log stay. To keep the account for later, disable it instead."
        confirmLabel="Delete user"
        loading={remove.isPending}
        onConfirm={() => (deleting ? remove.mutateAsync(deleting.id) : undefined)}
      />
    </>
  );
}
