import { Anchor, Group, Paper, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  ops,
  type CustomComplianceState,
  type CustomUpdateComplianceSummary,
} from '@steward/protocol';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { DataTable } from '../../../components/data-table';
import { ExportButton } from '../../../components/export-button';
import { FilteredList, useListPage } from '../../../components/filtered-list';
import { RelativeTime } from '../../../components/relative-time';
import { CUSTOM_UPDATES_KEY } from './custom-update-labels';

const STATES: { state: CustomComplianceState; label: string; count: keyof Counts }[] = [
  { state: 'installed', label: 'Installed', count: 'installed' },
  { state: 'required', label: 'Required', count: 'required' },
  { state: 'not-required', label: 'Not required', count: 'notRequired' },
  { state: 'unknown', label: 'Unknown', count: 'unknown' },
];
type Counts = CustomUpdateComplianceSummary['counts'];

/**
 * A custom update's compliance on its page: each state's count links to the devices in that
 * state (`?state=`, from each device's scan), exportable. Devices that have not scanned it are
 * counted only: the site has no answer of theirs to list.
 */
export function CustomUpdateDevices(props: { customId: string; counts: Counts | undefined }) {
  const [params, setParams] = useSearchParams();
  const state = STATES.find((s) => s.state === params.get('state'))?.state;
  const c = props.counts;
  return (
    <Paper p="md" mt="md" data-testid="custom-compliance">
      <Title order={5} mb="xs">
        Compliance
      </Title>
      <Group gap="lg" mb="sm">
        {STATES.map((s) => (
          <Anchor
            key={s.state}
            component={Link}
            to={`?state=${s.state}`}
            fw={state === s.state ? 700 : undefined}
            size="sm"
            data-testid={`custom-state-${s.state}`}
            data-count={c?.[s.count]}
          >
            {s.label}: {c ? c[s.count].toLocaleString() : '…'}
          </Anchor>
        ))}
        <Text size="sm" c="dimmed">
          Not scanned: {c ? c.notScanned.toLocaleString() : '…'}
        </Text>
        {state && (
          <Anchor component="button" size="sm" onClick={() => setParams({})}>
            show none
          </Anchor>
        )}
      </Group>
      {state && <DevicesInState customId={props.customId} state={state} />}
    </Paper>
  );
}

function DevicesInState(props: { customId: string; state: CustomComplianceState }) {
  const [page, setPage] = useListPage(props.state);
  const query = { state: props.state, ...page };
  const devices = useQuery({
    queryKey: [CUSTOM_UPDATES_KEY, props.customId, 'devices', query],
    queryFn: () =>
      api.call(ops.customUpdates.customUpdateDevices, { params: { id: props.customId }, query }),
    placeholderData: keepPreviousData,
  });
  return (
    <FilteredList
      filters={<Text fw={600}>Devices: {props.state}</Text>}
      actions={
        <ExportButton
          op={ops.exports.customUpdateDevices}
          params={{ id: props.customId }}
          filters={{ state: props.state }}
          testId="custom-devices-export"
        />
      }
      query={devices}
      what="the devices"
      page={page}
      onPage={setPage}
      pagerTestId="custom-devices-pager"
    >
      <DataTable
        testId="custom-devices"
        loading={devices.isPending}
        columns={[
          { label: 'Device' },
          { label: 'State' },
          { label: 'Details' },
          { label: 'First detected' },
          { label: 'Installed' },
          { label: 'Scanned' },
        ]}
      >
        {devices.data?.items.map((d) => (
          <Table.Tr key={d.deviceId} data-testid="custom-device-row" data-device={d.deviceName}>
            <Table.Td>
              <Anchor component={Link} to={`/devices/${encodeURIComponent(d.deviceId)}`} size="sm">
                {d.deviceName}
              </Anchor>
            </Table.Td>
            <Table.Td>{d.state}</Table.Td>
            <Table.Td>
              <Text size="xs">{d.details.join('; ')}</Text>
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={d.firstDetectedAt} size="sm" />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={d.installedAt} size="sm" />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={d.scannedAt} size="sm" />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </FilteredList>
  );
}
