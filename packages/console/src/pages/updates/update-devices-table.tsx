import { IconShieldCheck } from '@tabler/icons-react';
import { Anchor, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ComplianceListState, DeviceUpdateCompliance } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Pager } from '../../components/pager';
import { RelativeTime } from '../../components/relative-time';
import { ComplianceStateBadge } from './update-labels';

/** A time only a scan knows (installed, first detected): a dash, not "never", without one. */
function OptionalTime({ iso }: { iso: string | null }) {
  return iso ? <RelativeTime iso={iso} size="sm" /> : <Text size="sm">—</Text>;
}

/**
 * Rows of update × device compliance, paged: the devices of one update (`show: 'device'`) or
 * the updates of one device (`show: 'update'`). Says which basis each row comes from: the
 * device's own scan of the current catalog, or the site's reading of its inventory.
 */
export function ComplianceRowsTable(props: {
  queryKey: readonly unknown[];
  load: (q: {
    state?: ComplianceListState;
    offset: number;
    limit: number;
  }) => Promise<{ items: DeviceUpdateCompliance[]; total: number }>;
  state: ComplianceListState | null;
  show: 'device' | 'update';
  testId: string;
}) {
  const [page, setPage] = useState({ offset: 0, limit: 50 });
  const [pagedFor, setPagedFor] = useState(props.state);
  if (pagedFor !== props.state) {
    setPagedFor(props.state);
    setPage((p) => ({ ...p, offset: 0 }));
  }
  const q = { ...(props.state ? { state: props.state } : {}), ...page };
  const rows = useQuery({
    queryKey: [...props.queryKey, q],
    queryFn: () => props.load(q),
    placeholderData: keepPreviousData,
  });
  if (rows.isError && !rows.data) return <ErrorState error={rows.error} what="the compliance" />;
  const total = rows.data?.total ?? 0;
  if (!rows.isPending && total === 0)
    return (
      <EmptyState
        icon={<IconShieldCheck size={26} />}
        title={props.state ? 'None in this state' : 'Nothing to show'}
        description="Compliance comes from each device's update scan, or from its inventory until it has scanned the current catalog."
        compact
      />
    );
  return (
    <>
      <DataTable
        testId={props.testId}
        loading={rows.isPending}
        minWidth={820}
        columns={[
          { label: props.show === 'device' ? 'Device' : 'Update' },
          { label: 'State' },
          { label: 'Basis' },
          { label: 'Installed' },
          { label: 'First detected' },
          { label: 'Scanned' },
        ]}
      >
        {rows.data?.items.map((r) => (
          <Table.Tr
            key={`${r.deviceId}/${r.updateId}`}
            data-testid="compliance-row"
            data-state={r.hold ?? r.state}
          >
            <Table.Td>
              {props.show === 'device' ? (
                <Anchor
                  component={Link}
                  to={`/devices/${encodeURIComponent(r.deviceId)}?tab=updates`}
                  size="sm"
                  fw={600}
                >
                  {r.deviceName}
                </Anchor>
              ) : (
                <>
                  <Anchor
                    component={Link}
                    to={`/software/updates/${encodeURIComponent(r.updateId)}`}
                    size="sm"
                    fw={600}
                  >
                    {r.package}
                  </Anchor>
                  <Text size="xs" ff="monospace" c="dimmed">
                    {r.version}
                  </Text>
                </>
              )}
            </Table.Td>
            <Table.Td>
              <ComplianceStateBadge state={r.state} hold={r.hold} />
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={r.basis === 'scan' ? undefined : 'dimmed'}>
                {r.basis === 'scan' ? 'Scan' : 'Inventory'}
              </Text>
            </Table.Td>
            <Table.Td>
              <OptionalTime iso={r.installedAt} />
            </Table.Td>
            <Table.Td>
              <OptionalTime iso={r.firstDetectedAt} />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={r.scannedAt} size="sm" />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      <Pager
        offset={page.offset}
        limit={page.limit}
        total={total}
        onChange={(offset, limit) => setPage({ offset, limit })}
        testId={`${props.testId}-pager`}
      />
    </>
  );
}
