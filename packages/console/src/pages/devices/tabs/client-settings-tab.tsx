import { Alert, Anchor, Badge, Table, Text } from '@mantine/core';
import { IconAdjustments } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import {
  ClientSettingsOptions,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type DeviceDetail,
  type SettingField,
} from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { ErrorState } from '../../../components/error-state';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { Section } from './section';

/**
 * "Resultant client settings": each value the device's policy carries and where it came from
 * (a client settings object through one of its collections, or the site default; ADR 0025).
 */
export function ClientSettingsTab({ device }: { device: DeviceDetail }) {
  const r = useQuery({
    queryKey: ['device', device.id, 'client-settings'],
    queryFn: () => api.call(ops.clientSettingsObjects.resultant, { params: { id: device.id } }),
    refetchInterval: 30_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="the resultant client settings" />;
  if (!r.data) return <BlockSkeleton lines={7} />;
  const data = r.data;
  const fields = new Map<string, SettingField>(
    settingEntries(ClientSettingsOptions).map((e) => [e.key, e.field]),
  );
  const behind = data.devicePolicyVersion !== null && data.devicePolicyVersion < data.policyVersion;
  return (
    <Section
      title="Resultant client settings"
      icon={<IconAdjustments size={18} />}
      testId="resultant-client-settings"
      right={
        <Text size="xs" c="dimmed">
          Policy version {data.policyVersion}; the device reports{' '}
          {data.devicePolicyVersion ?? 'none yet'}
        </Text>
      }
    >
      {behind && (
        <Alert color="yellow" variant="light" p="xs">
          The device has not fetched the current policy yet; it applies these values at its next
          policy fetch.
        </Alert>
      )}
      <Table className="steward-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Setting</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>From</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.values.map((v) => {
            const field = fields.get(v.key);
            return (
              <Table.Tr key={v.key} data-testid={`resultant-${v.key}`}>
                <Table.Td>{field ? shownLabel(field) : v.key}</Table.Td>
                <Table.Td>{field ? describeSetting(field, v.value) : String(v.value)}</Table.Td>
                <Table.Td>
                  {v.source.kind === 'site' ? (
                    <Anchor component={Link} to="/admin/client-settings" size="sm" c="dimmed">
                      Site default
                    </Anchor>
                  ) : (
                    <Text size="sm">
                      <Anchor component={Link} to="/admin/client-settings" size="sm" fw={600}>
                        {v.source.objectName}
                      </Anchor>{' '}
                      <Badge size="xs" variant="light" color="gray">
                        priority {v.source.priority}
                      </Badge>{' '}
                      via{' '}
                      <Anchor
                        component={Link}
                        to={`/collections/${encodeURIComponent(v.source.collectionId)}`}
                        size="sm"
                      >
                        {v.source.collectionName}
                      </Anchor>
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Section>
  );
}
