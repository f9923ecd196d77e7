import { Anchor, Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import type { Deployment } from '@steward/protocol';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PercentBar } from '../../components/ratio-bar';
import { TableSkeleton } from '../../components/table-skeleton';
import { countOf, useDeployments, useDeploymentSummaries, type DeploymentFilter } from './queries';
import { clickedWithin } from '../../lib/click-target';

export function PurposeBadge({ purpose }: { purpose: Deployment['purpose'] }) {
  return purpose === 'required' ? (
    <Badge color="indigo" variant="light" data-testid="purpose">
      Required
    </Badge>
  ) : (
    <Badge color="cyan" variant="light" data-testid="purpose">
      Available
    </Badge>
  );
}

/** Deployments with their success rate and failures; filtered by program, collection or package. */
export function DeploymentTable(props: {
  filter?: DeploymentFilter;
  search?: string;
  emptyAction?: ReactNode;
}) {
  const navigate = useNavigate();
  const deployments = useDeployments(props.filter, 10_000);
  const summaries = useDeploymentSummaries(10_000);
  const needle = (props.search ?? '').trim().toLowerCase();
  const rows = (deployments.data ?? [])
    .filter(
      (d) =>
        !needle ||
        d.name.toLowerCase().includes(needle) ||
        d.programName.toLowerCase().includes(needle) ||
        d.packageName.toLowerCase().includes(needle) ||
        d.collectionName.toLowerCase().includes(needle),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (deployments.isError) return <ErrorState error={deployments.error} what="the deployments" />;
  if (!deployments.isPending && rows.length === 0)
    return (
      <EmptyState
        icon={<IconRocket size={24} />}
        title={needle ? 'No deployment matches' : 'No deployments'}
        description="A deployment runs a program on a collection: offered in the Software Center (available) or run on a schedule (required)."
        action={props.emptyAction}
        compact
      />
    );
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table className="steward-table" data-testid="deployment-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Program</Table.Th>
            <Table.Th>Collection</Table.Th>
            <Table.Th w={110}>Purpose</Table.Th>
            <Table.Th ta="right">Targeted</Table.Th>
            <Table.Th w={180}>Success</Table.Th>
            <Table.Th ta="right">Failed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {deployments.isPending ? (
          <TableSkeleton columns={7} rows={4} />
        ) : (
          <Table.Tbody>
            {rows.map((d) => {
              const s = d.summary ?? summaries.data?.get(d.id);
              const failed = countOf(s, 'failed');
              const to = `/deployments/${encodeURIComponent(d.id)}`;
              return (
                <Table.Tr
                  key={d.id}
                  className="clickable"
                  onClick={(e) => {
                    if (!clickedWithin(e, 'a')) void navigate(to);
                  }}
                  data-testid="deployment-row"
                  data-deployment-name={d.name}
                >
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Anchor component={Link} to={to} size="sm" fw={600}>
                        {d.name}
                      </Anchor>
                      {!d.enabled && (
                        <Badge size="xs" color="gray" variant="outline">
                          disabled
                        </Badge>
                      )}
                      {d.phasedDeploymentId && (
                        <Tooltip label="A phase of a phased deployment" withArrow>
                          <Badge size="xs" color="grape" variant="light">
                            phase
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      <Anchor
                        component={Link}
                        to={`/software/packages/${encodeURIComponent(d.packageId)}?tab=programs`}
                        size="sm"
                        c="dimmed"
                      >
                        {d.packageName}
                      </Anchor>{' '}
                      › {d.programName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/collections/${encodeURIComponent(d.collectionId)}`}
                      size="sm"
                    >
                      {d.collectionName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <PurposeBadge purpose={d.purpose} />
                  </Table.Td>
                  <Table.Td ta="right">{s ? s.targeted.toLocaleString() : '—'}</Table.Td>
                  <Table.Td>
                    {s ? <PercentBar value={s.successPercent} testId="deployment-success" /> : '—'}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text
                      size="sm"
                      fw={failed > 0 ? 700 : 400}
                      c={failed > 0 ? 'red' : undefined}
                      data-testid="deployment-failed"
                    >
                      {failed.toLocaleString()}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}
