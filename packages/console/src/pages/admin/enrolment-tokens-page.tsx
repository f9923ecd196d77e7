import {
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EnrolmentToken } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { TokenCreatedModal } from './token-created-modal';
import { FormActions } from '../../components/form-actions';

function tokenState(t: EnrolmentToken): { label: string; color: string } {
  if (t.revoked) return { label: 'revoked', color: 'red' };
  if (new Date(t.expiresAt).getTime() < Date.now()) return { label: 'expired', color: 'gray' };
  if (t.uses >= t.maxUses) return { label: 'used up', color: 'orange' };
  return { label: 'active', color: 'teal' };
}

function CreateTokenModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (t: EnrolmentToken) => void;
}) {
  const [description, setDescription] = useState('');
  const [hours, setHours] = useState<number>(24);
  const [maxUses, setMaxUses] = useState<number>(100);
  const create = useMutation({
    mutationFn: () =>
      api.createToken({
        description: description.trim() || undefined,
        expiresInHours: hours,
        maxUses,
      }),
    meta: { errorTitle: 'Could not create the token' },
    onSuccess: (t) => {
      setDescription('');
      onCreated(t);
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>New enrolment token</Text>}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="Description"
            placeholder="e.g. Paris data centre rebuild"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            maxLength={500}
            data-autofocus
            data-testid="token-description"
          />
          <Group grow>
            <NumberInput
              label="Expires after"
              suffix=" hours"
              min={1}
              max={8760}
              value={hours}
              onChange={(v) => setHours(typeof v === 'number' ? v : 24)}
              data-testid="token-hours"
            />
            <NumberInput
              label="Maximum uses"
              min={1}
              max={1000000}
              value={maxUses}
              onChange={(v) => setMaxUses(typeof v === 'number' ? v : 100)}
              thousandSeparator
              data-testid="token-max-uses"
            />
          </Group>
          <FormActions
            onCancel={onClose}
            submitLabel="Create token"
            loading={create.isPending}
            testId="token-create-submit"
            mt="sm"
          />
        </Stack>
      </form>
    </Modal>
  );
}

export function EnrolmentTokensPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [createOpened, { open, close }] = useDisclosure(false);
  const [created, setCreated] = useState<EnrolmentToken | null>(null);
  const tokens = useQuery({ queryKey: ['enrolment-tokens'], queryFn: () => api.listTokens() });
  const revoke = useMutation({
    mutationFn: (id: string) => api.revokeToken(id),
    onSuccess: () => {
      notifySuccess('Token revoked: no machine can enrol with it any more.');
      void queryClient.invalidateQueries({ queryKey: ['enrolment-tokens'] });
    },
  });
  const writable = can('enrolment:write');
  const list = [...(tokens.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <>
      <PageHeader
        title="Enrolment tokens"
        description="A token lets machines enrol their agent in this site, a limited number of times until it expires."
        actions={
          writable && (
            <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid="new-token">
              New token
            </Button>
          )
        }
      />
      <Paper p="md">
        {tokens.isError ? (
          <ErrorState error={tokens.error} what="enrolment tokens" />
        ) : !tokens.isPending && list.length === 0 ? (
          <EmptyState
            icon={<IconKey size={24} />}
            title="No enrolment tokens"
            description="Create a token, then run the enrol command it gives you on each machine (or use it in an image or a push install)."
            action={
              writable && (
                <Button onClick={open} leftSection={<IconPlus size={16} />}>
                  New token
                </Button>
              )
            }
          />
        ) : (
          <Table.ScrollContainer minWidth={850}>
            <Table className="steward-table" data-testid="token-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Description</Table.Th>
                  <Table.Th w={100}>State</Table.Th>
                  <Table.Th w={180}>Uses</Table.Th>
                  <Table.Th w={150}>Expires</Table.Th>
                  <Table.Th w={190}>Created</Table.Th>
                  <Table.Th w={110} />
                </Table.Tr>
              </Table.Thead>
              {tokens.isPending ? (
                <TableSkeleton columns={6} rows={4} />
              ) : (
                <Table.Tbody>
                  {list.map((t) => {
                    const state = tokenState(t);
                    return (
                      <Table.Tr key={t.id} data-testid="token-row">
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {t.description || (
                              <Text span c="dimmed" size="sm">
                                (no description)
                              </Text>
                            )}
                          </Text>
                          <Text size="xs" c="dimmed" className="steward-mono">
                            {t.id}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge color={state.color} variant="light">
                            {state.label}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={8} wrap="nowrap">
                            <Progress
                              value={(t.uses / t.maxUses) * 100}
                              size="sm"
                              style={{ flex: 1 }}
                            />
                            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                              {t.uses} / {t.maxUses}
                            </Text>
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <RelativeTime iso={t.expiresAt} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" title={formatDateTime(t.createdAt)}>
                            {formatRelative(t.createdAt)}{' '}
                            <Text span size="xs" c="dimmed">
                              by {t.createdBy}
                            </Text>
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          {writable && !t.revoked && (
                            <ConfirmButton
                              size="xs"
                              variant="subtle"
                              color="red"
                              leftSection={<IconTrash size={14} />}
                              title="Revoke this token?"
                              message="Machines that already enrolled keep working; no new machine can enrol with this token."
                              confirmLabel="Revoke token"
                              loading={revoke.isPending}
                              onConfirm={() => revoke.mutateAsync(t.id)}
                              testId="token-revoke"
                            >
                              Revoke
                            </ConfirmButton>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              )}
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      <CreateTokenModal
        opened={createOpened}
        onClose={close}
        onCreated={(t) => {
          close();
          setCreated(t);
          void queryClient.invalidateQueries({ queryKey: ['enrolment-tokens'] });
        }}
      />
      <TokenCreatedModal token={created} onClose={() => setCreated(null)} />
    </>
  );
}
