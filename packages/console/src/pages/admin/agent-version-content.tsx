import {
  Anchor,
  Button,
  Group,
  Modal,
  MultiSelect,
  Progress,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { IconShieldCheck, IconTruckDelivery } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type AgentVersion, type PackageContentStatus } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ContentStateBadge } from '../../components/content-state-badge';
import { DataTable } from '../../components/data-table';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { useDistributionPoints, useDpGroups } from '../software/queries';
import { distributionPointPath } from './distribution-point-page';

const statusKey = (version: string) => ['agent-version', version, 'content-status'] as const;

function moving(s: PackageContentStatus | undefined): boolean {
  return (s?.distributionPoints ?? []).some(
    (r) => r.state === 'pending' || r.state === 'distributing' || r.state === 'removing',
  );
}

/** An agent version's content status on every DP it targets (ADR 0042). */
export function useAgentVersionContent(version: string) {
  return useQuery({
    queryKey: statusKey(version),
    queryFn: () => api.call(ops.agentVersions.contentStatus, { params: { version } }),
    refetchInterval: (q) => (moving(q.state.data) ? 2_000 : 15_000),
  });
}

/** The table cell: "2 of 3 DPs" and the button that opens the distribution view. */
export function AgentVersionContentCell({ version }: { version: AgentVersion }) {
  const [opened, setOpened] = useState(false);
  const status = useAgentVersionContent(version.version);
  const s = status.data;
  const label =
    s === undefined || s.targeted === 0
      ? 'Not on any DP'
      : `${s.installed} of ${s.targeted} DPs${s.failed > 0 ? `, ${s.failed} failed` : ''}`;
  return (
    <>
      <Button
        size="compact-sm"
        variant="subtle"
        leftSection={<IconTruckDelivery size={14} />}
        onClick={() => setOpened(true)}
        data-testid={`agent-version-content-${version.version}`}
      >
        {label}
      </Button>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        title={<Text fw={600}>Agent {version.version} on distribution points</Text>}
        size="xl"
      >
        <AgentVersionContent version={version.version} status={s} />
      </Modal>
    </>
  );
}

function AgentVersionContent({
  version,
  status,
}: {
  version: string;
  status: PackageContentStatus | undefined;
}) {
  const { can } = useSession();
  const writable = can('software:write');
  const queryClient = useQueryClient();
  const dps = useDistributionPoints();
  const groups = useDpGroups();
  const [dpIds, setDpIds] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const done = (s: PackageContentStatus) => {
    queryClient.setQueryData(statusKey(version), s);
    void queryClient.invalidateQueries({ queryKey: ['agent-versions'] });
  };
  const distribute = useMutation({
    mutationFn: () =>
      api.call(ops.agentVersions.distribute, {
        params: { version },
        body: { dpIds, dpGroupIds: groupIds },
      }),
    meta: { errorTitle: `Could not distribute agent ${version}` },
    onSuccess: (s) => {
      notifySuccess(`Agent ${version} is targeted to ${s.targeted} distribution points.`);
      setDpIds([]);
      setGroupIds([]);
      done(s);
    },
  });
  const validate = useMutation({
    mutationFn: (dpId: string) =>
      api.call(ops.agentVersions.validate, { params: { version }, body: { dpIds: [dpId] } }),
    onSuccess: (s) => {
      notifySuccess('The distribution point re-hashes the packages and reports what it finds.');
      done(s);
    },
  });
  const rows = status?.distributionPoints ?? [];
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Agents download their upgrade from a distribution point of their boundary group that holds
        this version (then neighbour and fallback DPs and the site server, when the fallback setting
        allows), and check every byte against the signed policy before installing.
      </Text>
      <DataTable
        testId="agent-version-content-table"
        loading={status === undefined}
        columns={[
          { label: 'Distribution point' },
          { label: 'State' },
          { label: 'Progress' },
          { label: 'Updated' },
          { label: 'Validated' },
          { label: '' },
        ]}
      >
        {rows.map((r) => (
          <Table.Tr key={r.dpId} data-testid="agent-version-dp-row" data-dp-name={r.dpName}>
            <Table.Td>
              <Anchor component={Link} to={distributionPointPath(r.dpId)} size="sm" fw={600}>
                {r.dpName}
              </Anchor>
              {r.message !== null && (
                <Text size="xs" c="dimmed">
                  {r.message}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <ContentStateBadge state={r.state} />
            </Table.Td>
            <Table.Td miw={140}>
              <Progress
                value={r.bytesTotal > 0 ? (r.bytesDone / r.bytesTotal) * 100 : 0}
                size="sm"
              />
              <Text size="xs" c="dimmed">
                {formatBytes(r.bytesDone)} of {formatBytes(r.bytesTotal)}
              </Text>
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={r.updatedAt} />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={r.validatedAt} />
            </Table.Td>
            <Table.Td>
              {writable && (
                <Button
                  size="compact-xs"
                  variant="default"
                  leftSection={<IconShieldCheck size={12} />}
                  loading={validate.isPending && validate.variables === r.dpId}
                  onClick={() => validate.mutate(r.dpId)}
                >
                  Validate
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {rows.length === 0 && (
        <Text size="sm" data-testid="agent-version-content-empty">
          Not on any distribution point yet: agents download it from the site server while the
          fallback setting allows.
        </Text>
      )}
      {writable && (
        <Group align="flex-end" gap="sm">
          <MultiSelect
            label="Distribution points"
            data={(dps.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={dpIds}
            onChange={setDpIds}
            searchable
            clearable
            style={{ flex: 1 }}
            comboboxProps={{ withinPortal: true }}
            data-testid="agent-version-distribute-dps"
          />
          <MultiSelect
            label="Distribution point groups"
            data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
            value={groupIds}
            onChange={setGroupIds}
            searchable
            clearable
            style={{ flex: 1 }}
            comboboxProps={{ withinPortal: true }}
            data-testid="agent-version-distribute-groups"
          />
          <Button
            leftSection={<IconTruckDelivery size={16} />}
            disabled={dpIds.length === 0 && groupIds.length === 0}
            loading={distribute.isPending}
            onClick={() => distribute.mutate()}
            data-testid="agent-version-distribute"
          >
            Distribute
          </Button>
        </Group>
      )}
    </Stack>
  );
}
