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
import { IconRefresh, IconStack3 } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateRollup } from '@steward/protocol';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { isNotFound, notifySuccess } from '../../../api/errors';
import { DataTable, RowActions } from '../../../components/data-table';
import { EmptyState } from '../../../components/empty-state';
import { ExportButton } from '../../../components/export-button';
import { ErrorState } from '../../../components/error-state';
import { KeyValueTable } from '../../../components/key-value-table';
import { PageHeader } from '../../../components/page-header';
import { RelativeTime } from '../../../components/relative-time';
import { useSession } from '../../../session/session-context';
import { NotFoundPage } from '../../not-found-page';
import { UpdateDeployButton } from '../deployments/update-deploy-modal';
import { UpdatesTable } from '../update-catalog-table';
import { UPDATE_KEYS } from '../update-labels';
import { RULE_KEYS, rollupPath } from './rule-labels';

function CurrentBadge({ rollup }: { rollup: UpdateRollup }) {
  return rollup.groupId === null ? (
    <Badge color="gray" variant="outline" data-testid="rollup-current">
      not refreshed
    </Badge>
  ) : (
    <Badge color={rollup.current ? 'teal' : 'orange'} variant="light" data-testid="rollup-current">
      {rollup.current ? 'current' : 'out of date'}
    </Badge>
  );
}

/** Refresh: the rollup's group becomes exactly the latest set and its content is published. */
function useRefreshRollup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sourceId: string) =>
      api.call(ops.updateRollups.refreshUpdateRollup, { params: { id: sourceId } }),
    onSuccess: (r) => {
      notifySuccess(`Rollup of ${r.sourceName} holds its ${r.updateIds.length} latest updates.`);
      void queryClient.invalidateQueries({ queryKey: [RULE_KEYS.rollups] });
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
    },
  });
}

/** Rollups: one per source (product and release), to bring a new machine up to date in one pass. */
export function UpdateRollupsPanel() {
  const rollups = useQuery({
    queryKey: [RULE_KEYS.rollups],
    queryFn: () => api.call(ops.updateRollups.listUpdateRollups, {}),
  });
  const items = rollups.data?.items ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {rollups.data ? `${rollups.data.total.toLocaleString()} rollups` : ' '}
        </Text>
        <ExportButton op={ops.exports.updateRollups} testId="rollups-export" />
      </Group>
      {rollups.isError ? (
        <ErrorState error={rollups.error} what="the rollups" />
      ) : !rollups.isPending && items.length === 0 ? (
        <EmptyState
          icon={<IconStack3 size={26} />}
          title="No rollups yet"
          description="Each update source has a rollup of its latest applicable updates once it has synced."
          compact
        />
      ) : (
        <RollupsTable loading={rollups.isPending} items={items} />
      )}
    </>
  );
}

function RollupsTable({ loading, items }: { loading: boolean; items: UpdateRollup[] }) {
  const { can } = useSession();
  const refresh = useRefreshRollup();
  return (
    <DataTable
      testId="rollups-table"
      loading={loading}
      minWidth={760}
      columns={[
        { label: 'Product and release' },
        { label: 'Latest updates', ta: 'right' },
        { label: 'Group' },
        { label: 'Refreshed' },
        {},
      ]}
    >
      {items.map((r) => (
        <Table.Tr key={r.sourceId} data-testid="rollup-row">
          <Table.Td>
            <Anchor component={Link} to={rollupPath(r.sourceId)} fw={600} size="sm">
              {r.sourceName}
            </Anchor>
            <Text size="xs" c="dimmed">
              {r.suite}
            </Text>
          </Table.Td>
          <Table.Td ta="right">{r.updateIds.length.toLocaleString()}</Table.Td>
          <Table.Td>
            <CurrentBadge rollup={r} />
          </Table.Td>
          <Table.Td>
            <RelativeTime iso={r.refreshedAt} size="sm" />
          </Table.Td>
          <Table.Td>
            {can('software:write') && (
              <RowActions>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconRefresh size={14} />}
                  disabled={r.updateIds.length === 0}
                  loading={refresh.isPending && refresh.variables === r.sourceId}
                  onClick={() => refresh.mutate(r.sourceId)}
                  data-testid="rollup-refresh"
                >
                  Refresh
                </Button>
              </RowActions>
            )}
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/** One rollup: its latest updates, Refresh, and Deploy (its group, as any group deploys). */
export function UpdateRollupPage() {
  const { sourceId = '' } = useParams();
  const { can } = useSession();
  const rollup = useQuery({
    queryKey: [RULE_KEYS.rollups, sourceId],
    queryFn: () => api.call(ops.updateRollups.getUpdateRollup, { params: { id: sourceId } }),
  });
  const updates = useQuery({
    queryKey: [RULE_KEYS.rollups, sourceId, 'updates'],
    queryFn: () =>
      api.call(ops.updateCatalog.listUpdates, {
        query: { sourceId, state: 'current', limit: 1000 },
      }),
  });
  const refresh = useRefreshRollup();
  if (rollup.isError && isNotFound(rollup.error)) return <NotFoundPage />;
  if (rollup.isError && !rollup.data) return <ErrorState error={rollup.error} what="this rollup" />;
  const r = rollup.data;
  const ids = new Set(r?.updateIds ?? []);
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Software updates', to: '/software/updates' },
          { label: 'Rollups', to: '/software/updates?tab=rollups' },
          { label: r?.sourceName ?? '…' },
        ]}
        title={r ? `Rollup: ${r.sourceName} (${r.suite})` : <Skeleton h={24} w={240} />}
        description="The latest updates of this product and release that apply to the fleet: one pass, one restart."
        actions={
          r && (
            <Group gap="xs">
              {can('software:write') && (
                <Button
                  variant="default"
                  leftSection={<IconRefresh size={16} />}
                  disabled={r.updateIds.length === 0}
                  loading={refresh.isPending}
                  onClick={() => refresh.mutate(r.sourceId)}
                  data-testid="rollup-refresh"
                >
                  Refresh
                </Button>
              )}
              {can('deployments:write') && r.groupId && (
                <UpdateDeployButton
                  groupId={r.groupId}
                  groupName={r.groupName ?? r.sourceName}
                  updates={r.updateIds.length}
                  customUpdateIds={[]}
                  disabled={!r.current}
                />
              )}
            </Group>
          )
        }
      />
      {r && (
        <Stack gap="md">
          <Paper p="md">
            <KeyValueTable
              rows={[
                ['State', <CurrentBadge rollup={r} />],
                [
                  'Group',
                  r.groupId ? (
                    <Anchor
                      component={Link}
                      to={`/software/update-groups/${encodeURIComponent(r.groupId)}`}
                      size="sm"
                    >
                      {r.groupName}
                    </Anchor>
                  ) : (
                    'made at the first refresh'
                  ),
                ],
                ['Refreshed', <RelativeTime iso={r.refreshedAt} size="sm" />],
              ]}
            />
            {!r.current && r.groupId && (
              <Text size="sm" c="dimmed">
                Refresh it before deploying: its group no longer holds exactly the latest set.
              </Text>
            )}
          </Paper>
          <Title order={4}>Latest updates ({r.updateIds.length.toLocaleString()})</Title>
          {updates.isError ? (
            <ErrorState error={updates.error} what="the updates" />
          ) : (
            <UpdatesTable
              testId="rollup-updates"
              loading={updates.isPending}
              items={updates.data?.items.filter((u) => ids.has(u.id))}
            />
          )}
        </Stack>
      )}
    </>
  );
}
