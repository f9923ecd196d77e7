import { Badge, Button, Drawer, Group, ScrollArea, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFiles, IconSearch, IconTrash, IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DEFAULT_VERSIONS_KEPT, type Package, type PackageVersion } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { NewButton } from '../../components/new-button';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { ArchiveUploadModal } from './archive-upload-modal';
import { keys } from './queries';

function modeText(mode: number): string {
  return `0${mode.toString(8)}`;
}

function VersionFilesDrawer(props: {
  pkg: Package;
  version: PackageVersion | null;
  onClose: () => void;
}) {
  const [search, setSearch] = useState('');
  const v = props.version;
  const files = useQuery({
    queryKey: keys.versionFiles(props.pkg.id, v?.number ?? 0),
    queryFn: () => api.packageVersionFiles(props.pkg.id, v?.number ?? 0),
    enabled: v !== null,
    staleTime: Infinity,
  });
  const needle = search.trim().toLowerCase();
  const rows = (files.data ?? []).filter((f) => !needle || f.path.toLowerCase().includes(needle));
  return (
    <Drawer
      opened={v !== null}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={<Text fw={600}>Files of version {v?.number}</Text>}
    >
      <TextInput
        placeholder="Filter by path"
        leftSection={<IconSearch size={15} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        mb="sm"
      />
      {files.isError ? (
        <ErrorState error={files.error} what="the files" />
      ) : (
        <ScrollArea>
          <DataTable
            columns={[
              { label: 'Path' },
              { label: 'Size', ta: 'right' },
              { label: 'Mode' },
              { label: 'SHA-256' },
            ]}
            loading={files.isPending}
            skeletonRows={6}
            testId="version-files"
          >
            {rows.map((f) => (
              <Table.Tr key={f.path} data-testid="version-file-row">
                <Table.Td className="steward-mono">{f.path}</Table.Td>
                <Table.Td ta="right">{formatBytes(f.size)}</Table.Td>
                <Table.Td className="steward-mono">{modeText(f.mode)}</Table.Td>
                <Table.Td className="steward-mono" title={f.sha256}>
                  {f.sha256.slice(0, 12)}…
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </ScrollArea>
      )}
    </Drawer>
  );
}

/** Content versions of a package: the highest is current; clients always get it. */
export function VersionsTab({ pkg }: { pkg: Package }) {
  const { can } = useSession();
  const [uploadOpened, upload] = useDisclosure(false);
  const [shown, setShown] = useState<PackageVersion | null>(null);
  const versions = useQuery({
    queryKey: keys.versions(pkg.id),
    queryFn: () => api.packageVersions(pkg.id),
  });
  const list = [...(versions.data ?? [])].sort((a, b) => b.number - a.number);
  const qc = useQueryClient();
  const prune = useMutation({
    mutationFn: () => api.pruneVersions(pkg.id, DEFAULT_VERSIONS_KEPT),
    onSuccess: (kept) => {
      notifySuccess(`Kept versions ${kept.map((v) => v.number).join(', ')}`, 'Old versions pruned');
      void qc.invalidateQueries({ queryKey: keys.versions(pkg.id) });
    },
    onError: (e) => notifyError(e, 'Could not prune versions'),
  });
  // The empty state repeats the button without the test id: one element per test id.
  const uploadButton = (testId?: string) =>
    can('software:write') && (
      <NewButton icon={<IconUpload size={16} />} onClick={upload.open} testId={testId}>
        Update content
      </NewButton>
    );
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          Updating the source makes a new version; distribution points and clients move to it.
        </Text>
        <Group gap="xs">
          {can('software:write') && list.length > DEFAULT_VERSIONS_KEPT && (
            <ConfirmButton
              size="sm"
              variant="default"
              leftSection={<IconTrash size={15} />}
              title="Prune old versions?"
              message={`Versions older than ${list[DEFAULT_VERSIONS_KEPT - 1]?.number ?? ''} are deleted; files no other version uses are freed by the next library clean-up. The newest ${DEFAULT_VERSIONS_KEPT} versions stay.`}
              confirmLabel="Prune"
              loading={prune.isPending}
              onConfirm={() => prune.mutateAsync()}
              testId="prune-versions"
            >
              Prune old versions
            </ConfirmButton>
          )}
          {uploadButton('update-content')}
        </Group>
      </Group>
      <QueryView
        query={versions}
        what="the content versions"
        isEmpty={list.length === 0}
        empty={
          <EmptyState
            icon={<IconFiles size={24} />}
            title="No content yet"
            description="Upload a .tar or .tar.gz archive of the package source. The CLI can also import a folder (steward package import)."
            action={uploadButton()}
            compact
          />
        }
      >
        <DataTable
          columns={[
            { label: 'Version', w: 110 },
            { label: 'Files', ta: 'right' },
            { label: 'Size', ta: 'right' },
            { label: 'Source' },
            { label: 'Created' },
            { w: 120 },
          ]}
          loading={versions.isPending}
          skeletonRows={3}
          testId="version-table"
        >
          {list.map((v) => (
            <Table.Tr key={v.id} data-testid="version-row" data-version={v.number}>
              <Table.Td>
                <Group gap={6}>
                  <Text fw={600} size="sm">
                    v{v.number}
                  </Text>
                  {v.current && (
                    <Badge size="xs" color="teal" variant="light">
                      current
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td ta="right">{v.fileCount.toLocaleString()}</Table.Td>
              <Table.Td ta="right">{formatBytes(v.sizeBytes)}</Table.Td>
              <Table.Td>{v.source}</Table.Td>
              <Table.Td>
                <RelativeTime iso={v.createdAt} />{' '}
                <Text span size="xs" c="dimmed">
                  by {v.createdBy}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Button
                  size="xs"
                  variant="subtle"
                  leftSection={<IconFiles size={14} />}
                  onClick={() => setShown(v)}
                  data-testid="version-files-button"
                >
                  Files
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </QueryView>
      <ArchiveUploadModal pkg={pkg} opened={uploadOpened} onClose={upload.close} />
      <VersionFilesDrawer pkg={pkg} version={shown} onClose={() => setShown(null)} />
    </>
  );
}
