import { Anchor, Badge, Table, Text } from '@mantine/core';
import type { StatusMessage } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatDateTime } from '../../lib/format';
import { SEVERITY_COLORS, SeverityIcon } from './severity';

/** Status messages, newest first; a click opens the message's details. */
export function StatusMessageTable(props: {
  messages: StatusMessage[];
  loading: boolean;
  onOpen: (m: StatusMessage) => void;
  freshIds?: ReadonlySet<string>;
  showMachine?: boolean;
}) {
  const showMachine = props.showMachine ?? true;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table className="steward-table" data-testid="status-message-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36} />
            <Table.Th w={180}>Time</Table.Th>
            <Table.Th w={80}>Message</Table.Th>
            <Table.Th w={150}>Component</Table.Th>
            {showMachine && <Table.Th w={160}>Machine</Table.Th>}
            <Table.Th>Description</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {props.loading ? (
          <TableSkeleton columns={showMachine ? 6 : 5} rows={12} />
        ) : (
          <Table.Tbody>
            {props.messages.map((m) => (
              <Table.Tr
                key={m.id}
                className={`clickable${props.freshIds?.has(m.id) ? ' steward-new-row' : ''}`}
                onClick={() => props.onOpen(m)}
                data-testid="status-message-row"
                data-severity={m.severity}
                style={{
                  boxShadow: `inset 3px 0 0 var(--mantine-color-${SEVERITY_COLORS[m.severity]}-6)`,
                }}
              >
                <Table.Td>
                  <SeverityIcon severity={m.severity} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(m.at)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="outline"
                    color={SEVERITY_COLORS[m.severity]}
                    size="sm"
                    radius="sm"
                  >
                    {m.messageId}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate>
                    {m.component}
                  </Text>
                </Table.Td>
                {showMachine && (
                  <Table.Td>
                    {m.deviceId ? (
                      <Anchor
                        component={Link}
                        to={`/devices/${encodeURIComponent(m.deviceId)}`}
                        size="sm"
                        onClick={(e) => e.stopPropagation()}
                      >
                        {m.machine}
                      </Anchor>
                    ) : (
                      <Text size="sm">{m.machine}</Text>
                    )}
                  </Table.Td>
                )}
                <Table.Td>
                  <Text size="sm" lineClamp={2} data-testid="status-message-text">
                    {m.text}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}
