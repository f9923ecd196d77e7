import { Anchor, Code, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import {
  ops,
  type UpdateDeployment,
  type UpdateDeploymentDevice,
  type UpdateEnforcementState,
} from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { DataTable } from '../../../components/data-table';
import { FilteredList, useListPage } from '../../../components/filtered-list';
import { RelativeTime } from '../../../components/relative-time';
import { ExportButton } from '../../../components/export-button';
import { RestartNeedText } from '../../../components/restart-need';
import { UPDATE_DEPLOYMENTS_KEY, UpdateStateBadge } from './update-deployment-labels';

/** A device's state for the whole deployment: what the site knows first, else what it reported. */
const deviceState = (d: UpdateDeploymentDevice): UpdateEnforcementState => d.siteState ?? d.state;

/**
 * The device drill-down: each targeted device with its state per update, the reason (the
 * device's, or the site's for a device it cannot reach), its last run and what the installer
 * said (a rehearsal's "would install" lines). The chart's selected state filters the page.
 */
export function UpdateDeploymentDevices({
  d,
  state,
}: {
  d: UpdateDeployment;
  state: UpdateEnforcementState | null;
}) {
  const [page, setPage] = useListPage(d.id);
  const devices = useQuery({
    queryKey: [UPDATE_DEPLOYMENTS_KEY, 'devices', d.id, page],
    queryFn: () =>
      api.call(ops.updateDeployments.updateDeploymentDevices, {
        params: { id: d.id },
        query: page,
      }),
    refetchInterval: 5000,
  });
  const pkg = new Map(d.updates.map((u) => [u.updateId, `${u.package} ${u.version}`]));
  const items = (devices.data?.items ?? []).filter(
    (x) => state === null || deviceState(x) === state || x.updates.some((u) => u.state === state),
  );
  return (
    <FilteredList
      actions={
        <ExportButton
          op={ops.exports.updateDeploymentDevices}
          params={{ id: d.id }}
          testId="update-deployment-devices-export"
        />
      }
      query={devices}
      what="the devices"
      page={page}
      onPage={setPage}
      pagerTestId="update-deployment-devices-pager"
    >
      <DataTable
        testId="update-deployment-devices"
        loading={devices.isPending}
        minWidth={900}
        columns={[
          { label: 'Device' },
          { label: 'State' },
          { label: 'Per update' },
          { label: 'Reason' },
          { label: 'Restart' },
          { label: 'Last run' },
        ]}
      >
        {items.map((x) => (
          <Table.Tr key={x.deviceId} data-testid="update-deployment-device" data-host={x.hostname}>
            <Table.Td>
              <Anchor
                component={Link}
                to={`/devices/${encodeURIComponent(x.deviceId)}`}
                size="sm"
                fw={600}
              >
                {x.hostname}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <UpdateStateBadge state={deviceState(x)} />
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {x.updates.map((u) => (
                  <Group key={u.updateId} gap={4} wrap="nowrap">
                    <Text size="xs" c="dimmed">
                      {pkg.get(u.updateId) ?? u.updateId}
                    </Text>
                    <UpdateStateBadge state={u.state} />
                  </Group>
                ))}
              </Group>
            </Table.Td>
            <Table.Td maw={360}>
              <Text size="sm" data-testid="update-deployment-reason">
                {x.siteReason ?? x.reason ?? ''}
              </Text>
              {x.outputTail && (
                <Code block mt={4} fz="xs" data-testid="update-deployment-output">
                  {x.outputTail}
                </Code>
              )}
            </Table.Td>
            <Table.Td>
              <RestartNeedText need={x.restart} />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={x.lastRunAt} />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </FilteredList>
  );
}
