import {
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  Modal,
  PasswordInput,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFingerprint, IconKey, IconListCheck, IconPlus, IconSend } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  type PushServiceMode,
  type PushTarget,
  type PushTargetState,
} from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { FormActions } from '../../components/form-actions';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';

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

function StartPushModal(props: {
  opened: boolean;
  onClose: () => void;
  onStarted: (id: string) => void;
}) {
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
  });
  const [account, setAccount] = useState<string | null>(null);
  const [kind, setKind] = useState<'hosts' | 'collection'>('hosts');
  const [hosts, setHosts] = useState('');
  const [collection, setCollection] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () =>
      api.call(ops.clientPush.startJob, {
        body: {
          account: account ?? '',
          ...(kind === 'hosts'
            ? { hosts: hosts.split(/[\s,]+/).filter(Boolean) }
            : { collection: collection ?? '' }),
        },
      }),
    meta: { errorTitle: 'Could not start the push' },
    onSuccess: (job) => {
      notifySuccess(`Push started: ${job.total} targets.`);
      props.onStarted(job.id);
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Start a client push</Text>}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Select
            label="Push account"
            data={(accounts.data ?? []).map((a) => ({
              value: a.id,
              label: `${a.name} (${a.user})`,
            }))}
            value={account}
            onChange={setAccount}
            required
            data-testid="push-account-select"
          />
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v === 'collection' ? 'collection' : 'hosts')}
            data={[
              { value: 'hosts', label: 'Host names or addresses' },
              { value: 'collection', label: 'A collection' },
            ]}
          />
          {kind === 'hosts' ? (
            <Textarea
              label="Hosts"
              description="One per line or comma-separated; host:port for another SSH port"
              autosize
              minRows={3}
              value={hosts}
              onChange={(e) => setHosts(e.currentTarget.value)}
              data-testid="push-hosts"
            />
          ) : (
            <CollectionSelect value={collection} onChange={setCollection} label="Collection" />
          )}
          <FormActions
            onCancel={props.onClose}
            submitLabel="Start push"
            loading={start.isPending}
            testId="push-start-submit"
          />
        </Stack>
      </form>
    </Modal>
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

function AddAccountModal(props: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [user, setUser] = useState('root');
  const [auth, setAuth] = useState<'key' | 'password'>('key');
  const [secret, setSecret] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [service, setService] = useState<PushServiceMode>('systemd');
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.clientPush.createAccount, {
        body: {
          name,
          user,
          serviceMode: service,
          ...(auth === 'key'
            ? { privateKey: secret, ...(passphrase ? { passphrase } : {}) }
            : { password: secret }),
        },
      }),
    meta: { errorTitle: 'Could not store the push account' },
    onSuccess: () => {
      // The secret leaves the browser's memory with the form.
      setSecret('');
      setPassphrase('');
      notifySuccess('Push account stored.');
      void qc.invalidateQueries({ queryKey: ['push-accounts'] });
      props.onClose();
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>New push account</Text>}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-testid="push-account-name"
          />
          <TextInput
            label="SSH user"
            value={user}
            onChange={(e) => setUser(e.currentTarget.value)}
            required
          />
          <SegmentedControl
            value={auth}
            onChange={(v) => setAuth(v === 'password' ? 'password' : 'key')}
            data={[
              { value: 'key', label: 'Private key' },
              { value: 'password', label: 'Password' },
            ]}
          />
          {auth === 'key' ? (
            <>
              <Textarea
                label="Private key"
                description="Sealed with the site master key; never shown again"
                autosize
                minRows={4}
                value={secret}
                onChange={(e) => setSecret(e.currentTarget.value)}
                required
                styles={{ input: { fontFamily: 'monospace' } }}
                data-testid="push-account-key"
              />
              <PasswordInput
                label="Key passphrase (optional)"
                value={passphrase}
                onChange={(e) => setPassphrase(e.currentTarget.value)}
              />
            </>
          ) : (
            <PasswordInput
              label="Password"
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
              required
            />
          )}
          <Select
            label="Agent service"
            data={[
              { value: 'systemd', label: 'systemd unit (target must run systemd)' },
              { value: 'auto', label: 'systemd when present, else a detached process' },
              { value: 'none', label: 'detached process' },
            ]}
            value={service}
            onChange={(v) => setService(v === 'auto' || v === 'none' ? v : 'systemd')}
            allowDeselect={false}
          />
          <FormActions
            onCancel={props.onClose}
            submitLabel="Store account"
            loading={create.isPending}
            testId="push-account-submit"
          />
        </Stack>
      </form>
    </Modal>
  );
}

function AccountsPanel({ writable }: { writable: boolean }) {
  const qc = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.clientPush.deleteAccount, { params: { id } }),
    meta: { errorTitle: 'Could not remove the push account' },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['push-accounts'] }),
  });
  if (accounts.isPending) return <BlockSkeleton lines={2} />;
  if (accounts.isError) return <ErrorState error={accounts.error} what="push accounts" />;
  return (
    <Stack gap="sm">
      {writable && (
        <Group justify="flex-end">
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={open}
            data-testid="push-account-new"
          >
            New push account
          </Button>
        </Group>
      )}
      <Table data-testid="push-accounts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>User</Table.Th>
            <Table.Th>Authentication</Table.Th>
            <Table.Th>Service</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {accounts.data.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{a.name}</Table.Td>
              <Table.Td>{a.user}</Table.Td>
              <Table.Td>
                {a.authKind === 'key' ? `key${a.hasPassphrase ? ' + passphrase' : ''}` : 'password'}
              </Table.Td>
              <Table.Td>{a.serviceMode}</Table.Td>
              <Table.Td>
                <RelativeTime iso={a.createdAt} /> by {a.createdBy}
              </Table.Td>
              <Table.Td>
                {writable && (
                  <ConfirmButton
                    variant="subtle"
                    color="red"
                    size="xs"
                    title="Remove push account"
                    message={`Remove ${a.name}? Targets still to be tried with it fail.`}
                    confirmLabel="Remove"
                    onConfirm={() => remove.mutateAsync(a.id)}
                    testId={`push-account-remove-${a.name}`}
                  >
                    Remove
                  </ConfirmButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <AddAccountModal opened={opened} onClose={close} />
    </Stack>
  );
}

function HostKeysPanel({ writable }: { writable: boolean }) {
  const qc = useQueryClient();
  const keys = useQuery({
    queryKey: ['push-host-keys'],
    queryFn: () => api.call(ops.clientPush.listHostKeys, {}),
  });
  const forget = useMutation({
    mutationFn: (host: string) => api.call(ops.clientPush.forgetHostKey, { params: { host } }),
    meta: { errorTitle: 'Could not forget the host key' },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['push-host-keys'] }),
  });
  if (keys.isPending) return <BlockSkeleton lines={2} />;
  if (keys.isError) return <ErrorState error={keys.error} what="host keys" />;
  return (
    <Table data-testid="push-host-keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Host</Table.Th>
          <Table.Th>Key</Table.Th>
          <Table.Th>First seen</Table.Th>
          <Table.Th>Refused key</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.data.map((k) => (
          <Table.Tr key={`${k.host}:${k.port}`}>
            <Table.Td>{`${k.host}:${k.port}`}</Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace">
                {k.keyType} {k.fingerprint}
              </Text>
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={k.firstSeenAt} />
            </Table.Td>
            <Table.Td>
              {k.refusedFingerprint ? (
                <Text size="xs" ff="monospace" c="red">
                  {k.refusedFingerprint}
                </Text>
              ) : (
                '-'
              )}
            </Table.Td>
            <Table.Td>
              {writable && (
                <ConfirmButton
                  variant="subtle"
                  size="xs"
                  title="Forget host key"
                  message={`Forget the key of ${k.host}:${k.port}? The next contact records the key it offers.`}
                  confirmLabel="Forget"
                  onConfirm={() => forget.mutateAsync(`${k.host}:${k.port}`)}
                  testId={`push-host-key-forget-${k.host}-${k.port}`}
                >
                  Forget
                </ConfirmButton>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
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
          writable && (
            <Button leftSection={<IconSend size={16} />} onClick={open} data-testid="push-start">
              Start push
            </Button>
          )
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
