import { Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { api } from '../../api/client';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';

/** The host keys recorded at first contact, with the refused key of a host that changed. */
export function HostKeysPanel({ writable }: { writable: boolean }) {
  const qc = useQueryClient();
  const keys = useQuery({
    queryKey: ['push-host-keys'],
    queryFn: () => api.call(ops.clientPush.listHostKeys, {}),
  });
  const forget = useMutation({
    mutationFn: (host: string) => api.call(ops.clientPush.forgetHostKey, { params: { host } }),
    meta: { errorTitle: 'Could not forget the host key' },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['push-host-keys'] }),
  });
  if (keys.isPending) return <BlockSkeleton lines={2} />;
  if (keys.isError) return <ErrorState error={keys.error} what="host keys" />;
  return (
    <Table data-testid="push-host-keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Host</Table.Th>
          <Table.Th>Key</Table.Th>
          <Table.Th>First seen</Table.Th>
          <Table.Th>Refused key</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.data.map((k) => (
          <Table.Tr key={`${k.host}:${k.port}`}>
            <Table.Td>{`${k.host}:${k.port}`}</Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace">
                {k.keyType} {k.fingerprint}
              </Text>
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={k.firstSeenAt} />
            </Table.Td>
            <Table.Td>
              {k.refusedFingerprint ? (
                <Text size="xs" ff="monospace" c="red">
                  {k.refusedFingerprint}
                </Text>
              ) : (
                '-'
              )}
            </Table.Td>
            <Table.Td>
              {writable && (
                <ConfirmButton
                  variant="subtle"
                  size="xs"
                  title="Forget host key"
                  message={`Forget the key of ${k.host}:${k.port}? The next contact records the key it offers.`}
                  confirmLabel="Forget"
                  onConfirm={() => forget.mutateAsync(`${k.host}:${k.port}`)}
                  testId={`push-host-key-forget-${k.host}-${k.port}`}
                >
                  Forget
                </ConfirmButton>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
