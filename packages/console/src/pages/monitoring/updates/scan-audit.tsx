import { IconListCheck } from '@tabler/icons-react';
import { Anchor, Badge, SegmentedControl, Table, Text } from '@mantine/core';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { ops, type ScanAuditState } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { DataTable } from '../../../components/data-table';
import { ExportButton } from '../../../components/export-button';
import { FilteredList, useListPage } from '../../../components/filtered-list';
import { RelativeTime } from '../../../components/relative-time';
import type { StateCountRow } from '../../../components/state-counts-donut';
import { UPDATE_KEYS } from '../../updates/update-labels';

export const SCAN_STATES: readonly {
  state: ScanAuditState;
  label: string;
  color: string;
  chart: string;
}[] = [
  { state: 'current', label: 'Scanned the current catalog', color: 'teal', chart: 'teal.6' },
  { state: 'stale-catalog', label: 'Scanned an older catalog', color: 'yellow', chart: 'yellow.5' },
  { state: 'overdue', label: 'Overdue', color: 'orange', chart: 'orange.6' },
  { state: 'failed', label: 'Last scan failed', color: 'red', chart: 'red.6' },
  { state: 'never', label: 'Never scanned', color: 'gray', chart: 'gray.5' },
];

/** How many devices are in each scan state: each the total of the audit filtered to it. */
export function useScanStateCounts(): {
  rows: StateCountRow<ScanAuditState>[];
  loading: boolean;
  error: unknown;
} {
  const counts = useQueries({
    queries: SCAN_STATES.map((s) => ({
      queryKey: [UPDATE_KEYS.compliance, 'scan-audit', 'count', s.state],
      queryFn: () =>
        api.call(ops.updateCompliance.scanAudit, { query: { state: s.state, limit: 1 } }),
      refetchInterval: 30_000,
    })),
  });
  return {
    rows: SCAN_STATES.map((s, i) => ({ ...s, count: counts[i]?.data?.total ?? 0 })),
    loading: counts.some((c) => c.isPending),
    error: counts.find((c) => c.isError)?.error,
  };
}

/** Scan audit: each device's last update scan, and why it is not current (never, stale, …). */
export function ScanAuditTable(props: {
  state: ScanAuditState | null;
  onState: (s: ScanAuditState | null) => void;
}) {
  const filters = props.state ? { state: props.state } : {};
  const [page, setPage] = useListPage(props.state ?? 'all');
  const query = { ...filters, ...page };
  const audit = useQuery({
    queryKey: [UPDATE_KEYS.compliance, 'scan-audit', query],
    queryFn: () => api.call(ops.updateCompliance.scanAudit, { query }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  return (
    <FilteredList
      filters={
        <SegmentedControl
          size="xs"
          value={props.state ?? 'all'}
          onChange={(v) => props.onState(SCAN_STATES.find((s) => s.state === v)?.state ?? null)}
          data={[
            { value: 'all', label: 'All' },
            ...SCAN_STATES.map((s) => ({ value: s.state, label: s.state.replace('-', ' ') })),
          ]}
          data-testid="scan-audit-state"
        />
      }
      actions={
        <ExportButton
          op={ops.exports.updateScanAudit}
          filters={filters}
          testId="scan-audit-export"
        />
      }
      query={audit}
      what="the scan audit"
      empty={{ icon: <IconListCheck size={26} />, title: 'No devices in this state' }}
      page={page}
      onPage={setPage}
      pagerTestId="scan-audit-pager"
    >
      <DataTable
        testId="scan-audit-table"
        loading={audit.isPending}
        minWidth={860}
        columns={[
          { label: 'Device' },
          { label: 'State' },
          { label: 'Catalog scanned' },
          { label: 'Kind' },
          { label: 'Scanned' },
          { label: 'Error' },
        ]}
      >
        {audit.data?.items.map((e) => {
          const def = SCAN_STATES.find((s) => s.state === e.state);
          return (
            <Table.Tr key={e.deviceId} data-testid="scan-audit-row" data-state={e.state}>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/devices/${encodeURIComponent(e.deviceId)}?tab=updates`}
                  size="sm"
                  fw={600}
                >
                  {e.deviceName}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Badge color={def?.color ?? 'gray'} variant="light">
                  {def?.label ?? e.state}
                </Badge>
              </Table.Td>
              <Table.Td>
                {e.catalogVersion === null
                  ? '—'
                  : `${e.catalogVersion} of ${e.currentCatalogVersion}`}
              </Table.Td>
              <Table.Td>{e.kind ?? '—'}</Table.Td>
              <Table.Td>
                <RelativeTime iso={e.scannedAt} size="sm" />
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="red" lineClamp={2}>
                  {e.error ?? ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </DataTable>
    </FilteredList>
  );
}
