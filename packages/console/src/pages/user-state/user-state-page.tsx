import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconArrowsExchange, IconUserShare } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UserStateRecordState } from '@steward/protocol';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { ProblemsAlert } from '../task-sequences/problems-alert';

const KEY = 'user-state';
const STATES: readonly UserStateRecordState[] = ['requested', 'captured', 'restored', 'expired'];
const STATE_COLOUR: Record<UserStateRecordState, string> = {
  requested: 'yellow',
  captured: 'blue',
  restored: 'green',
  expired: 'gray',
};

/** The associations of the replace scenario: a source computer's state for a destination. */
function Associations() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: [KEY, 'associations'],
    queryFn: () => api.call(ops.userState.associations, {}),
  });
  const [source, setSource] = useState('');
  const [destination, setDestination] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.userState.associate, {
        body: { source: source.trim(), destination: destination.trim() },
      }),
    meta: { silent: true },
    onSuccess: (a) => {
      notifySuccess(`${a.sourceName} → ${a.destinationName}`, 'Computers associated');
      setSource('');
      setDestination('');
      void queryClient.invalidateQueries({ queryKey: [KEY] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.userState.dissociate, { params: { id } }),
    meta: { errorTitle: 'Association not deleted' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [KEY, 'associations'] }),
  });
  return (
    <Paper withBorder p="md" data-testid="computer-associations">
      <Group justify="space-between" mb="sm">
        <Title order={4}>Computer associations</Title>
        <ExportButton op={ops.exports.computerAssociations} testId="computer-associations-export" />
      </Group>
      {can('devices:write') && (
        <Group align="flex-end" gap="sm" mb="sm">
          <TextInput
            label="Source computer"
            description="The old computer: a device, an imported or unknown computer"
            value={source}
            onChange={(e) => setSource(e.currentTarget.value)}
            w={280}
            data-testid="association-source"
          />
          <TextInput
            label="Destination computer"
            description="The new computer its state is restored on"
            value={destination}
            onChange={(e) => setDestination(e.currentTarget.value)}
            w={280}
            data-testid="association-destination"
          />
          <Button
            loading={create.isPending}
            disabled={source.trim() === '' || destination.trim() === ''}
            onClick={() => create.mutate()}
            data-testid="association-create"
          >
            Associate
          </Button>
        </Group>
      )}
      {create.error ? (
        <ProblemsAlert
          error={create.error}
          title="Computers not associated"
          testId="association-error"
        />
      ) : null}
      {list.error ? <ErrorState error={list.error} what="computer associations" /> : null}
      {list.data?.length === 0 ? (
        <Text size="sm" c="dimmed">
          No associations: a computer's captured state is restored on the same computer (refresh).
        </Text>
      ) : (
        <Table className="steward-table" data-testid="computer-associations-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Source</Table.Th>
              <Table.Th>Destination</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  {a.sourceName} <Badge variant="light">{a.sourceKind}</Badge>
                </Table.Td>
                <Table.Td>
                  {a.destinationName} <Badge variant="light">{a.destinationKind}</Badge>
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={a.createdAt} /> by {a.createdBy}
                </Table.Td>
                <Table.Td>
                  {can('devices:write') && (
                    <DeleteIconButton
                      name={`the association ${a.sourceName} → ${a.destinationName}`}
                      message="State the source captures later is restored on the source itself."
                      loading={remove.isPending}
                      onConfirm={() => remove.mutateAsync(a.id)}
                      testId={`association-delete-${a.id}`}
                    />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

/**
 * Software library › Operating systems › User state (issue 11, ADR 0096): the user-state
 * records (one per capture, kept encrypted on a state migration point) with their state, and
 * the computer associations of the replace scenario. `?computer=<id>` shows one computer's.
 */
export function UserStatePage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const computer = params.get('computer') ?? undefined;
  const [state, setState] = useState<string>('all');
  const chosen = STATES.find((s) => s === state);
  const records = useQuery({
    queryKey: [KEY, computer, chosen],
    queryFn: () =>
      api.call(ops.userState.list, {
        query: { ...(computer ? { computer } : {}), ...(chosen ? { state: chosen } : {}) },
      }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.userState.delete, { params: { id } }),
    meta: { errorTitle: 'User-state record not deleted' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [KEY] }),
  });
  return (
    <Stack>
      <PageHeader
        title="User state"
        icon={<IconUserShare />}
        description="User state captured by task sequences on state migration points, and the computers it is restored on"
        testId="user-state-page"
        actions={<ExportButton op={ops.exports.userState} testId="user-state-export" />}
      />
      <Group>
        <SegmentedControl
          value={state}
          onChange={setState}
          data={['all', ...STATES]}
          data-testid="user-state-filter"
        />
        {computer ? (
          <Badge
            variant="light"
            rightSection={
              <Anchor size="xs" onClick={() => setParams({})}>
                ×
              </Anchor>
            }
          >
            computer {computer}
          </Badge>
        ) : null}
      </Group>
      {records.error ? <ErrorState error={records.error} what="user-state records" /> : null}
      {records.data?.length === 0 ? (
        <EmptyState
          icon={<IconArrowsExchange />}
          title="No user-state records"
          description="A task sequence's Capture user state step with the state migration point store makes one."
        />
      ) : (
        <Table className="steward-table" data-testid="user-state-records">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>State</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Destination</Table.Th>
              <Table.Th>State migration point</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Captured</Table.Th>
              <Table.Th>Restored</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(records.data ?? []).map((r) => (
              <Table.Tr key={r.id} data-testid={`user-state-${r.id}`}>
                <Table.Td>
                  <Badge color={STATE_COLOUR[r.state]} variant="light">
                    {r.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{r.sourceName}</Table.Td>
                <Table.Td>{r.destinationName}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/admin/distribution-points/${r.dpId}`}>
                    {r.dpName}
                  </Anchor>
                </Table.Td>
                <Table.Td>{r.sizeBytes === null ? '-' : formatBytes(r.sizeBytes)}</Table.Td>
                <Table.Td>{r.capturedAt ? <RelativeTime iso={r.capturedAt} /> : '-'}</Table.Td>
                <Table.Td>{r.restoredAt ? <RelativeTime iso={r.restoredAt} /> : '-'}</Table.Td>
                <Table.Td>
                  {can('devices:write') && (
                    <DeleteIconButton
                      name={`the user-state record of ${r.sourceName}`}
                      message="Its state migration point deletes the encrypted archive at its next poll."
                      loading={remove.isPending}
                      onConfirm={() => remove.mutateAsync(r.id)}
                      testId={`user-state-delete-${r.id}`}
                    />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Associations />
    </Stack>
  );
}
