import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconPackage, IconShieldCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DistributionPoint, DpContentStatus } from '@steward/protocol';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ContentStateBadge, DpStateBadge } from '../../components/content-state-badge';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Fact } from '../../components/fact';
import { KeyValueTable } from '../../components/key-value-table';
import { PageHeader } from '../../components/page-header';
import { QueryView } from '../../components/query-view';
import { RatioBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { DpStateMigrationSection } from './dp-state-migration-section';
import { DpMulticastSection } from './dp-multicast-section';
import { keys, useBoundaryGroups, useDpGroups } from '../software/queries';
import { DpPxeSection } from '../task-sequences/dp-pxe-section';

/** The console route of one distribution point's page. */
export function distributionPointPath(dpId: string): string {
  return `/admin/distribution-points/${encodeURIComponent(dpId)}`;
}

function ContentRow({ row, dp }: { row: DpContentStatus; dp: DistributionPoint }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const validate = useMutation({
    mutationFn: () => api.validatePackageContent(row.packageId, [dp.id]),
    onSuccess: () => {
      notifySuccess(
        dp.isSiteServer
          ? `The site server re-hashed ${row.packageName}.`
          : `${dp.name} re-hashes ${row.packageName} at its next poll and reports what it finds.`,
      );
      void queryClient.invalidateQueries({ queryKey: keys.dpContent(dp.id) });
    },
  });
  return (
    <Table.Tr
      data-testid="dp-content-row"
      data-package-name={row.packageName}
      data-state={row.state}
    >
      <Table.Td>
        <Anchor
          component={Link}
          to={`/software/packages/${encodeURIComponent(row.packageId)}?tab=content`}
          size="sm"
          fw={600}
        >
          {row.packageName}
        </Anchor>
      </Table.Td>
      <Table.Td>v{row.versionNumber}</Table.Td>
      <Table.Td>
        <ContentStateBadge state={row.state} />
        {row.message && (
          <Text size="xs" c="dimmed" maw={320}>
            {row.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {formatBytes(row.bytesDone)} / {formatBytes(row.bytesTotal)}
      </Table.Td>
      <Table.Td>
        <RelativeTime iso={row.updatedAt} />
      </Table.Td>
      <Table.Td>{row.validatedAt ? <RelativeTime iso={row.validatedAt} /> : 'Never'}</Table.Td>
      <Table.Td ta="right">
        {can('software:write') && (
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconShieldCheck size={14} />}
            loading={validate.isPending}
            onClick={() => validate.mutate()}
            data-testid="dp-content-validate"
          >
            Validate
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Administration › Distribution points › one DP: what it is, where it serves, what it holds. */
export function DistributionPointPage() {
  const { dpId = '' } = useParams();
  const dp = useQuery({
    queryKey: [...keys.distributionPoints, dpId],
    queryFn: () => api.getDistributionPoint(dpId),
    refetchInterval: 10_000,
  });
  const content = useQuery({
    queryKey: keys.dpContent(dpId),
    queryFn: () => api.distributionPointContent(dpId),
    refetchInterval: 5_000,
    enabled: dp.isSuccess,
  });
  const groups = useDpGroups();
  const boundaryGroups = useBoundaryGroups();
  if (dp.isError && isNotFound(dp.error)) return <NotFoundPage />;
  if (dp.isError && !dp.data) return <ErrorState error={dp.error} what="this distribution point" />;
  const d = dp.data;
  const rows = content.data ?? [];
  const validationFailed = rows.filter((r) => r.state === 'validation-failed').length;
  const nameOf = (list: readonly { id: string; name: string }[] | undefined, id: string) =>
    list?.find((x) => x.id === id)?.name ?? id;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Distribution points', to: '/admin/distribution-points' },
          { label: d?.name ?? '…' },
        ]}
        title={
          d ? (
            <Group gap="xs" component="span">
              {d.name}
              <DpStateBadge state={d.state} />
              {d.isSiteServer && (
                <Badge size="sm" variant="light" color="gray">
                  site server
                </Badge>
              )}
            </Group>
          ) : (
            <Skeleton h={24} w={240} />
          )
        }
        description={d && (d.description || 'No description')}
        testId="dp-page"
      />
      {d && (
        <Stack gap="md">
          <Paper p="md">
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Fact label="Packages installed">
                <RatioBar
                  done={d.packagesInstalled}
                  total={d.packagesTargeted}
                  w={160}
                  label="Packages installed of targeted"
                />
              </Fact>
              <Fact label="Stored">
                <Text fw={700} data-testid="dp-stored">
                  {formatBytes(d.storedBytes)}
                </Text>
              </Fact>
              <Fact label="Last seen">
                <Text fw={700} data-testid="dp-last-seen">
                  <RelativeTime iso={d.lastSeenAt} />
                </Text>
              </Fact>
              <Fact label="Failed validation">
                <Text fw={700} c={validationFailed > 0 ? 'red' : undefined}>
                  {validationFailed}
                </Text>
              </Fact>
            </SimpleGrid>
          </Paper>
          <Paper p="md">
            <KeyValueTable
              rows={[
                [
                  'URL',
                  <Text key="url" size="sm" className="steward-mono" data-testid="dp-url">
                    {d.url ?? 'Not registered yet'}
                  </Text>,
                ],
                ['Version', d.version ?? '—'],
                [
                  'Protected',
                  d.protected ? 'Yes: serves only clients of its boundary groups' : 'No',
                ],
                [
                  'DP groups',
                  d.groupIds.length === 0
                    ? 'None'
                    : d.groupIds.map((id) => nameOf(groups.data, id)).join(', '),
                ],
                [
                  'Boundary groups',
                  d.boundaryGroupIds.length === 0
                    ? 'None'
                    : d.boundaryGroupIds.map((id) => nameOf(boundaryGroups.data, id)).join(', '),
                ],
              ]}
            />
          </Paper>
          <Paper p="md">
            <Title order={4} mb="sm">
              Content
            </Title>
            <QueryView
              query={content}
              what="the content of this DP"
              isEmpty={rows.length === 0}
              empty={
                <EmptyState
                  icon={<IconPackage size={24} />}
                  title="No packages distributed to this DP"
                  compact
                />
              }
            >
              <Table className="steward-table" data-testid="dp-content">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Package</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Size</Table.Th>
                    <Table.Th>Updated</Table.Th>
                    <Table.Th>Validated</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <ContentRow key={r.packageId} row={r} dp={d} />
                  ))}
                </Table.Tbody>
              </Table>
            </QueryView>
          </Paper>
          <Paper p="md">
            <DpPxeSection dpId={d.id} isSiteServer={d.isSiteServer} />
          </Paper>
          {!d.isSiteServer && <DpMulticastSection dpId={d.id} />}
          {!d.isSiteServer && <DpStateMigrationSection dpId={d.id} />}
        </Stack>
      )}
    </>
  );
}
