import { Anchor, Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDeviceFloppy, IconDownload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { BuildState } from '../../components/build-state';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';

const KEY = 'media';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The form that starts a build: a name, a built boot image, optionally another site URL. */
function CreateMedia() {
  const queryClient = useQueryClient();
  const images = useQuery({
    queryKey: ['boot-images'],
    queryFn: () => api.call(ops.bootImages.list, {}),
  });
  const [name, setName] = useState('');
  const [bootImage, setBootImage] = useState<string | null>(null);
  const [siteUrl, setSiteUrl] = useState('');
  const [touched, setTouched] = useState(false);
  const ready = (images.data ?? []).filter((b) => b.status === 'ready');
  const nameError =
    name === ''
      ? 'A name is required'
      : NAME.test(name)
        ? undefined
        : 'Letters, digits, . _ - only';
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.media.create, {
        body: {
          name,
          kind: 'bootable',
          bootImage: bootImage ?? '',
          ...(siteUrl.trim() ? { siteUrl: siteUrl.trim() } : {}),
        },
      }),
    meta: { errorTitle: 'Media not built' },
    onSuccess: (m) => {
      notifySuccess(`${m.name} is building.`, 'Build started');
      setName('');
      setTouched(false);
      void queryClient.invalidateQueries({ queryKey: [KEY] });
    },
  });
  return (
    <Group align="flex-start" gap="sm">
      <TextInput
        label="Name"
        placeholder="lab-usb"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        onBlur={() => setTouched(true)}
        error={touched ? nameError : undefined}
        w={200}
        data-testid="media-name"
      />
      <Select
        label="Boot image"
        placeholder={ready.length ? 'Choose a built boot image' : 'No built boot image yet'}
        data={ready.map((b) => ({
          value: b.id,
          label: `${b.name} version ${String(b.version)} (${b.arch})`,
        }))}
        value={bootImage}
        onChange={setBootImage}
        error={touched && !bootImage ? 'Choose the boot image the media start' : undefined}
        w={300}
        data-testid="media-boot-image"
      />
      <TextInput
        label="Site URL"
        description="Default: the URL the boot image was built for"
        placeholder="https://site.example.org:8443"
        value={siteUrl}
        onChange={(e) => setSiteUrl(e.currentTarget.value)}
        w={300}
      />
      <Button
        mt={24}
        loading={create.isPending}
        onClick={() => {
          setTouched(true);
          if (!nameError && bootImage) create.mutate();
        }}
        data-testid="media-create"
      >
        Build media
      </Button>
    </Group>
  );
}

/**
 * Software library > Task-sequence media (issue 11, ADR 0089): bootable ISO images (CD, or USB
 * written with dd) that start a boot image; build, progress, download, delete.
 */
export function MediaPage() {
  const queryClient = useQueryClient();
  const media = useQuery({
    queryKey: [KEY],
    queryFn: () => api.call(ops.media.list, {}),
    // A build's progress is on the media: poll while one runs.
    refetchInterval: (q) => (q.state.data?.some((m) => m.status === 'building') ? 2000 : false),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.media.delete, { params: { id } }),
    meta: { errorTitle: 'Media not deleted' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [KEY] }),
  });
  return (
    <Stack>
      <PageHeader
        title="Task-sequence media"
        icon={<IconDeviceFloppy />}
        description="Bootable ISO images for machines without PXE: burn to a CD, or write to a USB stick with dd"
        testId="media-page"
        actions={<ExportButton op={ops.exports.media} testId="media-export" />}
      />
      <Paper withBorder p="md">
        <CreateMedia />
      </Paper>
      {media.error ? <ErrorState error={media.error} what="media" /> : null}
      {media.data?.length === 0 ? (
        <EmptyState
          icon={<IconDeviceFloppy />}
          title="No media"
          description="Build bootable media from a built boot image."
        />
      ) : (
        <Table data-testid="media">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Boot image</Table.Th>
              <Table.Th>Site URL</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(media.data ?? []).map((m) => (
              <Table.Tr key={m.id} data-testid={`media-row-${m.name}`}>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.kind}</Table.Td>
                <Table.Td>
                  {m.bootImageName} version {m.bootImageVersion}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {m.siteUrl}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <BuildState build={m} />
                </Table.Td>
                <Table.Td>{m.size === null ? '-' : formatBytes(m.size)}</Table.Td>
                <Table.Td>
                  <RelativeTime iso={m.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {m.status === 'ready' ? (
                      <Anchor
                        href={api.fileUrl(ops.media.file, { params: { id: m.id } })}
                        download={`${m.name}.iso`}
                        size="sm"
                        data-testid={`media-download-${m.name}`}
                      >
                        <Group gap={4} wrap="nowrap">
                          <IconDownload size={15} /> ISO
                        </Group>
                      </Anchor>
                    ) : null}
                    {m.status !== 'building' ? (
                      <DeleteIconButton
                        name={m.name}
                        message="The ISO image goes with the next content clean-up."
                        loading={remove.isPending}
                        onConfirm={() => remove.mutateAsync(m.id)}
                        testId={`media-delete-${m.name}`}
                      />
                    ) : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
