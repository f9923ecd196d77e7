import {
  Button,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type PushServiceMode } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { FormActions } from '../../components/form-actions';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';

function AddAccountModal(props: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [user, setUser] = useState('root');
  const [auth, setAuth] = useState<'key' | 'password'>('key');
  const [secret, setSecret] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [service, setService] = useState<PushServiceMode>('systemd');
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.clientPush.createAccount, {
        body: {
          name,
          user,
          serviceMode: service,
          ...(auth === 'key'
            ? { privateKey: secret, ...(passphrase ? { passphrase } : {}) }
            : { password: secret }),
        },
      }),
    meta: { errorTitle: 'Could not store the push account' },
    onSuccess: () => {
      // The secret leaves the browser's memory with the form.
      setSecret('');
      setPassphrase('');
      notifySuccess('Push account stored.');
      void qc.invalidateQueries({ queryKey: ['push-accounts'] });
      props.onClose();
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>New push account</Text>}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-testid="push-account-name"
          />
          <TextInput
            label="SSH user"
            value={user}
            onChange={(e) => setUser(e.currentTarget.value)}
            required
          />
          <SegmentedControl
            value={auth}
            onChange={(v) => setAuth(v === 'password' ? 'password' : 'key')}
            data={[
              { value: 'key', label: 'Private key' },
              { value: 'password', label: 'Password' },
            ]}
          />
          {auth === 'key' ? (
            <>
              <Textarea
                label="Private key"
                description="Sealed with the site master key; never shown again"
                autosize
                minRows={4}
                value={secret}
                onChange={(e) => setSecret(e.currentTarget.value)}
                required
                styles={{ input: { fontFamily: 'monospace' } }}
                data-testid="push-account-key"
              />
              <PasswordInput
                label="Key passphrase (optional)"
                value={passphrase}
                onChange={(e) => setPassphrase(e.currentTarget.value)}
              />
            </>
          ) : (
            <PasswordInput
              label="Password"
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
              required
            />
          )}
          <Select
            label="Agent service"
            data={[
              { value: 'systemd', label: 'systemd unit (target must run systemd)' },
              { value: 'auto', label: 'systemd when present, else a detached process' },
              { value: 'none', label: 'detached process' },
            ]}
            value={service}
            onChange={(v) => setService(v === 'auto' || v === 'none' ? v : 'systemd')}
            allowDeselect={false}
          />
          <FormActions
            onCancel={props.onClose}
            submitLabel="Store account"
            loading={create.isPending}
            testId="push-account-submit"
          />
        </Stack>
      </form>
    </Modal>
  );
}

export function AccountsPanel({ writable }: { writable: boolean }) {
  const qc = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.clientPush.deleteAccount, { params: { id } }),
    meta: { errorTitle: 'Could not remove the push account' },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['push-accounts'] }),
  });
  if (accounts.isPending) return <BlockSkeleton lines={2} />;
  if (accounts.isError) return <ErrorState error={accounts.error} what="push accounts" />;
  return (
    <Stack gap="sm">
      {writable && (
        <Group justify="flex-end">
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={open}
            data-testid="push-account-new"
          >
            New push account
          </Button>
        </Group>
      )}
      <Table data-testid="push-accounts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>User</Table.Th>
            <Table.Th>Authentication</Table.Th>
            <Table.Th>Service</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {accounts.data.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{a.name}</Table.Td>
              <Table.Td>{a.user}</Table.Td>
              <Table.Td>
                {a.authKind === 'key' ? `key${a.hasPassphrase ? ' + passphrase' : ''}` : 'password'}
              </Table.Td>
              <Table.Td>{a.serviceMode}</Table.Td>
              <Table.Td>
                <RelativeTime iso={a.createdAt} /> by {a.createdBy}
              </Table.Td>
              <Table.Td>
                {writable && (
                  <ConfirmButton
                    variant="subtle"
                    color="red"
                    size="xs"
                    title="Remove push account"
                    message={`Remove ${a.name}? Targets still to be tried with it fail.`}
                    confirmLabel="Remove"
                    onConfirm={() => remove.mutateAsync(a.id)}
                    testId={`push-account-remove-${a.name}`}
                  >
                    Remove
                  </ConfirmButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <AddAccountModal opened={opened} onClose={close} />
    </Stack>
  );
}
