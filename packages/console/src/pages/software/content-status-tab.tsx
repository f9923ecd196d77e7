import {
  Anchor,
  Button,
  Group,
  Progress,
  RingProgress,
  SimpleGrid,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconRefreshDot,
  IconServer2,
  IconShieldCheck,
  IconTrash,
  IconTruckDelivery,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DpContentStatus, Package, PackageContentStatus } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { ContentStateBadge } from '../../components/content-state-badge';
import { DataTable, RowActions } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { Fact } from '../../components/fact';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { DistributeModal } from './distribute-modal';
import { keys } from './queries';
import { distributionPointPath } from '../admin/distribution-point-page';

/** Content status is refreshed quickly while something is moving, slowly otherwise. */
function busy(s: PackageContentStatus | undefined): boolean {
  return (s?.distributionPoints ?? []).some(
    (r) => r.state === 'pending' || r.state === 'distributing' || r.state === 'removing',
  );
}

export function usePackageContentStatus(packageId: string) {
  return useQuery({
    queryKey: keys.contentStatus(packageId),
    queryFn: () => api.packageContentStatus(packageId),
    refetchInterval: (q) => (busy(q.state.data) ? 2_000 : 15_000),
  });
}

function StatusSummary({ s }: { s: PackageContentStatus }) {
  const pct = Math.round(s.percentComplete);
  return (
    <Group gap="xl" mb="md" wrap="nowrap" data-testid="content-summary">
      <RingProgress
        size={96}
        thickness={9}
        roundCaps
        sections={[{ value: pct, color: pct >= 100 ? 'teal' : 'indigo' }]}
        label={
          <Text ta="center" fw={700} size="sm" data-testid="content-percent">
            {pct}%
          </Text>
        }
      />
      <SimpleGrid cols={{ base: 2, md: 5 }} style={{ flex: 1 }}>
        {(
          [
            ['Version', s.versionNumber === null ? '—' : `v${s.versionNumber}`, 'content-version'],
            ['Targeted', s.targeted, 'content-targeted'],
            ['Installed', s.installed, 'content-installed'],
            ['Distributing', s.distributing, 'content-distributing'],
            ['Failed', s.failed, 'content-failed'],
          ] as const
        ).map(([label, value, testId]) => (
          <Fact key={label} label={label} gap={0}>
            <Text fz={20} fw={700} data-testid={testId}>
              {value}
            </Text>
          </Fact>
        ))}
      </SimpleGrid>
    </Group>
  );
}

function DpRow({ row, pkg }: { row: DpContentStatus; pkg: Package }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const refresh = (s?: PackageContentStatus) => {
    if (s) queryClient.setQueryData(keys.contentStatus(pkg.id), s);
    void queryClient.invalidateQueries({ queryKey: keys.package(pkg.id) });
    void queryClient.invalidateQueries({ queryKey: keys.packages });
  };
  const validate = useMutation({
    mutationFn: () => api.validatePackageContent(pkg.id, [row.dpId]),
    onSuccess: (s) => {
      notifySuccess(`${row.dpName} re-hashes ${pkg.name} and reports what it finds.`);
      refresh(s);
    },
  });
  const remove = useMutation({
    mutationFn: () => api.removePackageFromDp(pkg.id, row.dpId),
    onSuccess: () => {
      notifySuccess(`${pkg.name} is being removed from ${row.dpName}.`);
      refresh();
    },
  });
  const pct =
    row.bytesTotal > 0
      ? (row.bytesDone / row.bytesTotal) * 100
      : row.state === 'installed'
        ? 100
        : 0;
  const writable = can('software:write');
  return (
    <Table.Tr data-testid="content-dp-row" data-dp-name={row.dpName} data-state={row.state}>
      <Table.Td>
        <Anchor component={Link} to={distributionPointPath(row.dpId)} size="sm" fw={600}>
          {row.dpName}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <ContentStateBadge state={row.state} />
      </Table.Td>
      <Table.Td w={220}>
        <Tooltip
          label={`${formatBytes(row.bytesDone)} of ${formatBytes(row.bytesTotal)}`}
          withArrow
        >
          <Group gap={6} wrap="nowrap">
            <Progress
              value={pct}
              size="sm"
              style={{ flex: 1 }}
              color={
                row.state === 'installed' ? 'teal' : row.state.endsWith('failed') ? 'red' : 'blue'
              }
              animated={row.state === 'distributing'}
              striped={row.state === 'distributing'}
            />
            <Text size="xs" w={34} ta="right">
              {Math.round(pct)}%
            </Text>
          </Group>
        </Tooltip>
      </Table.Td>
      <Table.Td>v{row.versionNumber}</Table.Td>
      <Table.Td maw={280}>
        <Text
          size="xs"
          c={row.state.endsWith('failed') ? 'red' : 'dimmed'}
          lineClamp={2}
          title={row.message ?? ''}
        >
          {row.message ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <RelativeTime iso={row.updatedAt} />
      </Table.Td>
      <Table.Td>
        <RelativeTime iso={row.validatedAt} />
      </Table.Td>
      <Table.Td ta="right">
        {writable && (
          <RowActions>
            <Button
              size="xs"
              variant="subtle"
              leftSection={<IconShieldCheck size={14} />}
              loading={validate.isPending}
              onClick={() => validate.mutate()}
              data-testid="content-validate-dp"
            >
              Validate
            </Button>
            <ConfirmButton
              size="xs"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              title={`Remove ${pkg.name} from ${row.dpName}?`}
              message="The DP deletes the content; clients that used it move to the next DP in their list."
              confirmLabel="Remove"
              loading={remove.isPending}
              onConfirm={() => remove.mutateAsync()}
              testId="content-remove-dp"
            >
              Remove
            </ConfirmButton>
          </RowActions>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Content status: where the package's current version is, per distribution point. */
export function ContentStatusTab({ pkg }: { pkg: Package }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const status = usePackageContentStatus(pkg.id);
  const validateAll = useMutation({
    mutationFn: () => api.validatePackageContent(pkg.id),
    onSuccess: (s) => {
      notifySuccess('Every DP holding the package re-hashes it and reports.');
      queryClient.setQueryData(keys.contentStatus(pkg.id), s);
    },
  });
  const s = status.data;
  const writable = can('software:write');
  // The empty state repeats the button without the test id: one element per test id.
  const distributeButton = (testId?: string) =>
    writable && (
      <Button leftSection={<IconTruckDelivery size={16} />} onClick={open} data-testid={testId}>
        Distribute content
      </Button>
    );
  const rows = [...(s?.distributionPoints ?? [])].sort((a, b) => a.dpName.localeCompare(b.dpName));
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          Distribution points pull the current version from the site and verify every hash.
        </Text>
        <Group gap="xs">
          {writable && rows.length > 0 && (
            <Button
              variant="default"
              leftSection={<IconRefreshDot size={16} />}
              loading={validateAll.isPending}
              onClick={() => validateAll.mutate()}
              data-testid="content-validate-all"
            >
              Validate content
            </Button>
          )}
          {distributeButton('distribute')}
        </Group>
      </Group>
      {status.isError ? (
        <ErrorState error={status.error} what="the content status" />
      ) : (
        <>
          {s && <StatusSummary s={s} />}
          {s && rows.length === 0 ? (
            <EmptyState
              icon={<IconServer2 size={24} />}
              title="Not distributed yet"
              description="Clients download content only from distribution points that hold it. Distribute to the site server or to DP groups."
              action={distributeButton()}
              compact
            />
          ) : (
            <DataTable
              columns={[
                { label: 'Distribution point' },
                { label: 'State' },
                { label: 'Progress' },
                { label: 'Version' },
                { label: 'Message' },
                { label: 'Updated' },
                { label: 'Validated' },
                { w: 190 },
              ]}
              loading={!s}
              skeletonRows={2}
              testId="content-status-table"
              minWidth={1000}
            >
              {rows.map((r) => (
                <DpRow key={r.dpId} row={r} pkg={pkg} />
              ))}
            </DataTable>
          )}
        </>
      )}
      <DistributeModal pkg={pkg} status={s} opened={opened} onClose={close} />
    </>
  );
}
