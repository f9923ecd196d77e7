import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconCloudDownload, IconPlus, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateSource, type UpdateSync } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { errorMessage, notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';

export const SOURCES_KEY = 'update-sources';
export const UPDATES_KEY = 'updates';

const STATE_COLOR: Record<UpdateSync['state'], string> = {
  running: 'blue',
  succeeded: 'green',
  unchanged: 'gray',
  failed: 'red',
};

/** What a sync did, in one line (the same words as the CLI). */
export function syncSummary(s: UpdateSync): string {
  switch (s.state) {
    case 'running':
      return `${s.indexesDone}/${s.indexesTotal} indexes, ${s.packagesRead} packages read`;
    case 'succeeded':
      return `${s.packagesRead} packages read: ${s.added} new, ${s.superseded} superseded`;
    case 'unchanged':
      return 'Unchanged since the last sync';
    case 'failed':
      return `Failed (${s.failure ?? 'error'}): ${s.error ?? ''}`;
  }
}

function LastSync({ sync }: { sync: UpdateSync | null }) {
  if (!sync) return <Text c="dimmed">Never synced</Text>;
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        <Badge color={STATE_COLOR[sync.state]} variant="light">
          {sync.state}
        </Badge>
        <RelativeTime iso={sync.startedAt} size="sm" />
      </Group>
      {sync.state === 'running' && (
        <Progress
          value={sync.indexesTotal === 0 ? 5 : (100 * sync.indexesDone) / sync.indexesTotal}
          animated
          aria-label="sync progress"
        />
      )}
      <Text size="xs" c={sync.state === 'failed' ? 'red' : 'dimmed'}>
        {syncSummary(sync)}
      </Text>
    </Stack>
  );
}

function AddSourceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [suite, setSuite] = useState('');
  const [components, setComponents] = useState('main');
  const [architectures, setArchitectures] = useState('amd64');
  const [keyring, setKeyring] = useState('');
  const list = (text: string) => text.split(/[\s,]+/).filter((w) => w !== '');
  const missing = [
    ...(name.trim() === '' ? ['a name'] : []),
    ...(url.trim() === '' ? ['the repository URL'] : []),
    ...(suite.trim() === '' ? ['the suite'] : []),
    ...(keyring.trim() === '' ? ['the archive keyring'] : []),
  ];
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.updateCatalog.createSource, {
        body: {
          name: name.trim(),
          url: url.trim(),
          suite: suite.trim(),
          components: list(components),
          architectures: list(architectures),
          keyring,
        },
      }),
    onSuccess: async (s) => {
      notifySuccess(`Update source ${s.name} added; sync it to read its updates`);
      await queryClient.invalidateQueries({ queryKey: [SOURCES_KEY] });
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Add an update source" size="lg">
      <Stack>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="update-source-name"
        />
        <TextInput
          label="Repository URL"
          description="The directory holding dists/, e.g. http://mirror.example.org/debian-security"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          data-testid="update-source-url"
        />
        <Group grow>
          <TextInput
            label="Suite"
            description="e.g. bookworm-security"
            required
            value={suite}
            onChange={(e) => setSuite(e.currentTarget.value)}
            data-testid="update-source-suite"
          />
          <TextInput
            label="Components"
            value={components}
            onChange={(e) => setComponents(e.currentTarget.value)}
          />
          <TextInput
            label="Architectures"
            value={architectures}
            onChange={(e) => setArchitectures(e.currentTarget.value)}
          />
        </Group>
        <Textarea
          label="Archive keyring"
          description="The ASCII-armoured public key block the suite is signed with (gpg --export --armor); every sync checks the signature against it"
          required
          autosize
          minRows={4}
          maxRows={10}
          value={keyring}
          onChange={(e) => setKeyring(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
          data-testid="update-source-keyring"
        />
        {create.isError && (
          <Alert color="red" title="The source was not added">
            {errorMessage(create.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          {missing.length > 0 && (
            <Text size="sm" c="dimmed">
              Still needed: {missing.join(', ')}
            </Text>
          )}
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={missing.length > 0}
            loading={create.isPending}
            onClick={() => create.mutate()}
            data-testid="update-source-save"
          >
            Add source
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function SyncButton({ source }: { source: UpdateSource }) {
  const queryClient = useQueryClient();
  const sync = useMutation({
    mutationFn: () => api.call(ops.updateCatalog.syncSource, { params: { id: source.id } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [SOURCES_KEY] }),
  });
  return (
    <Stack gap={2} align="flex-end">
      <Button
        size="xs"
        variant="light"
        leftSection={<IconRefresh size={14} />}
        loading={sync.isPending}
        disabled={source.lastSync?.state === 'running'}
        onClick={() => sync.mutate()}
        data-testid={`update-source-sync-${source.name}`}
      >
        Sync now
      </Button>
      {sync.isError && (
        <Text size="xs" c="red">
          {errorMessage(sync.error)}
        </Text>
      )}
    </Stack>
  );
}

/** Update sources with their last sync (live while one runs), "Sync now" and "Add source". */
export function UpdateSourcesPanel() {
  const { can } = useSession();
  const writable = can('software:write');
  const [adding, { open, close }] = useDisclosure(false);
  const sources = useQuery({
    queryKey: [SOURCES_KEY],
    queryFn: () => api.call(ops.updateCatalog.listSources, {}),
    refetchInterval: (q) =>
      q.state.data?.items.some((s) => s.lastSync?.state === 'running') ? 1000 : 30_000,
  });
  // A sync that moved on (started, progressed, ended) may have changed the catalog below.
  const queryClient = useQueryClient();
  const syncsKey = sources.data?.items
    .map((s) => `${s.lastSync?.id ?? ''}:${s.lastSync?.state ?? ''}`)
    .join(',');
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: [UPDATES_KEY] });
  }, [syncsKey, queryClient]);
  return (
    <Paper p="md" mb="md">
      <Group justify="space-between" mb="sm">
        <Title order={4}>Update sources</Title>
        {writable && (
          <Button
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={open}
            data-testid="update-source-add"
          >
            Add source
          </Button>
        )}
      </Group>
      {sources.isError ? (
        <ErrorState error={sources.error} what="the update sources" />
      ) : !sources.isPending && sources.data.items.length === 0 ? (
        <EmptyState
          icon={<IconCloudDownload size={26} />}
          title="No update sources yet"
          description="Add an apt repository suite (for example Debian's security suite) with its archive keyring; syncs read its signed indexes into the update catalog."
        />
      ) : (
        <DataTable
          testId="update-sources-table"
          loading={sources.isPending}
          columns={[
            { label: 'Source' },
            { label: 'Suite' },
            { label: 'Updates', ta: 'right' },
            { label: 'Last sync' },
            {},
          ]}
        >
          {sources.data?.items.map((s) => (
            <Table.Tr key={s.id} data-testid={`update-source-${s.name}`}>
              <Table.Td>
                <Text fw={500}>{s.name}</Text>
                <Text size="xs" c="dimmed">
                  {s.url}
                </Text>
              </Table.Td>
              <Table.Td>
                {s.suite} {s.components.join(' ')}
                <Text size="xs" c="dimmed">
                  {s.enabled ? `every ${s.syncIntervalHours} h` : 'on demand only'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{s.updateCount}</Table.Td>
              <Table.Td>
                <LastSync sync={s.lastSync} />
              </Table.Td>
              <Table.Td>{writable && <SyncButton source={s} />}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
      <AddSourceModal opened={adding} onClose={close} />
    </Paper>
  );
}
