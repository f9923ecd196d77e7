import { Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconRadar, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { MachineAgentBadge } from '../monitoring/machine-agent-badge';
import { CollectionDiscoveredRules } from './collection-discovered-rules';

/**
 * The discovered machines a collection includes by address (ADR 0030), with "no agent" until a
 * push installs one. They are not devices: deployments and policy do not reach them; a push to
 * the collection does.
 */
export function CollectionDiscoveredMembers({ collectionId }: { collectionId: string }) {
  const { can } = useSession();
  const writable = can('collections:write');
  const queryClient = useQueryClient();
  const key = ['collection', collectionId, 'discovered-members'];
  const [addresses, setAddresses] = useState('');
  const members = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.discovery.listCollectionMembers, { params: { id: collectionId } }),
    refetchInterval: 15_000,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  const add = useMutation({
    mutationFn: () =>
      api.call(ops.discovery.addCollectionMembers, {
        params: { id: collectionId },
        body: { addresses: addresses.split(/[\s,]+/).filter(Boolean) },
      }),
    meta: { errorTitle: 'Could not add the discovered machines' },
    onSuccess: () => {
      setAddresses('');
      notifySuccess('Discovered machines added.');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (address: string) =>
      api.call(ops.discovery.removeCollectionMember, {
        params: { id: collectionId, address },
      }),
    meta: { errorTitle: 'Could not remove the discovered machine' },
    onSuccess: refresh,
  });
  if (members.isError) return <ErrorState error={members.error} what="the discovered members" />;
  const items = members.data ?? [];
  return (
    <Stack gap="sm" mt="lg" data-testid="collection-discovered">
      <Group gap="xs">
        <IconRadar size={18} />
        <Title order={5}>Discovered machines</Title>
        <Text size="sm" c="dimmed">
          included by address or by rule; a push to this collection installs the agent on those with
          none
        </Text>
      </Group>
      <CollectionDiscoveredRules collectionId={collectionId} writable={writable} />
      {items.length > 0 && (
        <DataTable
          testId="collection-discovered-table"
          loading={members.isPending}
          minWidth={600}
          columns={[
            { label: 'Address' },
            { label: 'OS guess' },
            { label: 'Agent' },
            { label: 'Included by' },
            { label: 'Last seen' },
            ...(writable ? [{ label: '' }] : []),
          ]}
        >
          {items.map((m) => (
            <Table.Tr key={m.address} data-testid={`collection-discovered-${m.address}`}>
              <Table.Td ff="monospace">{m.address}</Table.Td>
              <Table.Td>{m.osGuess ?? '–'}</Table.Td>
              <Table.Td>
                <MachineAgentBadge m={m} />
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {m.byAddress && (
                    <Badge size="sm" variant="light">
                      address
                    </Badge>
                  )}
                  {m.byRules.length > 0 && (
                    <Badge size="sm" variant="light" color="grape">
                      {m.byRules.length === 1 ? 'rule' : `${String(m.byRules.length)} rules`}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <RelativeTime iso={m.lastSeenAt} size="sm" />
              </Table.Td>
              {writable && (
                <Table.Td>
                  {m.byAddress ? (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={12} />}
                      onClick={() => remove.mutate(m.address)}
                      aria-label={`remove ${m.address}`}
                    >
                      Remove
                    </Button>
                  ) : (
                    <Text size="xs" c="dimmed">
                      change the rule to leave it out
                    </Text>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </DataTable>
      )}
      {writable && (
        <Group align="end">
          <TextInput
            label="Include discovered machines"
            description="Addresses a sweep has found, comma-separated"
            value={addresses}
            onChange={(e) => setAddresses(e.currentTarget.value)}
            w={360}
            data-testid="collection-discovered-add-input"
          />
          <Button
            onClick={() => add.mutate()}
            loading={add.isPending}
            disabled={addresses.trim() === ''}
            data-testid="collection-discovered-add"
          >
            Add
          </Button>
        </Group>
      )}
    </Stack>
  );
}
