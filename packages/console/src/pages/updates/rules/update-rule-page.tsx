import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconPencil, IconPlayerPlay } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateRule, type UpdateRuleRun } from '@steward/protocol';
import type { ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { isNotFound, notifySuccess } from '../../../api/errors';
import { useCollections } from '../../../components/collection-select';
import { ConfirmButton } from '../../../components/confirm-button';
import { DataTable } from '../../../components/data-table';
import { ErrorState } from '../../../components/error-state';
import { ExportButton } from '../../../components/export-button';
import { KeyValueTable } from '../../../components/key-value-table';
import { PageHeader } from '../../../components/page-header';
import { RelativeTime } from '../../../components/relative-time';
import { useSession } from '../../../session/session-context';
import { NotFoundPage } from '../../not-found-page';
import { PhasedStateBadge } from '../../deployments/phased-list-page';
import { describeFilter, describeSchedule, RULE_KEYS, RunOutcomeBadge } from './rule-labels';
import { usePatchRule, useRunRule, useUpdateRule } from './rule-queries';

const deploymentPath = (id: string) => `/software/update-deployments/${encodeURIComponent(id)}`;
const groupPath = (id: string) => `/software/update-groups/${encodeURIComponent(id)}`;
const phasedPath = (id: string) => `/phased-deployments/${encodeURIComponent(id)}`;

/** The phased rollout the last run started: its state and why it halted, if it did. */
function RolloutState({ id }: { id: string }) {
  const phased = useQuery({
    queryKey: ['phased-deployments', id],
    queryFn: () => api.getPhasedDeployment(id),
    refetchInterval: 10_000,
  });
  if (!phased.data) return <Skeleton h={20} w={200} />;
  const p = phased.data;
  return (
    <Stack gap={2} data-testid="rule-rollout">
      <Group gap={6}>
        <PhasedStateBadge state={p.state} />
        <Anchor component={Link} to={phasedPath(p.id)} size="sm">
          {p.name}
        </Anchor>
        <Text size="sm" c="dimmed">
          phase {p.currentPhase + 1} of {p.phases.length}
        </Text>
      </Group>
      {p.haltReason && (
        <Text size="sm" c="red" data-testid="rule-rollout-halt">
          {p.haltReason}
        </Text>
      )}
    </Stack>
  );
}

function RunsTable({ rule }: { rule: UpdateRule }) {
  const runs = useQuery({
    queryKey: [RULE_KEYS.rules, rule.id, 'runs', rule.lastRun?.id],
    queryFn: () =>
      api.call(ops.updateRules.listUpdateRuleRuns, { params: { id: rule.id }, query: {} }),
  });
  if (runs.isError) return <ErrorState error={runs.error} what="the runs" />;
  const items = runs.data?.items ?? [];
  if (!runs.isPending && items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        It has not run yet.
      </Text>
    );
  return (
    <DataTable
      testId="rule-runs"
      loading={runs.isPending}
      minWidth={860}
      columns={[
        { label: 'Started' },
        { label: 'Trigger' },
        { label: 'Outcome' },
        { label: 'Matched', ta: 'right' },
        { label: 'Added', ta: 'right' },
        { label: 'Deployed' },
      ]}
    >
      {items.map((r: UpdateRuleRun) => (
        <Table.Tr key={r.id} data-testid="rule-run-row">
          <Table.Td>
            <RelativeTime iso={r.startedAt} size="sm" />
          </Table.Td>
          <Table.Td>
            {r.trigger}
            <Text size="xs" c="dimmed">
              {r.requestedBy}
            </Text>
          </Table.Td>
          <Table.Td>
            <RunOutcomeBadge outcome={r.outcome} />
            {r.error && (
              <Text size="xs" c="red">
                {r.error}
              </Text>
            )}
          </Table.Td>
          <Table.Td ta="right">{r.matched.toLocaleString()}</Table.Td>
          <Table.Td ta="right">{r.added.toLocaleString()}</Table.Td>
          <Table.Td>
            <Group gap={8}>
              {r.groupId && (
                <Anchor component={Link} to={groupPath(r.groupId)} size="sm">
                  group
                </Anchor>
              )}
              {r.deploymentIds.map((id, i) => (
                <Anchor
                  key={id}
                  component={Link}
                  to={deploymentPath(id)}
                  size="sm"
                  data-testid="rule-run-deployment"
                >
                  deployment {i + 1}
                </Anchor>
              ))}
              {r.phasedDeploymentId && (
                <Anchor component={Link} to={phasedPath(r.phasedDeploymentId)} size="sm">
                  phased rollout
                </Anchor>
              )}
            </Group>
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

function rolloutRow(id: string | null): [string, ReactNode][] {
  return id ? [['Rollout', <RolloutState id={id} />]] : [];
}

/** One automatic deployment rule: what it takes and where it deploys, Run now, its runs. */
export function UpdateRulePage() {
  const { ruleId = '' } = useParams();
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const rule = useUpdateRule(ruleId);
  const collections = useCollections();
  const run = useRunRule();
  const patch = usePatchRule();
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.updateRules.deleteUpdateRule, { params: { id } }),
    onSuccess: () => {
      notifySuccess('Rule deleted; its groups and deployments stay.');
      void queryClient.invalidateQueries({ queryKey: [RULE_KEYS.rules] });
      void navigate('/software/updates?tab=rules');
    },
  });
  if (rule.isError && isNotFound(rule.error)) return <NotFoundPage />;
  if (rule.isError && !rule.data) return <ErrorState error={rule.error} what="this rule" />;
  const r = rule.data;
  const writable = can('deployments:write');
  const collectionName = (id: string) => collections.data?.find((c) => c.id === id)?.name ?? id;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Software updates', to: '/software/updates' },
          { label: 'Automatic deployment rules', to: '/software/updates?tab=rules' },
          { label: r?.name ?? '…' },
        ]}
        title={
          r ? (
            <Group gap="xs" component="span">
              {r.name}
              <Badge
                color={r.enabled ? 'teal' : 'gray'}
                variant="light"
                data-testid="rule-enabled-badge"
              >
                {r.enabled ? 'enabled' : 'disabled'}
              </Badge>
            </Group>
          ) : (
            <Skeleton h={24} w={240} />
          )
        }
        description={r?.description || undefined}
        actions={
          r &&
          writable && (
            <Group gap="xs">
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                loading={run.isPending}
                onClick={() => run.mutate(r)}
                data-testid="rule-run"
              >
                Run now
              </Button>
              <Button
                variant="default"
                loading={patch.isPending}
                onClick={() => patch.mutate({ id: r.id, patch: { enabled: !r.enabled } })}
                data-testid="rule-toggle"
              >
                {r.enabled ? 'Disable' : 'Enable'}
              </Button>
              <Button
                variant="default"
                leftSection={<IconPencil size={16} />}
                component={Link}
                to={`/software/update-rules/${encodeURIComponent(r.id)}/edit`}
                data-testid="rule-edit"
              >
                Edit
              </Button>
              <ConfirmButton
                color="red"
                variant="light"
                title="Delete this rule?"
                message="It stops running. The groups and deployments it made stay."
                confirmLabel="Delete"
                danger
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync(r.id)}
                testId="rule-delete"
              >
                Delete
              </ConfirmButton>
            </Group>
          )
        }
      />
      {r && (
        <Stack gap="md">
          <Paper p="md">
            <KeyValueTable
              rows={[
                ['Filter', <span data-testid="rule-filter">{describeFilter(r.filter)}</span>],
                [
                  'Update group',
                  r.groupMode === 'new-group' ? (
                    'a new group each run'
                  ) : r.groupId ? (
                    <Anchor component={Link} to={groupPath(r.groupId)} size="sm">
                      {r.groupName ?? r.groupId}
                    </Anchor>
                  ) : (
                    'its own, made at the first run'
                  ),
                ],
                [
                  r.phased ? 'Phases' : 'Collections',
                  <span data-testid="rule-collections">
                    {r.collectionIds.map(collectionName).join(r.phased ? ' → ' : ', ')}
                  </span>,
                ],
                [
                  'Phasing',
                  r.phased
                    ? `next phase after ${r.phased.successPercent}% succeeded and ${r.phased.soakMinutes} min; halts past ${r.phased.haltOnFailurePercent}% failed`
                    : 'all at once',
                ],
                ['Runs', describeSchedule(r)],
                ['Next run', r.nextRunAt ? <RelativeTime iso={r.nextRunAt} size="sm" /> : '—'],
                [
                  'Deployments',
                  `available after ${r.availableAfterHours} h, ${r.deadlineAfterHours > 0 ? `deadline after ${r.deadlineAfterHours} h` : 'no deadline'}`,
                ],
                [
                  'Last run',
                  r.lastRun ? (
                    <Group gap={6}>
                      <RunOutcomeBadge outcome={r.lastRun.outcome} />
                      <RelativeTime iso={r.lastRun.startedAt} size="sm" />
                    </Group>
                  ) : (
                    'never'
                  ),
                ],
                ...rolloutRow(r.lastRun?.phasedDeploymentId ?? null),
              ]}
            />
          </Paper>
          <Group justify="space-between">
            <Title order={4}>Run history</Title>
            <ExportButton
              op={ops.exports.updateRuleRuns}
              params={{ id: r.id }}
              testId="rule-runs-export"
            />
          </Group>
          <RunsTable rule={r} />
        </Stack>
      )}
    </>
  );
}
