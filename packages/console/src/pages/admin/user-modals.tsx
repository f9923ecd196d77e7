import { Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ErrorCode } from '@steward/protocol';
import type { Role, User } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { errorCode, notifyError, notifySuccess } from '../../api/errors';
import { roleLabel } from '../../layout/app-header';
import { FormActions, missingFields } from '../../components/form-actions';

export const ROLES: Role[] = [
  'full-administrator',
  'operations-administrator',
  'read-only-analyst',
];
export const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));
export function parseRole(v: string | null): Role | undefined {
  return ROLES.find((r) => r === v);
}

export function explainUserError(err: unknown): void {
  switch (errorCode(err)) {
    case ErrorCode.LAST_ADMIN:
      notifyError(err, 'The site needs at least one enabled full administrator');
      break;
    case ErrorCode.USER_NAME_TAKEN:
      notifyError(err, 'That user name is taken');
      break;
    default:
      notifyError(err, 'Could not change the user');
  }
}

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('read-only-analyst');
  const create = useMutation({
    mutationFn: () => api.createUser({ name: name.trim(), password, role }),
    meta: { silent: true },
    onError: explainUserError,
    onSuccess: (u) => {
      notifySuccess(`User ${u.name} created.`);
      setName('');
      setPassword('');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>New user</Text>}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="User name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            description="Letters, digits, . _ @ -"
            data-autofocus
            data-testid="user-name"
          />
          <PasswordInput
            label="Password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            description="At least 8 characters"
            data-testid="user-password"
          />
          <Select
            label="Role"
            data={ROLE_OPTIONS}
            value={role}
            onChange={(v) => setRole(parseRole(v) ?? role)}
            allowDeselect={false}
            data-testid="user-role"
          />
          <FormActions
            onCancel={onClose}
            submitLabel="Create user"
            loading={create.isPending}
            missing={missingFields({
              Name: name.trim() !== '',
              'Password (8 characters or more)': password.length >= 8,
            })}
            testId="user-create-submit"
            mt="sm"
          />
        </Stack>
      </form>
    </Modal>
  );
}

export function PasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const update = useMutation({
    mutationFn: () => api.updateUser(user?.id ?? '', { password }),
    meta: { silent: true },
    onError: explainUserError,
    onSuccess: () => {
      notifySuccess('Password changed.');
      setPassword('');
      onClose();
    },
  });
  return (
    <Modal
      opened={user !== null}
      onClose={onClose}
      title={<Text fw={600}>Set the password of {user?.name}</Text>}
    >
      <Stack gap="sm">
        <PasswordInput
          label="New password"
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          data-autofocus
        />
        <FormActions
          onCancel={onClose}
          onSubmit={() => update.mutate()}
          submitLabel="Set password"
          loading={update.isPending}
          missing={missingFields({ 'Password (8 characters or more)': password.length >= 8 })}
        />
      </Stack>
    </Modal>
  );
}
