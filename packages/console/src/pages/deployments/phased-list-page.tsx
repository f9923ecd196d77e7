import { ExportButton } from '../../components/export-button';
import { Anchor, Badge, Button, Group, Paper, Progress, Table, Text, Tooltip } from '@mantine/core';
import { IconPlus, IconStairsUp } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, type PhasedDeployment } from '@steward/protocol';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { dkeys } from './queries';
import { clickedWithin } from '../../lib/click-target';
import { programPath } from './phased-page';

export function PhasedStateBadge({ state }: { state: PhasedDeployment['state'] }) {
  const color = state === 'running' ? 'blue' : state === 'halted' ? 'red' : 'teal';
  return (
    <Badge color={color} variant="light" data-testid="phased-state" data-state={state}>
      {state}
    </Badge>
  );
}

export function usePhasedDeployments() {
  return useQuery({
    queryKey: dkeys.phased,
    queryFn: () => api.listPhasedDeployments(),
    refetchInterval: 10_000,
  });
}

/** Deployments › Phased deployments: rollouts over a sequence of collections. */
export function PhasedListPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const phased = usePhasedDeployments();
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    can('deployments:write') && (
      <Button
        component={Link}
        to="/phased-deployments/new"
        leftSection={<IconPlus size={16} />}
        data-testid={testId}
      >
        New phased deployment
      </Button>
    );
  const rows = [...(phased.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <PageHeader
        title="Phased deployments"
        description="A program rolled out collection after collection: the next phase starts after a success threshold and a soak time; the rollout halts by itself when failures pass a threshold."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.phasedDeployments} testId="phased-export" />
            {newButton('new-phased')}
          </Group>
        }
      />
      <Paper p="md">
        <QueryView
          query={phased}
          what="the phased deployments"
          isEmpty={rows.length === 0}
          empty={
            <EmptyState
              icon={<IconStairsUp size={24} />}
              title="No phased deployments"
              description="Start with a pilot collection, then widen: e.g. IT pilots, then one site, then everyone."
              action={newButton()}
            />
          }
        >
          <DataTable
            columns={[
              { label: 'Name' },
              { label: 'Program' },
              { label: 'State' },
              { label: 'Phase', w: 220 },
              { label: 'Halts at' },
              { label: 'Updated' },
            ]}
            loading={phased.isPending}
            skeletonRows={3}
            testId="phased-table"
          >
            {rows.map((p) => {
              const to = `/phased-deployments/${encodeURIComponent(p.id)}`;
              const done = p.phases.filter((ph) => ph.state === 'completed').length;
              return (
                <Table.Tr
                  key={p.id}
                  className="clickable"
                  onClick={(e) => {
                    if (!clickedWithin(e, 'a')) void navigate(to);
                  }}
                  data-testid="phased-row"
                >
                  <Table.Td>
                    <Anchor component={Link} to={to} size="sm" fw={600}>
                      {p.name}
                    </Anchor>
                    {p.state === 'halted' && p.haltReason && (
                      <Text size="xs" c="red" lineClamp={1}>
                        {p.haltReason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={programPath(p)} size="sm">
                      {p.programName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <PhasedStateBadge state={p.state} />
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={`${done} of ${p.phases.length} phases completed`} withArrow>
                      <Group gap={8} wrap="nowrap">
                        <Progress
                          value={(done / Math.max(1, p.phases.length)) * 100}
                          size="sm"
                          style={{ flex: 1 }}
                          color={p.state === 'halted' ? 'red' : 'teal'}
                        />
                        <Text size="xs" c="dimmed">
                          {Math.min(p.currentPhase + 1, p.phases.length)} / {p.phases.length}
                        </Text>
                      </Group>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>{p.haltOnFailurePercent}% failed</Table.Td>
                  <Table.Td>
                    <RelativeTime iso={p.updatedAt} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        </QueryView>
      </Paper>
    </>
  );
}
