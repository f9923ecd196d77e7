import { Badge, Group, List, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops, type SequenceProgress, type UpgradeReport } from '@steward/protocol';
import { api } from '../../api/client';
import { RelativeTime } from '../../components/relative-time';

const OUTCOME_COLORS: Record<UpgradeReport['outcome'], string> = {
  succeeded: 'green',
  'pre-check-failed': 'orange',
  refused: 'orange',
  failed: 'red',
};

function ReportCard({ at, report }: { at: string; report: UpgradeReport }) {
  return (
    <Paper withBorder p="sm" data-testid="upgrade-report">
      <Group justify="space-between" mb={4}>
        <Group gap="xs">
          <Text fw={600} size="sm">
            {report.fromRelease ?? '?'} → {report.targetRelease}
          </Text>
          <Badge size="sm" variant="light" color={OUTCOME_COLORS[report.outcome]}>
            {report.outcome}
          </Badge>
        </Group>
        <RelativeTime iso={at} size="xs" />
      </Group>
      <Stack gap={4}>
        {report.reason && <Text size="sm">{report.reason}</Text>}
        <List size="xs" spacing={0}>
          {report.preChecks.map((c) => (
            <List.Item key={c.check}>
              <Text span size="xs" c={c.ok ? undefined : 'red'} fw={c.ok ? undefined : 600}>
                {c.ok ? '✓' : '✗'} {c.check}: {c.detail}
              </Text>
            </List.Item>
          ))}
        </List>
        {report.plan && (
          <Text size="xs" data-testid="upgrade-plan">
            Plan: {report.plan.upgraded} upgraded, {report.plan.new} new, {report.plan.removed}{' '}
            removed
            {report.plan.removedNames.length > 0 ? ` (${report.plan.removedNames.join(', ')})` : ''}
            {report.plan.disallowedRemovals.length > 0
              ? `; not allowed: ${report.plan.disallowedRemovals.join(', ')}`
              : ''}
          </Text>
        )}
        {report.installSeconds !== null && (
          <Text size="xs" c={report.downtimeExceeded ? 'orange' : undefined}>
            Installation took {report.installSeconds} s
            {report.downtimeExceeded ? ', longer than the allowed downtime' : ''}
          </Text>
        )}
        {report.sourcesRestored && <Text size="xs">The previous apt sources were restored.</Text>}
      </Stack>
    </Paper>
  );
}

/**
 * The upgrade reports of one device's run (ADR 0102), shown under its step log when the run
 * has an upgrade-os step; read from the run's own view, which carries them.
 */
export function UpgradeReports(props: {
  deploymentId: string;
  deviceId: string;
  progress: SequenceProgress | null;
}) {
  const hasUpgrade = props.progress?.history.some((h) => h.kind === 'upgrade-os') ?? false;
  const run = useQuery({
    queryKey: ['task-sequence-run', props.deploymentId, props.deviceId],
    queryFn: () =>
      api.call(ops.taskSequenceDeployments.run, {
        params: { id: props.deploymentId, deviceId: props.deviceId },
      }),
    enabled: hasUpgrade,
  });
  const reports = run.data?.upgradeReports ?? [];
  if (!hasUpgrade || reports.length === 0) return null;
  return (
    <Stack gap="xs" mt="xs" data-testid="upgrade-reports">
      <Text size="sm" fw={600}>
        Upgrade report
      </Text>
      {reports.map((r) => (
        <ReportCard key={`${r.at}-${r.stepId}`} at={r.at} report={r.report} />
      ))}
    </Stack>
  );
}
