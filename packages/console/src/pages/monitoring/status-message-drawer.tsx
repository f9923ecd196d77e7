import {
  Anchor,
  Badge,
  Code,
  Drawer,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { StatusMessage } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { KeyValueTable } from '../../components/key-value-table';
import { formatDateTime } from '../../lib/format';
import { SEVERITY_COLORS, SeverityIcon } from './severity';

export function StatusMessageDrawer({
  message,
  onClose,
}: {
  message: StatusMessage | null;
  onClose: () => void;
}) {
  const m = message;
  return (
    <Drawer
      opened={m !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={
        m && (
          <Group gap="xs">
            <SeverityIcon severity={m.severity} />
            <Title order={4} fz={16}>
              Status message {m.messageId}
            </Title>
          </Group>
        )
      }
      data-testid="status-message-drawer"
    >
      {m && (
        <Stack gap="md">
          <Paper
            p="sm"
            bg={`var(--mantine-color-${SEVERITY_COLORS[m.severity]}-light)`}
            withBorder={false}
          >
            <Text size="sm" data-testid="drawer-text">
              {m.text}
            </Text>
          </Paper>
          <KeyValueTable
            labelWidth={140}
            rows={[
              [
                'Severity',
                <Badge color={SEVERITY_COLORS[m.severity]} variant="light">
                  {m.severity}
                </Badge>,
              ],
              ['Type', m.type],
              ['Component', m.component],
              [
                'Machine',
                m.deviceId ? (
                  <Anchor
                    component={Link}
                    to={`/devices/${encodeURIComponent(m.deviceId)}`}
                    size="sm"
                    onClick={onClose}
                  >
                    {m.machine}
                  </Anchor>
                ) : (
                  m.machine
                ),
              ],
              ['Site', m.siteCode],
              [
                'Raised (UTC)',
                <Text size="sm">
                  {formatDateTime(m.at)}{' '}
                  <Text span c="dimmed" size="xs">
                    {m.at}
                  </Text>
                </Text>,
              ],
              ['Received', formatDateTime(m.receivedAt)],
              ['Record id', <Code>{m.id}</Code>],
            ]}
          />
          <div>
            <Text fw={600} size="sm" mb={4}>
              Insertion strings
            </Text>
            {m.insertionStrings.length === 0 ? (
              <Text size="sm" c="dimmed">
                None
              </Text>
            ) : (
              <Table fz="sm" withTableBorder data-testid="insertion-strings">
                <Table.Tbody>
                  {m.insertionStrings.map((s, i) => (
                    <Table.Tr key={i}>
                      <Table.Td w={60}>
                        <Code>%{i + 1}</Code>
                      </Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{s}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </div>
          <div>
            <Text fw={600} size="sm" mb={4}>
              Attributes
            </Text>
            {Object.keys(m.attributes).length === 0 ? (
              <Text size="sm" c="dimmed">
                None
              </Text>
            ) : (
              <Table fz="sm" withTableBorder data-testid="attributes">
                <Table.Tbody>
                  {Object.entries(m.attributes).map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Td w={160}>
                        <Code>{k}</Code>
                      </Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{v}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </div>
        </Stack>
      )}
    </Drawer>
  );
}
