import { Anchor, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { TSD_KEY, tsDeploymentPath } from './deploy-wizard-page';
import { BootRunBadge, RunHistory, RunStateBadge } from './run-history';
import { UpgradeReports } from './upgrade-report';
import { TargetVariables } from './target-variables';

/**
 * A device's task-sequence runs (one per deployment, live), with the boot-environment run that
 * installed it (PXE or media, ADR 0103), and its task-sequence variables.
 */
export function DeviceTaskSequencesTab(props: { deviceId: string }) {
  const runs = useQuery({
    queryKey: ['device', props.deviceId, 'task-sequence-runs'],
    queryFn: () =>
      api.call(ops.taskSequenceDeployments.deviceRuns, { params: { id: props.deviceId } }),
    refetchInterval: 5000,
  });
  // The runs name their deployment by id; the list gives its name, sequence and version.
  const deployments = useQuery({
    queryKey: [TSD_KEY, 'names'],
    queryFn: () => api.call(ops.taskSequenceDeployments.list, { query: { limit: 1000 } }),
    enabled: (runs.data?.length ?? 0) > 0,
  });
  const nameOf = (id: string) => {
    const d = deployments.data?.items.find((x) => x.id === id);
    return d ? `${d.name} (${d.sequenceName} v${String(d.version)})` : id;
  };
  return (
    <Stack data-testid="device-ts-tab">
      <Title order={5}>Task sequence runs</Title>
      {runs.isError ? <ErrorState error={runs.error} what="the task-sequence runs" /> : null}
      {runs.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No task sequence is deployed to this device.
        </Text>
      )}
      {(runs.data ?? []).map((r) => (
        <Paper
          key={`${r.deploymentId}/${r.computer?.id ?? ''}`}
          withBorder
          p="sm"
          data-testid={`device-ts-run-${r.deploymentId}${r.computer ? '-boot' : ''}`}
          data-state={r.state}
        >
          <Group justify="space-between" mb="xs">
            <Group gap="xs">
              <Anchor component={Link} to={tsDeploymentPath(r.deploymentId)} fw={600}>
                {nameOf(r.deploymentId)}
              </Anchor>
              <RunStateBadge state={r.state} />
              <BootRunBadge run={r} />
            </Group>
            <Text size="xs" c="dimmed">
              updated <RelativeTime iso={r.updatedAt} size="xs" />
            </Text>
          </Group>
          {r.state !== 'targeted' && (
            <Stack gap={4} mb="xs">
              <Text size="sm" data-testid="run-step">
                Step {r.stepNumber} of {r.stepCount}
                {r.currentStep ? ` · ${r.currentStep}` : ''}
              </Text>
              <Progress
                value={
                  r.stepCount > 0 ? (Math.min(r.stepNumber, r.stepCount) / r.stepCount) * 100 : 0
                }
                size="sm"
                color={r.state === 'failed' ? 'red' : undefined}
              />
            </Stack>
          )}
          <RunHistory progress={r.progress} />
          {r.computer === null && (
            <UpgradeReports
              deploymentId={r.deploymentId}
              deviceId={props.deviceId}
              progress={r.progress}
            />
          )}
        </Paper>
      ))}
      <Title order={5} mt="md">
        Task-sequence variables
      </Title>
      <TargetVariables target="device" id={props.deviceId} />
    </Stack>
  );
}
