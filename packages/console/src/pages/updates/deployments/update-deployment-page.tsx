import { Anchor, Badge, Code, Group, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  type UpdateDeployment,
  type UpdateDeploymentStatus,
  type UpdateEnforcementState,
} from '@steward/protocol';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { isNotFound } from '../../../api/errors';
import { DataTable, RowActions } from '../../../components/data-table';
import { DeleteIconButton } from '../../../components/delete-icon-button';
import { ErrorState } from '../../../components/error-state';
import { KeyValueTable } from '../../../components/key-value-table';
import { PageHeader } from '../../../components/page-header';
import { StateCountsDonut } from '../../../components/state-counts-donut';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { useSession } from '../../../session/session-context';
import { NotFoundPage } from '../../not-found-page';
import { UpdateDeploymentActions } from './update-deployment-actions';
import { UpdateDeploymentDevices } from './update-deployment-devices';
import {
  UPDATE_DEPLOYMENTS_KEY,
  UPDATE_STATE_META,
  UPDATE_STATES,
} from './update-deployment-labels';

/** Devices per state over every update of the deployment (each device counted per update). */
function stateCounts(s: UpdateDeploymentStatus): Map<UpdateEnforcementState, number> {
  const counts = new Map<UpdateEnforcementState, number>();
  for (const u of s.byUpdate)
    for (const state of UPDATE_STATES)
      counts.set(state, (counts.get(state) ?? 0) + (u.counts[state] ?? 0));
  return counts;
}

/** Per update: its counts per state, and removal of that one update (the others continue). */
function ByUpdate({ d, status }: { d: UpdateDeployment; status: UpdateDeploymentStatus }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (updateId: string) =>
      api.call(ops.updateDeployments.removeUpdateDeploymentUpdate, {
        params: { id: d.id, updateId },
      }),
    meta: { errorTitle: 'Update not removed' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [UPDATE_DEPLOYMENTS_KEY] }),
  });
  const live = d.updates.filter((u) => !u.removed).length;
  return (
    <DataTable
      testId="update-deployment-by-update"
      loading={false}
      minWidth={700}
      columns={[{ label: 'Update' }, { label: 'Version' }, { label: 'Devices per state' }, {}]}
    >
      {status.byUpdate.map((u) => {
        const removed = d.updates.find((x) => x.updateId === u.updateId)?.removed === true;
        return (
          <Table.Tr
            key={u.updateId}
            data-testid="update-deployment-update"
            data-package={u.package}
          >
            <Table.Td>
              <Anchor
                component={Link}
                to={`/software/updates/${encodeURIComponent(u.updateId)}`}
                size="sm"
                fw={600}
              >
                {u.package}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {u.version}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {Object.entries(u.counts).map(([state, n]) => {
                  const meta =
                    UPDATE_STATE_META[UPDATE_STATES.find((x) => x === state) ?? 'targeted'];
                  return (
                    <Badge
                      key={state}
                      color={meta.color}
                      variant="light"
                      data-testid={`update-count-${state}`}
                    >
                      {meta.label}: {n}
                    </Badge>
                  );
                })}
              </Group>
            </Table.Td>
            <Table.Td>
              {can('deployments:write') && !removed && live > 1 && (
                <RowActions>
                  <DeleteIconButton
                    name={`${u.package} ${u.version} from this deployment`}
                    message="The other updates continue; devices stop installing this one."
                    loading={remove.isPending && remove.variables === u.updateId}
                    onConfirm={() => remove.mutateAsync(u.updateId)}
                    testId="update-deployment-remove-update"
                  />
                </RowActions>
              )}
            </Table.Td>
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

/**
 * One update deployment: its settings, devices per state as a chart, status per update,
 * the devices with their reasons (the site's own for those it cannot reach), and the
 * failed-rollout actions.
 */
export function UpdateDeploymentPage() {
  const { deploymentId = '' } = useParams();
  const [selected, setSelected] = useState<UpdateEnforcementState | null>(null);
  const one = useQuery({
    queryKey: [UPDATE_DEPLOYMENTS_KEY, 'one', deploymentId],
    queryFn: () =>
      api.call(ops.updateDeployments.getUpdateDeployment, { params: { id: deploymentId } }),
  });
  const status = useQuery({
    queryKey: [UPDATE_DEPLOYMENTS_KEY, 'status', deploymentId],
    queryFn: () =>
      api.call(ops.updateDeployments.updateDeploymentStatus, { params: { id: deploymentId } }),
    refetchInterval: 5000,
  });
  if (one.isError && isNotFound(one.error)) return <NotFoundPage />;
  if (one.isError) return <ErrorState error={one.error} what="this update deployment" />;
  const d = one.data;
  const s = status.data;
  const counts = s ? stateCounts(s) : new Map<UpdateEnforcementState, number>();
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Update deployments', to: '/software/updates?tab=deployments' },
          { label: d?.name ?? deploymentId },
        ]}
        title={d?.name ?? deploymentId}
        testId="update-deployment-title"
        description={d ? `${d.groupName} to ${d.collectionName}` : undefined}
        actions={d && <UpdateDeploymentActions d={d} />}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="md">
        <Paper p="md">
          <Title order={5} mb="xs">
            Devices per state
          </Title>
          {!s ? (
            <BlockSkeleton lines={5} />
          ) : (
            <StateCountsDonut
              rows={UPDATE_STATES.filter((st) => (counts.get(st) ?? 0) > 0 || st === 'failed').map(
                (st) => ({
                  state: st,
                  count: counts.get(st) ?? 0,
                  label: UPDATE_STATE_META[st].label,
                  color: UPDATE_STATE_META[st].color,
                  chart: UPDATE_STATE_META[st].chart,
                }),
              )}
              selected={selected}
              onSelect={setSelected}
              chartLabel={`${s.summary.targeted} devices`}
              rowTestIdPrefix="update-deployment-state-"
              donutTestId="update-deployment-donut"
            />
          )}
        </Paper>
        <Paper p="md">
          <Title order={5} mb="xs">
            Settings
          </Title>
          {!d ? (
            <BlockSkeleton lines={6} />
          ) : (
            <KeyValueTable
              labelWidth={170}
              rows={[
                ['State', d.enabled ? 'Enabled' : 'Disabled'],
                [
                  'Mode',
                  d.rehearsal
                    ? 'Rehearsal (simulate only)'
                    : d.allowDowngrades
                      ? 'Roll back (downgrades allowed)'
                      : 'Install',
                ],
                ['Available', d.availableAt?.replace('T', ' ') ?? 'now'],
                ['Deadline', d.deadline?.replace('T', ' ') ?? 'none (available only)'],
                [
                  'Postpone up to',
                  d.maxPostponeMinutes > 0 ? `${d.maxPostponeMinutes} minutes` : 'not allowed',
                ],
                ['Pre-download', d.preDownload ? 'yes' : 'no'],
                ['Software deployment', <Code key="sd">{d.deploymentId}</Code>],
              ]}
            />
          )}
        </Paper>
      </SimpleGrid>
      <Paper p="md" mb="md">
        <Title order={5} mb="sm">
          Status by update
        </Title>
        {d && s ? <ByUpdate d={d} status={s} /> : <BlockSkeleton lines={3} />}
      </Paper>
      <Paper p="md">
        <Title order={5} mb="sm">
          Devices
        </Title>
        {d && <UpdateDeploymentDevices d={d} state={selected} />}
      </Paper>
    </>
  );
}
