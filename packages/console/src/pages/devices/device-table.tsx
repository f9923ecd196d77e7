import { Anchor, Group, Stack, Table, Text } from '@mantine/core';
import type { DeviceSort, DeviceSummary } from '@steward/protocol';
import { Link, useNavigate } from 'react-router-dom';
import { DeviceStatusBadges } from '../../components/device-status-badges';
import { MachineTypeIcon, machineTypeLabel } from '../../components/machine-type-icon';
import { RelativeTime } from '../../components/relative-time';
import { SortableTh } from '../../components/sortable-th';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatMegabytes } from '../../lib/format';
import { clickedWithin } from '../../lib/click-target';
import { SelectPageTh, SelectRowTd, type RowSelection } from '../../components/row-selection';

export const DEVICE_TABLE_COLUMNS = 7;

/** The device table shared by the device list and collection members. */
export function DeviceTable(props: {
  devices: DeviceSummary[] | undefined;
  loading: boolean;
  sort?: DeviceSort;
  order?: 'asc' | 'desc';
  onSort?: (field: DeviceSort) => void;
  testId?: string;
  /** A checkbox column selecting rows for bulk actions (components/row-selection). */
  selection?: RowSelection<unknown>;
}) {
  const navigate = useNavigate();
  const th = (field: DeviceSort, label: string, w?: number) =>
    props.onSort ? (
      <SortableTh
        field={field}
        sort={props.sort}
        order={props.order ?? 'asc'}
        onSort={props.onSort}
        w={w}
      >
        {label}
      </SortableTh>
    ) : (
      <Table.Th w={w}>{label}</Table.Th>
    );
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table className="steward-table" stickyHeader data-testid={props.testId ?? 'device-table'}>
        <Table.Thead>
          <Table.Tr>
            {props.selection && <SelectPageTh selection={props.selection} />}
            {th('name', 'Name')}
            {th('os', 'Operating system')}
            {th('machineType', 'Type', 150)}
            <Table.Th w={180}>Status</Table.Th>
            {th('lastContact', 'Last contact', 150)}
            {th('memory', 'Memory', 100)}
            <Table.Th>Last user</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {props.loading && !props.devices ? (
          <TableSkeleton columns={DEVICE_TABLE_COLUMNS + (props.selection ? 1 : 0)} />
        ) : (
          <Table.Tbody>
            {(props.devices ?? []).map((d) => (
              <Table.Tr
                key={d.id}
                className="clickable"
                data-testid="device-row"
                data-device-name={d.name}
                onClick={(e) => {
                  if (clickedWithin(e, 'a')) return;
                  void navigate(`/devices/${encodeURIComponent(d.id)}`);
                }}
              >
                {props.selection && (
                  <SelectRowTd selection={props.selection} id={d.id} label={d.name} />
                )}
                <Table.Td>
                  <Group gap="sm" wrap="nowrap">
                    <MachineTypeIcon type={d.machineType} />
                    <Stack gap={0} miw={0}>
                      <Anchor
                        component={Link}
                        to={`/devices/${encodeURIComponent(d.id)}`}
                        fw={600}
                        size="sm"
                        data-testid="device-link"
                      >
                        {d.name}
                      </Anchor>
                      <Text size="xs" c="dimmed" truncate>
                        {d.ipAddresses.slice(0, 2).join(', ') || 'no address reported'}
                      </Text>
                    </Stack>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate maw={280} title={d.osName ?? undefined}>
                    {d.osName ?? '—'}
                  </Text>
                  {d.osVersion && (
                    <Text size="xs" c="dimmed">
                      version {d.osVersion}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{machineTypeLabel(d.machineType)}</Table.Td>
                <Table.Td>
                  <DeviceStatusBadges device={d} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <RelativeTime iso={d.lastContactAt} />
                </Table.Td>
                <Table.Td>{formatMegabytes(d.memoryTotalMb)}</Table.Td>
                <Table.Td>
                  <Text size="sm" c={d.lastLoggedOnUser ? undefined : 'dimmed'}>
                    {d.lastLoggedOnUser ?? '—'}
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
