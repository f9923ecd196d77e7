import { Badge, Paper, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { DpMulticastSettingsOptions, ops, type MulticastSessionState } from '@steward/protocol';
import { api } from '../../api/client';
import { DeclaredSettingsForm } from '../../components/declared-settings-form';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';

const STATE_COLOUR: Record<MulticastSessionState, string> = {
  waiting: 'yellow',
  sending: 'blue',
  finished: 'green',
  failed: 'red',
};

/**
 * The DP page's multicast section (issue 11, ADR 0088): the settings, rendered from their
 * declaration, and the sessions the DP reported (file, clients, bytes sent, state).
 */
export function DpMulticastSection({ dpId }: { dpId: string }) {
  const key = ['dp-multicast', dpId];
  const sessions = useQuery({
    queryKey: [...key, 'sessions'],
    queryFn: () => api.call(ops.dpMulticast.sessions, { params: { id: dpId }, query: {} }),
    refetchInterval: 5_000,
  });
  const items = sessions.data?.items ?? [];
  return (
    <Paper p="md" data-testid="dp-multicast">
      <Title order={4} mb="sm">
        Multicast
      </Title>
      <DeclaredSettingsForm
        declaration={DpMulticastSettingsOptions}
        queryKey={key}
        load={() => api.call(ops.dpMulticast.get, { params: { id: dpId } })}
        save={(body) => api.call(ops.dpMulticast.update, { params: { id: dpId }, body })}
        permission="software:write"
        saveLabel="Save multicast settings"
        savedTitle="Multicast settings saved"
        savedMessage="The DP applies them at its next poll"
        failedTitle="Multicast settings not saved"
        testIdPrefix="dp-multicast"
      />
      <Title order={5} mt="md" mb="xs">
        Sessions
      </Title>
      <QueryView
        query={sessions}
        what="the multicast sessions of this DP"
        isEmpty={items.length === 0}
        empty={
          <Text size="sm" c="dimmed">
            No multicast sessions reported yet.
          </Text>
        }
      >
        <Table className="steward-table" data-testid="dp-multicast-sessions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>State</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th>Clients</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Sent</Table.Th>
              <Table.Th>Group</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Badge color={STATE_COLOUR[s.state]} variant="light" title={s.detail}>
                    {s.state}
                  </Badge>
                </Table.Td>
                <Table.Td className="steward-mono">{s.sha256.slice(0, 12)}</Table.Td>
                <Table.Td>
                  {s.receivers} of {s.clients}
                </Table.Td>
                <Table.Td>{formatBytes(s.fileBytes)}</Table.Td>
                <Table.Td>{formatBytes(s.bytesSent)}</Table.Td>
                <Table.Td className="steward-mono">
                  {s.address}:{s.port}
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={s.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryView>
    </Paper>
  );
}
