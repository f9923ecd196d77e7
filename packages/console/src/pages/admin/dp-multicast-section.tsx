import { useEffect, useState } from 'react';
import { Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DpMulticastSettingsOptions,
  ops,
  pickSettings,
  settingErrors,
  type DpMulticast,
  type MulticastSessionState,
  type SettingValues,
} from '@steward/protocol';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { SettingsFields } from '../../components/settings-fields';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';

type Values = SettingValues<typeof DpMulticastSettingsOptions>;

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
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['dp-multicast', dpId];
  const settings = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.dpMulticast.get, { params: { id: dpId } }),
  });
  const sessions = useQuery({
    queryKey: [...key, 'sessions'],
    queryFn: () => api.call(ops.dpMulticast.sessions, { params: { id: dpId }, query: {} }),
    refetchInterval: 5_000,
  });
  const [values, setValues] = useState<Values | undefined>(undefined);
  useEffect(() => {
    if (settings.data) setValues(pickSettings(DpMulticastSettingsOptions, settings.data));
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (body: Values) => api.call(ops.dpMulticast.update, { params: { id: dpId }, body }),
    onSuccess: (saved: DpMulticast) => {
      queryClient.setQueryData(key, saved);
      notifySuccess('The DP applies them at its next poll', 'Multicast settings saved');
    },
    onError: (e) => notifyError(e, 'Multicast settings not saved'),
  });
  const errors = values ? settingErrors(DpMulticastSettingsOptions, values) : {};
  const items = sessions.data?.items ?? [];
  return (
    <Paper p="md" data-testid="dp-multicast">
      <Title order={4} mb="sm">
        Multicast
      </Title>
      {values && (
        <>
          <SettingsFields
            declaration={DpMulticastSettingsOptions}
            values={values}
            onChange={(k, v) => setValues({ ...values, [k]: v })}
            errors={errors}
            testIdPrefix="dp-multicast"
            disabled={!can('software:write')}
          />
          {can('software:write') && (
            <Group justify="flex-end" mt="sm">
              <Button
                onClick={() => save.mutate(values)}
                loading={save.isPending}
                disabled={Object.keys(errors).length > 0}
                data-testid="dp-multicast-save"
              >
                Save multicast settings
              </Button>
            </Group>
          )}
        </>
      )}
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
