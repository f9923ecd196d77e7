import { ExportButton } from '../../components/export-button';
import {
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFingerprint, IconKey, IconListCheck, IconSend } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, type PushTarget, type PushTargetState } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { AccountsPanel } from './push-accounts-panel';
import { HostKeysPanel } from './push-host-keys-panel';
import { StartPushModal } from './start-push-modal';

/** Live views poll: a target moves through its states within seconds. */
const POLL_MS = 2000;

const STATE_COLOR: Record<PushTargetState, string> = {
  queued: 'gray',
  connecting: 'blue',
  checking: 'blue',
  copying: 'blue',
  installing: 'blue',
  'waiting-for-enrolment': 'cyan',
  succeeded: 'teal',
  failed: 'red',
  'retry-scheduled': 'orange',
  'skipped-already-client': 'grape',
};

function StateBadge({ state }: { state: PushTargetState }) {
  return (
    <Badge color={STATE_COLOR[state]} variant="light" data-testid={`push-state-${state}`}>
      {state}
    </Badge>
  );
}

function TargetLogDrawer({ targetId, onClose }: { targetId: string | null; onClose: () => void }) {
  const target = useQuery({
    queryKey: ['push-target', targetId],
    queryFn: () => api.call(ops.clientPush.getTarget, { params: { id: targetId ?? '' } }),
    enabled: targetId !== null,
    refetchInterval: POLL_MS,
  });
  const t = target.data;
  return (
    <Drawer
      opened={targetId !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={t ? `${t.host}:${t.port}` : 'Target'}
    >
      {t && (
        <Stack gap="sm" data-testid="push-target-log">
          <Group gap="xs">
            <StateBadge state={t.state} />
            {t.lastErrorCode && (
              <Badge color="red" variant="outline">
                {t.lastErrorCode}
              </Badge>
            )}
          </Group>
          {t.reason && <Text size="sm">{t.reason}</Text>}
          {t.attemptLog.length === 0 && <Text c="dimmed">No attempt yet.</Text>}
          {t.attemptLog.map((a) => (
            <Stack key={a.id} gap={4}>
              <Text fw={600} size="sm">
                Attempt {a.number}: {a.outcome ?? 'running'}
                {a.errorCode ? ` (${a.errorCode})` : ''}
              </Text>
              <ScrollArea.Autosize mah={400}>
                <Code block>{a.log.join('\n')}</Code>
              </ScrollArea.Autosize>
            </Stack>
          ))}
        </Stack>
      )}
    </Drawer>
  );
}

function TargetsTable({
  targets,
  onOpen,
}: {
  targets: PushTarget[];
  onOpen: (id: string) => void;
}) {
  return (
    <Table highlightOnHover data-testid="push-targets">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Host</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th>Attempts</Table.Th>
          <Table.Th>Next attempt</Table.Th>
          <Table.Th>Last error / reason</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {targets.map((t) => (
          <Table.Tr key={t.id} onClick={() => onOpen(t.id)} style={{ cursor: 'pointer' }}>
            <Table.Td>{t.port === 22 ? t.host : `${t.host}:${t.port}`}</Table.Td>
            <Table.Td>
              <StateBadge state={t.state} />
            </Table.Td>
            <Table.Td>{t.attempts}</Table.Td>
            <Table.Td>{t.nextAttemptAt ? <RelativeTime iso={t.nextAttemptAt} /> : '-'}</Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={2}>
                {t.reason ?? (t.lastErrorCode ? `${t.lastErrorCode}: ${t.lastError ?? ''}` : '-')}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function JobsPanel({ jobId, setJobId }: { jobId: string | null; setJobId: (id: string) => void }) {
  const jobs = useQuery({
    queryKey: ['push-jobs'],
    queryFn: () => api.call(ops.clientPush.listJobs, {}),
    refetchInterval: POLL_MS,
  });
  const selected = jobId ?? jobs.data?.[0]?.id ?? null;
  const job = useQuery({
    queryKey: ['push-job', selected],
    queryFn: () => api.call(ops.clientPush.getJob, { params: { id: selected ?? '' } }),
    enabled: selected !== null,
    refetchInterval: POLL_MS,
  });
  const [targetId, setTargetId] = useState<string | null>(null);
  if (jobs.isPending) return <BlockSkeleton lines={3} />;
  if (jobs.isError) return <ErrorState error={jobs.error} what="push jobs" />;
  if (jobs.data.length === 0)
    return (
      <EmptyState
        icon={<IconSend size={28} />}
        title="No push yet"
        description="Start a push to install the agent over SSH."
        testId="push-empty"
      />
    );
  return (
    <Stack gap="sm">
      <Select
        label="Push job"
        data={jobs.data.map((j) => ({
          value: j.id,
          label: `${new Date(j.createdAt).toLocaleString()} · ${j.accountName} · ${j.total} targets`,
        }))}
        value={selected}
        onChange={(v) => v && setJobId(v)}
        allowDeselect={false}
        data-testid="push-job-select"
      />
      {job.data && (
        <>
          <Group gap="xs">
            {Object.entries(job.data.counts).map(([s, n]) => (
              <Badge key={s} variant="outline">
                {s}: {n}
              </Badge>
            ))}
          </Group>
          <TargetsTable targets={job.data.targets} onOpen={setTargetId} />
        </>
      )}
      <TargetLogDrawer targetId={targetId} onClose={() => setTargetId(null)} />
    </Stack>
  );
}

/**
 * Monitoring > Client push: start a push over SSH, watch its targets move through their states
 * (polled every 2 s), read each attempt's log; push accounts and the recorded host keys.
 */
export function ClientPushPage() {
  const { can } = useSession();
  const writable = can('enrolment:write');
  const [tab, setTab] = useTabParam(['jobs', 'accounts', 'host-keys'] as const);
  const [opened, { open, close }] = useDisclosure(false);
  const [jobId, setJobId] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Client push"
        description="Install the agent on machines over SSH. A target succeeds only once its agent has enrolled and reported inventory."
        icon={<IconSend />}
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.pushJobs} testId="push-export" />
            {writable && (
              <Button leftSection={<IconSend size={16} />} onClick={open} data-testid="push-start">
                Start push
              </Button>
            )}
          </Group>
        }
        testId="client-push"
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'jobs',
            label: 'Push jobs',
            icon: <IconListCheck size={16} />,
            testId: 'push-tab-jobs',
            panel: <JobsPanel jobId={jobId} setJobId={setJobId} />,
          },
          {
            value: 'accounts',
            label: 'Push accounts',
            icon: <IconKey size={16} />,
            testId: 'push-tab-accounts',
            panel: <AccountsPanel writable={writable} />,
          },
          {
            value: 'host-keys',
            label: 'Host keys',
            icon: <IconFingerprint size={16} />,
            testId: 'push-tab-host-keys',
            panel: <HostKeysPanel writable={writable} />,
          },
        ]}
      />
      <StartPushModal
        opened={opened}
        onClose={close}
        onStarted={(id) => {
          setJobId(id);
          setTab('jobs');
          close();
        }}
      />
    </>
  );
}
