import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconRocket } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type TaskSequenceRun } from '@steward/protocol';
import { Fragment, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { KeyValueTable } from '../../components/key-value-table';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { StateCountsDonut, type StateCountRow } from '../../components/state-counts-donut';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { TSD_KEY } from './deploy-wizard-page';
import { BootRunBadge, RunHistory, RunStateBadge, type RunState } from './run-history';
import { UpgradeReports } from './upgrade-report';
import { taskSequencePath } from './task-sequence-list-page';

/** How often the progress view asks for the runs while the page is open. */
const LIVE_MS = 3000;

const STATES: { state: RunState; label: string; color: string; chart: string }[] = [
  { state: 'targeted', label: 'Not started', color: 'gray', chart: 'gray.5' },
  { state: 'running', label: 'Running', color: 'blue', chart: 'blue.6' },
  { state: 'restarting', label: 'Restarting', color: 'violet', chart: 'violet.6' },
  { state: 'succeeded', label: 'Succeeded', color: 'green', chart: 'green.6' },
  { state: 'failed', label: 'Failed', color: 'red', chart: 'red.6' },
];

function RunRow({ run }: { run: TaskSequenceRun }) {
  const [open, setOpen] = useState(false);
  const pct =
    run.stepCount > 0 ? (Math.min(run.stepNumber, run.stepCount) / run.stepCount) * 100 : 0;
  return (
    <Fragment>
      <Table.Tr data-testid={`tsd-run-${run.deviceName}`} data-state={run.state}>
        <Table.Td>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => setOpen(!open)}
            aria-label={open ? 'Hide steps' : 'Show steps'}
            data-testid={`tsd-run-toggle-${run.deviceName}`}
          >
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </Button>
        </Table.Td>
        <Table.Td>
          <Group gap={6} wrap="nowrap">
            {run.deviceId === null ? (
              <Text size="sm">{run.deviceName}</Text>
            ) : (
              <Anchor
                component={Link}
                to={`/devices/${encodeURIComponent(run.deviceId)}?tab=task-sequences`}
              >
                {run.deviceName}
              </Anchor>
            )}
            <BootRunBadge run={run} />
          </Group>
        </Table.Td>
        <Table.Td>
          <RunStateBadge state={run.state} />
        </Table.Td>
        <Table.Td w={200}>
          {run.state === 'targeted' ? (
            <Text size="sm" c="dimmed">
              -
            </Text>
          ) : (
            <Stack gap={2}>
              <Text size="xs" data-testid="run-step">
                Step {run.stepNumber} of {run.stepCount}
              </Text>
              <Progress value={pct} size="sm" color={run.state === 'failed' ? 'red' : undefined} />
            </Stack>
          )}
        </Table.Td>
        <Table.Td>{run.currentStep ?? '-'}</Table.Td>
        <Table.Td>
          <RelativeTime iso={run.updatedAt} />
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={6}>
            <RunHistory progress={run.progress} />
            {run.deviceId !== null && run.computer === null && (
              <UpgradeReports
                deploymentId={run.deploymentId}
                deviceId={run.deviceId}
                progress={run.progress}
              />
            )}
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}

/**
 * One task-sequence deployment and its live progress: counts per state as a chart and every
 * member's run (state, step n of m, current step), and every boot-environment run of a PXE- or
 * media-booted computer (ADR 0103), asked for again every few seconds.
 */
export function TaskSequenceDeploymentPage() {
  const { deploymentId = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [selected, setSelected] = useState<RunState | null>(null);
  const deployment = useQuery({
    queryKey: [TSD_KEY, deploymentId],
    queryFn: () => api.call(ops.taskSequenceDeployments.get, { params: { id: deploymentId } }),
  });
  const runs = useQuery({
    queryKey: [TSD_KEY, deploymentId, 'runs'],
    queryFn: () => api.call(ops.taskSequenceDeployments.runs, { params: { id: deploymentId } }),
    refetchInterval: LIVE_MS,
    enabled: deployment.isSuccess,
  });
  const update = useMutation({
    mutationFn: (enabled: boolean) =>
      api.call(ops.taskSequenceDeployments.update, {
        params: { id: deploymentId },
        body: { enabled },
      }),
    meta: { errorTitle: 'Deployment not changed' },
    onSuccess: (d) => {
      notifySuccess(d.enabled ? 'The deployment is enabled.' : 'The deployment is disabled.');
      queryClient.setQueryData([TSD_KEY, deploymentId], d);
      void queryClient.invalidateQueries({ queryKey: [TSD_KEY, 'list'] });
    },
  });
  const remove = useMutation({
    mutationFn: () =>
      api.call(ops.taskSequenceDeployments.delete, { params: { id: deploymentId } }),
    meta: { errorTitle: 'Deployment not deleted' },
    onSuccess: () => {
      notifySuccess('The deployment and its run records were deleted.', 'Deleted');
      void queryClient.invalidateQueries({ queryKey: [TSD_KEY] });
      void navigate('/software/task-sequence-deployments');
    },
  });
  if (deployment.isError && isNotFound(deployment.error)) return <NotFoundPage />;
  if (deployment.isError) return <ErrorState error={deployment.error} what="this deployment" />;
  const d = deployment.data;
  const counts = runs.data?.counts ?? d?.counts;
  const rows: StateCountRow<RunState>[] = STATES.map((s) => ({
    ...s,
    count: counts?.[s.state] ?? 0,
  }));
  const total = rows.reduce((n, r) => n + r.count, 0);
  const shown = (runs.data?.runs ?? []).filter((r) => selected === null || r.state === selected);
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Task-sequence deployments', to: '/software/task-sequence-deployments' },
          { label: d?.name ?? '…' },
        ]}
        icon={<IconRocket />}
        title={d ? d.name : <Skeleton h={24} w={240} />}
        description={
          d && (
            <span>
              <Anchor component={Link} to={taskSequencePath(d.sequenceId)}>
                {d.sequenceName}
              </Anchor>{' '}
              version {d.version} to {d.collectionName}
            </span>
          )
        }
        actions={
          d &&
          can('deployments:write') && (
            <Group gap="xs">
              <Switch
                label="Enabled"
                checked={d.enabled}
                disabled={update.isPending}
                onChange={(e) => update.mutate(e.currentTarget.checked)}
                data-testid="tsd-enabled"
              />
              <ConfirmButton
                variant="light"
                color="red"
                title={`Delete ${d.name}?`}
                message="Its run records go too; devices that are running it finish the step they are in."
                confirmLabel="Delete"
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync()}
                testId="tsd-delete"
              >
                Delete
              </ConfirmButton>
            </Group>
          )
        }
        testId="tsd-page"
      />
      {d && (
        <Stack>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Paper p="md">
              <Title order={5} mb="sm">
                Progress{' '}
                <Badge size="xs" variant="dot" color="green">
                  live
                </Badge>
              </Title>
              <StateCountsDonut
                rows={rows}
                selected={selected}
                onSelect={setSelected}
                chartLabel={`${String(total)} devices`}
                rowTestIdPrefix="tsd-count-"
                donutTestId="tsd-donut"
              />
            </Paper>
            <Paper p="md">
              <KeyValueTable
                rows={[
                  ['Purpose', d.purpose],
                  ['Available to', d.availableTo],
                  ['Available from', d.availableAt ? formatDateTime(d.availableAt) : 'now'],
                  ['Deadline', d.deadline ? formatDateTime(d.deadline) : '-'],
                  ['Maintenance windows', d.honorWindows ? 'honoured' : 'ignored'],
                  ['Run again', d.rerun],
                  ['PXE password', d.pxePasswordSet ? 'set' : 'none'],
                  ['Boot image', d.bootImageId ?? 'none'],
                  ['Created', `${formatDateTime(d.createdAt)} by ${d.createdBy}`],
                ]}
              />
            </Paper>
          </SimpleGrid>
          <Paper p="md">
            <Title order={5} mb="sm">
              Devices and computers
              {selected ? ` · ${STATES.find((s) => s.state === selected)?.label ?? ''}` : ''}
            </Title>
            {runs.isError ? (
              <ErrorState error={runs.error} what="the runs" />
            ) : (
              <Table className="steward-table" data-testid="tsd-runs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={40} />
                    <Table.Th>Device</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Step</Table.Th>
                    <Table.Th>Current step</Table.Th>
                    <Table.Th>Updated</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((r) => (
                    <RunRow key={r.computer?.id ?? r.deviceId} run={r} />
                  ))}
                  {runs.isSuccess && shown.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={6}>
                        <Text size="sm" c="dimmed">
                          No runs{selected ? ' in this state' : ' and no devices in the collection'}
                          .
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        </Stack>
      )}
    </>
  );
}
