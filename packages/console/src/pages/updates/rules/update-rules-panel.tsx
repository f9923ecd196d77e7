import { Anchor, Button, Group, Switch, Table, Text } from '@mantine/core';
import { IconPlayerPlay, IconRobot } from '@tabler/icons-react';
import { ops } from '@steward/protocol';
import { useNavigate, Link } from 'react-router-dom';
import { DataTable, RowActions } from '../../../components/data-table';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { NewButton } from '../../../components/new-button';
import { RelativeTime } from '../../../components/relative-time';
import { ExportButton } from '../../../components/export-button';
import { useSession } from '../../../session/session-context';
import { describeFilter, describeSchedule, rulePath, RunOutcomeBadge } from './rule-labels';
import { usePatchRule, useRunRule, useUpdateRules } from './rule-queries';

/**
 * Software library > Software updates > Automatic deployment rules: each rule with when it last
 * ran and how, when it runs next, Run now and enable/disable in the row.
 */
export function UpdateRulesPanel() {
  const { can } = useSession();
  const navigate = useNavigate();
  const rules = useUpdateRules();
  const run = useRunRule();
  const patch = usePatchRule();
  const writable = can('deployments:write');
  const items = rules.data?.items ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {rules.data ? `${rules.data.total.toLocaleString()} rules` : ' '}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <ExportButton op={ops.exports.updateRules} testId="rules-export" />
          {writable && (
            <NewButton
              onClick={() => void navigate('/software/update-rules/new')}
              testId="rule-new"
            >
              New rule
            </NewButton>
          )}
        </Group>
      </Group>
      {rules.isError ? (
        <ErrorState error={rules.error} what="the automatic deployment rules" />
      ) : !rules.isPending && items.length === 0 ? (
        <EmptyState
          icon={<IconRobot size={26} />}
          title="No automatic deployment rules yet"
          description="A rule takes the updates its filter matches into a group and deploys them, after each sync or on a schedule."
          compact
        />
      ) : (
        <DataTable
          testId="rules-table"
          loading={rules.isPending}
          minWidth={900}
          columns={[
            { label: 'Name' },
            { label: 'Enabled' },
            { label: 'Runs' },
            { label: 'Last run' },
            { label: 'Next run' },
            {},
          ]}
        >
          {items.map((r) => (
            <Table.Tr key={r.id} data-testid="rule-row" data-name={r.name}>
              <Table.Td>
                <Anchor component={Link} to={rulePath(r.id)} fw={600} size="sm">
                  {r.name}
                </Anchor>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {describeFilter(r.filter)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Switch
                  checked={r.enabled}
                  disabled={!writable || patch.isPending}
                  onChange={(e) =>
                    patch.mutate({ id: r.id, patch: { enabled: e.currentTarget.checked } })
                  }
                  aria-label={`Enable ${r.name}`}
                  data-testid="rule-enabled"
                />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{describeSchedule(r)}</Text>
              </Table.Td>
              <Table.Td>
                {r.lastRun ? (
                  <Group gap={6} wrap="nowrap">
                    <RunOutcomeBadge outcome={r.lastRun.outcome} />
                    <RelativeTime iso={r.lastRun.startedAt} size="sm" />
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    never
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {r.nextRunAt ? (
                  <RelativeTime iso={r.nextRunAt} size="sm" />
                ) : (
                  <Text size="sm" c="dimmed">
                    {r.enabled && r.runAfterSync ? 'after the next sync' : '—'}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {writable && (
                  <RowActions>
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconPlayerPlay size={14} />}
                      loading={run.isPending && run.variables.id === r.id}
                      onClick={() => run.mutate(r)}
                      data-testid="rule-run"
                    >
                      Run now
                    </Button>
                  </RowActions>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
