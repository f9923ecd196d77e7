import { Table } from '@mantine/core';
import {
  DEFAULT_DEVICE_COLUMNS,
  deviceColumnLabel,
  type DeviceListSort,
  type DeviceSummary,
  type ViewDensity,
} from '@steward/protocol';
import { useNavigate } from 'react-router-dom';
import { SortableTh } from '../../components/sortable-th';
import { TableSkeleton } from '../../components/table-skeleton';
import { clickedWithin } from '../../lib/click-target';
import { COLUMN_WIDTHS, deviceCell, sortKeyOf } from './device-cells';
import { SelectPageTh, SelectRowTd, type RowSelection } from '../../components/row-selection';

/**
 * The device table shared by the device list and collection members. Its columns are ids of the
 * column catalogue (ADR 0034), in the order chosen; inventory-backed ones read `values`, which
 * the list asks the site for with `columns=`.
 */
export function DeviceTable(props: {
  devices: DeviceSummary[] | undefined;
  loading: boolean;
  columns?: readonly string[];
  density?: ViewDensity;
  sort?: DeviceListSort;
  order?: 'asc' | 'desc';
  onSort?: (field: DeviceListSort) => void;
  testId?: string;
  /** A checkbox column selecting rows for bulk actions (components/row-selection). */
  selection?: RowSelection<unknown>;
}) {
  const navigate = useNavigate();
  const columns = props.columns ?? DEFAULT_DEVICE_COLUMNS;
  const compact = props.density === 'compact';
  const th = (id: string) => {
    const label = deviceColumnLabel(id);
    const w = COLUMN_WIDTHS[id];
    const sortKey = sortKeyOf(id);
    return props.onSort && sortKey ? (
      <SortableTh<DeviceListSort>
        key={id}
        field={sortKey}
        sort={props.sort}
        order={props.order ?? 'asc'}
        onSort={props.onSort}
        w={w}
      >
        {label}
      </SortableTh>
    ) : (
      <Table.Th key={id} w={w}>
        {label}
      </Table.Th>
    );
  };
  return (
    <Table.ScrollContainer minWidth={Math.max(900, columns.length * 130)}>
      <Table
        className="steward-table"
        stickyHeader
        verticalSpacing={compact ? 2 : undefined}
        fz={compact ? 'xs' : undefined}
        data-density={compact ? 'compact' : 'comfortable'}
        data-testid={props.testId ?? 'device-table'}
      >
        <Table.Thead>
          <Table.Tr>
            {props.selection && <SelectPageTh selection={props.selection} />}
            {columns.map(th)}
          </Table.Tr>
        </Table.Thead>
        {props.loading && !props.devices ? (
          <TableSkeleton columns={columns.length + (props.selection ? 1 : 0)} />
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
                {columns.map((id) => (
                  <Table.Td
                    key={id}
                    data-column={id}
                    style={id === 'lastContact' ? { whiteSpace: 'nowrap' } : undefined}
                  >
                    {deviceCell(id, d, compact)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}
