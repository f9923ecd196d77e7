import { Anchor, Group, Stack, Text } from '@mantine/core';
import {
  parseDeviceColumn,
  type DeviceColumnValue,
  type DeviceListSort,
  type DeviceSummary,
} from '@steward/protocol';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { DeviceStatusBadges } from '../../components/device-status-badges';
import { MachineTypeIcon, machineTypeLabel } from '../../components/machine-type-icon';
import { RelativeTime } from '../../components/relative-time';
import { formatMegabytes } from '../../lib/format';
import { displayValue } from '../../lib/inventory-values';

/** The sort key of a column, when the list can be ordered by it (ADR 0034). */
export function sortKeyOf(id: string): DeviceListSort | undefined {
  const parsed = parseDeviceColumn(id);
  if (!parsed) return undefined;
  if (parsed.kind === 'builtin') return parsed.column.sort;
  return `inventory.${parsed.source.className}.${parsed.source.property}`;
}

/** Fixed widths for the narrow columns; the others share what is left. */
export const COLUMN_WIDTHS: Partial<Record<string, number>> = {
  machineType: 150,
  status: 180,
  lastContact: 150,
  memory: 100,
  enrolled: 150,
  lastInventory: 150,
  freeDisk: 120,
  agentVersion: 130,
};

function dimmed(text: string): ReactNode {
  return (
    <Text size="sm" c="dimmed">
      {text}
    </Text>
  );
}

function valueCell(v: DeviceColumnValue | undefined): ReactNode {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return dimmed('—');
  const text = Array.isArray(v) ? v.map((x) => displayValue(x)).join(', ') : displayValue(v);
  return (
    <Text size="sm" truncate maw={260} title={text}>
      {text}
    </Text>
  );
}

function nameCell(d: DeviceSummary, compact: boolean): ReactNode {
  const link = (
    <Anchor
      component={Link}
      to={`/devices/${encodeURIComponent(d.id)}`}
      fw={600}
      size="sm"
      style={compact ? { whiteSpace: 'nowrap' } : undefined}
      data-testid="device-link"
    >
      {d.name}
    </Anchor>
  );
  return (
    <Group gap="sm" wrap="nowrap">
      <MachineTypeIcon type={d.machineType} />
      {compact ? (
        link
      ) : (
        <Stack gap={0} miw={0}>
          {link}
          <Text size="xs" c="dimmed" truncate>
            {d.ipAddresses.slice(0, 2).join(', ') || 'no address reported'}
          </Text>
        </Stack>
      )}
    </Group>
  );
}

/** One cell of the device table: the column catalogue's ids, drawn for people. */
export function deviceCell(id: string, d: DeviceSummary, compact: boolean): ReactNode {
  switch (id) {
    case 'name':
      return nameCell(d, compact);
    case 'os':
      return (
        <>
          <Text size="sm" truncate maw={280} title={d.osName ?? undefined}>
            {d.osName ?? '—'}
          </Text>
          {d.osVersion && !compact && (
            <Text size="xs" c="dimmed">
              version {d.osVersion}
            </Text>
          )}
        </>
      );
    case 'machineType':
      return machineTypeLabel(d.machineType);
    case 'status':
      return <DeviceStatusBadges device={d} />;
    case 'lastContact':
      return <RelativeTime iso={d.lastContactAt} />;
    case 'memory':
      return formatMegabytes(d.memoryTotalMb);
    case 'user':
      return d.lastLoggedOnUser ? <Text size="sm">{d.lastLoggedOnUser}</Text> : dimmed('—');
    case 'address':
      return d.ipAddresses.length > 0 ? valueCell(d.ipAddresses.join(', ')) : dimmed('—');
    case 'agentVersion':
      return d.agentVersion ?? dimmed('—');
    case 'enrolled':
      return <RelativeTime iso={d.enrolledAt} />;
    case 'lastInventory':
      return <RelativeTime iso={d.lastInventoryAt} />;
    case 'freeDisk': {
      const v = d.values?.freeDisk;
      return typeof v === 'number' ? formatMegabytes(v) : dimmed('—');
    }
    default:
      return valueCell(d.values?.[id]);
  }
}
