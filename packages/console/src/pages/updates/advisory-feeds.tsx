import {
  Alert,
  Button,
  FileInput,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRefresh, IconUpload, IconRss } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  type AdvisoryFeed,
  type AdvisoryFormat,
  type AdvisoryImport,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { errorMessage, notifySuccess } from '../../api/errors';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { FormActions, missingFields } from '../../components/form-actions';
import { Pager } from '../../components/pager';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { UPDATE_KEYS } from './update-labels';

const FORMATS: { value: AdvisoryFormat; label: string }[] = [
  { value: 'debian-tracker', label: 'Debian security tracker (JSON)' },
  { value: 'dsa-list', label: 'DSA list' },
  { value: 'dla-list', label: 'DLA list' },
  { value: 'usn', label: 'Ubuntu USN database (JSON)' },
  { value: 'osv', label: 'OSV records (JSON or zip)' },
];

function isFormat(v: string | null): v is AdvisoryFormat {
  return FORMATS.some((f) => f.value === v);
}

/** What an import did, in one line. */
export function importSummary(i: AdvisoryImport): string {
  if (i.state === 'failed') return `Failed: ${i.error ?? 'unknown error'}`;
  if (i.state === 'unchanged') return 'Unchanged since the last import';
  return `${i.advisories.toLocaleString()} advisories, ${i.cves.toLocaleString()} CVEs, ${i.fixes.toLocaleString()} fixes; ${i.updatesEnriched.toLocaleString()} updates enriched`;
}

function useRefreshAdvisories() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.advisories] });
    void queryClient.invalidateQueries({ queryKey: ['updates'] });
  };
}

/** Uploads one advisory file; the site parses it, stores it and enriches the updates it fixes. */
export function AdvisoryUpload() {
  const refresh = useRefreshAdvisories();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<AdvisoryFormat | null>(null);
  const upload = useMutation({
    mutationFn: (a: { file: File; format: AdvisoryFormat }) =>
      api.call(ops.advisories.importAdvisories, {
        query: { format: a.format },
        raw: {
          body: a.file,
          mediaType: a.file.name.endsWith('.zip') ? 'application/zip' : 'application/octet-stream',
        },
      }),
    meta: { errorTitle: 'Advisory file refused' },
    onSuccess: (i) => {
      notifySuccess(importSummary(i), 'Advisories imported');
      setFile(null);
      refresh();
    },
  });
  return (
    <Group align="flex-end" gap="sm">
      <FileInput
        label="Import a file"
        placeholder="Choose a feed file"
        leftSection={<IconUpload size={16} />}
        value={file}
        onChange={setFile}
        w={260}
        data-testid="advisory-file"
      />
      <Select
        label="Format"
        placeholder="Choose"
        data={FORMATS}
        value={format}
        onChange={(v) => setFormat(isFormat(v) ? v : null)}
        w={250}
        data-testid="advisory-file-format"
      />
      <Button
        disabled={file === null || format === null}
        loading={upload.isPending}
        onClick={() => file && format && upload.mutate({ file, format })}
        data-testid="advisory-file-import"
      >
        Import
      </Button>
    </Group>
  );
}

function AddFeedModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<AdvisoryFormat | null>(null);
  const [hours, setHours] = useState<number>(24);
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.advisories.createAdvisoryFeed, {
        body: {
          name: name.trim(),
          url: url.trim(),
          format: format ?? 'dsa-list',
          intervalHours: hours,
        },
      }),
    meta: { silent: true },
    onSuccess: (f) => {
      notifySuccess(`Feed ${f.name} added; import it now or wait for its schedule.`);
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.advisories, 'feeds'] });
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Add advisory feed</Text>}>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="advisory-feed-name"
        />
        <TextInput
          label="URL"
          required
          placeholder="https://mirror.example.org/security/DSA-list"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          data-testid="advisory-feed-url"
        />
        <Select
          label="Format"
          required
          data={FORMATS}
          value={format}
          onChange={(v) => setFormat(isFormat(v) ? v : null)}
          comboboxProps={{ withinPortal: false }}
          data-testid="advisory-feed-format"
        />
        <NumberInput
          label="Read every (hours)"
          min={1}
          max={24 * 31}
          value={hours}
          onChange={(v) => setHours(typeof v === 'number' ? v : 24)}
        />
        {create.isError && <Alert color="red">{errorMessage(create.error)}</Alert>}
        <FormActions
          onCancel={onClose}
          onSubmit={() => create.mutate()}
          submitLabel="Add feed"
          missing={missingFields({
            Name: name.trim() !== '',
            URL: url.trim() !== '',
            Format: format !== null,
          })}
          loading={create.isPending}
          testId="advisory-feed-save"
        />
      </Stack>
    </Modal>
  );
}

function ImportNowButton({ feed }: { feed: AdvisoryFeed }) {
  const refresh = useRefreshAdvisories();
  const imp = useMutation({
    mutationFn: () => api.call(ops.advisories.importAdvisoryFeed, { params: { id: feed.id } }),
    meta: { errorTitle: `${feed.name} not imported` },
    onSuccess: (i) => {
      notifySuccess(importSummary(i), feed.name);
      refresh();
    },
  });
  return (
    <Button
      size="xs"
      variant="default"
      leftSection={<IconRefresh size={14} />}
      loading={imp.isPending}
      onClick={() => imp.mutate()}
      data-testid={`advisory-feed-import-${feed.name}`}
    >
      Import now
    </Button>
  );
}

/** Advisory feeds (URLs read on a schedule): add, import now, remove. */
export function AdvisoryFeedsPanel() {
  const { can } = useSession();
  const writable = can('software:write');
  const [adding, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const feeds = useQuery({
    queryKey: [UPDATE_KEYS.advisories, 'feeds'],
    queryFn: () => api.call(ops.advisories.listAdvisoryFeeds, {}),
  });
  const del = useMutation({
    mutationFn: (id: string) => api.call(ops.advisories.deleteAdvisoryFeed, { params: { id } }),
    onSuccess: () =>
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.advisories, 'feeds'] }),
  });
  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-end">
        {writable ? <AdvisoryUpload /> : <span />}
        {writable && (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={open}
            data-testid="advisory-feed-add"
          >
            Add feed
          </Button>
        )}
      </Group>
      <AddFeedModal key={String(adding)} opened={adding} onClose={close} />
      <Title order={5} mt="md" mb="xs">
        Feeds
      </Title>
      {feeds.isError ? (
        <ErrorState error={feeds.error} what="the advisory feeds" />
      ) : !feeds.isPending && feeds.data.items.length === 0 ? (
        <EmptyState
          icon={<IconRss size={26} />}
          title="No advisory feeds"
          description="Add the URL of a DSA/DLA list, the Debian tracker's JSON, the USN database or OSV records; the site reads it on its schedule."
          compact
        />
      ) : (
        <DataTable
          testId="advisory-feeds-table"
          loading={feeds.isPending}
          minWidth={820}
          columns={[{ label: 'Feed' }, { label: 'Format' }, { label: 'Last import' }, {}]}
        >
          {feeds.data?.items.map((f) => (
            <Table.Tr key={f.id} data-testid={`advisory-feed-${f.name}`}>
              <Table.Td>
                <Text fw={500} size="sm">
                  {f.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {f.url} · every {f.intervalHours} h
                </Text>
              </Table.Td>
              <Table.Td>{f.format}</Table.Td>
              <Table.Td>
                {f.lastImport ? (
                  <>
                    <Text size="sm" c={f.lastImport.state === 'failed' ? 'red' : undefined}>
                      {importSummary(f.lastImport)}
                    </Text>
                    <RelativeTime iso={f.lastImport.finishedAt} size="xs" c="dimmed" />
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    Not imported yet
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {writable && (
                  <RowActions>
                    <ImportNowButton feed={f} />
                    <DeleteIconButton
                      name={f.name}
                      message="The feed is no longer read; what it imported stays."
                      loading={del.isPending && del.variables === f.id}
                      onConfirm={() => del.mutateAsync(f.id)}
                      testId="advisory-feed-delete"
                    />
                  </RowActions>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
      <AdvisoryImportsTable />
    </>
  );
}

/** Import history, newest first. */
function AdvisoryImportsTable() {
  const [page, setPage] = useState({ offset: 0, limit: 20 });
  const imports = useQuery({
    queryKey: [UPDATE_KEYS.advisories, 'imports', page],
    queryFn: () => api.call(ops.advisories.listAdvisoryImports, { query: page }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <Title order={5} mt="lg" mb="xs">
        Import history
      </Title>
      {imports.isError && !imports.data ? (
        <ErrorState error={imports.error} what="the imports" />
      ) : (
        <>
          <DataTable
            testId="advisory-imports-table"
            loading={imports.isPending}
            minWidth={820}
            columns={[{ label: 'When' }, { label: 'Format' }, { label: 'By' }, { label: 'Result' }]}
          >
            {imports.data?.items.map((i) => (
              <Table.Tr key={i.id} data-testid="advisory-import-row" data-state={i.state}>
                <Table.Td>
                  <RelativeTime iso={i.finishedAt} size="sm" />
                </Table.Td>
                <Table.Td>{i.format}</Table.Td>
                <Table.Td>{i.requestedBy}</Table.Td>
                <Table.Td>
                  <Text size="sm" c={i.state === 'failed' ? 'red' : undefined}>
                    {importSummary(i)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Pager
            offset={page.offset}
            limit={page.limit}
            total={imports.data?.total ?? 0}
            onChange={(offset, limit) => setPage({ offset, limit })}
            testId="advisory-imports-pager"
          />
        </>
      )}
    </>
  );
}
