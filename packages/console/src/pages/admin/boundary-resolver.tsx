import { Alert, Badge, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconRoute } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { ContentLocation } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { errorCode, errorMessage } from '../../api/errors';
import { useBoundaryGroups, usePackages } from '../software/queries';

const TIER: Record<ContentLocation['tier'], { label: string; color: string }> = {
  local: { label: 'local', color: 'teal' },
  neighbour: { label: 'neighbour', color: 'blue' },
  fallback: { label: 'fallback', color: 'orange' },
  default: { label: 'default', color: 'gray' },
};

/** "Which DP would a client at this address get?" — the same resolution agents get. */
export function BoundaryResolver() {
  const [ip, setIp] = useState('');
  const [pkg, setPkg] = useState<string | null>(null);
  const packages = usePackages();
  const groups = useBoundaryGroups();
  const resolve = useMutation({
    mutationFn: () => api.resolveContentLocations(ip.trim(), pkg ?? undefined),
    meta: { silent: true },
  });
  const r = resolve.data;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    resolve.mutate();
  };
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? id;
  return (
    <Stack gap="md">
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput
            label="Client IP address"
            placeholder="10.1.2.3"
            value={ip}
            onChange={(e) => setIp(e.currentTarget.value)}
            w={220}
            data-testid="resolve-ip"
          />
          <Select
            label="Package"
            description="Only DPs holding its current version"
            placeholder="Any package"
            data={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={pkg}
            onChange={setPkg}
            clearable
            searchable
            w={280}
          />
          <Button
            type="submit"
            leftSection={<IconRoute size={16} />}
            loading={resolve.isPending}
            disabled={!ip.trim()}
            data-testid="resolve-submit"
          >
            Resolve
          </Button>
        </Group>
      </form>
      {resolve.isError && (
        <Alert
          color="red"
          variant="light"
          title="Could not resolve"
          data-error-code={errorCode(resolve.error)}
        >
          {errorMessage(resolve.error)}
        </Alert>
      )}
      {r && (
        <Stack gap="sm" data-testid="resolve-result">
          <Text size="sm">
            <b>{r.clientAddress}</b> is in{' '}
            {r.boundaryGroupIds.length > 0
              ? r.boundaryGroupIds.map(groupName).join(', ')
              : 'no boundary group'}
            {r.slow && (
              <Badge color="orange" variant="light" ml={8}>
                slow link
              </Badge>
            )}
          </Text>
          {r.locations.length === 0 ? (
            <Alert color="yellow" variant="light">
              No usable distribution point: the client would wait for content.
            </Alert>
          ) : (
            <Table className="steward-table" data-testid="resolve-locations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>#</Table.Th>
                  <Table.Th>Distribution point</Table.Th>
                  <Table.Th>Tier</Table.Th>
                  <Table.Th>Usable after</Table.Th>
                  <Table.Th>URL</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.locations.map((l, i) => (
                  <Table.Tr key={l.dpId}>
                    <Table.Td>{i + 1}</Table.Td>
                    <Table.Td fw={600}>{l.name}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={TIER[l.tier].color}>
                        {TIER[l.tier].label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {l.afterMinutes === 0 ? 'at once' : `${l.afterMinutes} min of failures`}
                    </Table.Td>
                    <Table.Td className="steward-mono">{l.url}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </Stack>
  );
}
