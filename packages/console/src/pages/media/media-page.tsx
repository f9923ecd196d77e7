import {
  Anchor,
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconDeviceFloppy, IconDownload, IconLock } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  MEDIA_KINDS,
  MediaPassword,
  mediaFileName,
  ops,
  type Media,
  type MediaKind,
} from '@steward/protocol';
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

/** What each kind is, in the form's kind choice. */
const KIND_LABELS: Record<MediaKind, string> = {
  bootable: 'Bootable: content over the network',
  standalone: 'Standalone: a task sequence and all its content, no network',
  prestaged: 'Prestaged: a disk image with an OS image applied, for the factory',
  capture: 'Capture: captures the machine it boots to the site',
};

const PASSWORD_MIN = MediaPassword.minLength ?? 8;
const PASSWORD_MAX = MediaPassword.maxLength ?? 128;

/** What media of a kind carry, for the list. */
function carries(m: Media): string {
  if (m.taskSequenceName !== null)
    return `${m.taskSequenceName} version ${String(m.taskSequenceVersion)}`;
  if (m.osImageName !== null) return `${m.osImageName} version ${String(m.osImageVersion)}`;
  if (m.captureImageName !== null)
    return `captures as ${m.captureImageName}${m.captureKeyExpiresAt === null ? '' : `, key until ${m.captureKeyExpiresAt.slice(0, 10)}`}`;
  return '-';
}

/** The kind's own setting: a task sequence, an OS image or the captured image's name. */
function KindSetting(props: {
  kind: MediaKind;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
}) {
  const sequences = useQuery({
    queryKey: ['task-sequences', 'media'],
    queryFn: () => api.call(ops.taskSequences.list, { query: { limit: 200 } }),
    enabled: props.kind === 'standalone',
  });
  const images = useQuery({
    queryKey: ['os-images'],
    queryFn: () => api.call(ops.osImages.list, {}),
    enabled: props.kind === 'prestaged',
  });
  switch (props.kind) {
    case 'bootable':
      return null;
    case 'standalone':
      return (
        <Select
          label="Task sequence"
          description="Copied onto the media with every file it references"
          placeholder="Choose a task sequence"
          data={(sequences.data?.items ?? []).map((t) => ({
            value: t.id,
            label: `${t.name} version ${String(t.version)}`,
          }))}
          value={props.value || null}
          onChange={(v) => props.onChange(v ?? '')}
          error={props.error}
          searchable
          w={300}
          data-testid="media-task-sequence"
        />
      );
    case 'prestaged':
      return (
        <Select
          label="OS image"
          description="Applied on the disk image"
          placeholder="Choose an OS image"
          data={(images.data ?? []).map((i) => ({
            value: i.id,
            label: `${i.name} version ${String(i.version)}`,
          }))}
          value={props.value || null}
          onChange={(v) => props.onChange(v ?? '')}
          error={props.error}
          searchable
          w={300}
          data-testid="media-os-image"
        />
      );
    case 'capture':
      return (
        <TextInput
          label="Captured image name"
          description="Default: Captured"
          placeholder="Reference laptop"
          value={props.value}
          onChange={(e) => props.onChange(e.currentTarget.value)}
          w={240}
          data-testid="media-capture-name"
        />
      );
  }
}

/**
 * The form that starts a build: a name, the kind and its setting, a built boot image, an
 * optional password and another site URL.
 */
function CreateMedia() {
  const queryClient = useQueryClient();
  const images = useQuery({
    queryKey: ['boot-images'],
    queryFn: () => api.call(ops.bootImages.list, {}),
  });
  const [name, setName] = useState('');
  const [kind, setKind] = useState<MediaKind>('bootable');
  const [setting, setSetting] = useState('');
  const [bootImage, setBootImage] = useState<string | null>(null);
  const [siteUrl, setSiteUrl] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const ready = (images.data ?? []).filter((b) => b.status === 'ready');
  const nameError =
    name === ''
      ? 'A name is required'
      : NAME.test(name)
        ? undefined
        : 'Letters, digits, . _ - only';
  const settingError =
    (kind === 'standalone' || kind === 'prestaged') && setting === ''
      ? kind === 'standalone'
        ? 'Choose the task sequence the media carry'
        : 'Choose the OS image to apply'
      : undefined;
  const passwordError =
    password !== '' && (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
      ? `${String(PASSWORD_MIN)} to ${String(PASSWORD_MAX)} characters`
      : undefined;
  const kindBody = (): Record<string, string> => {
    const v = setting.trim();
    if (v === '') return {};
    switch (kind) {
      case 'bootable':
        return {};
      case 'standalone':
        return { taskSequence: v };
      case 'prestaged':
        return { osImage: v };
      case 'capture':
        return { captureImageName: v };
    }
  };
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.media.create, {
        body: {
          name,
          kind,
          bootImage: bootImage ?? '',
          ...kindBody(),
          ...(password !== '' ? { password } : {}),
          ...(siteUrl.trim() ? { siteUrl: siteUrl.trim() } : {}),
        },
      }),
    meta: { errorTitle: 'Media not built' },
    onSuccess: (m) => {
      notifySuccess(`${m.name} is building.`, 'Build started');
      setName('');
      setPassword('');
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
        label="Kind"
        data={MEDIA_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
        value={kind}
        onChange={(v) => {
          const chosen = MEDIA_KINDS.find((k) => k === v);
          if (chosen) {
            setKind(chosen);
            setSetting('');
          }
        }}
        allowDeselect={false}
        w={340}
        data-testid="media-kind"
      />
      <KindSetting
        kind={kind}
        value={setting}
        onChange={setSetting}
        error={touched ? settingError : undefined}
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
      <PasswordInput
        label="Password"
        description="Optional: asked before anything runs from the media"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={passwordError}
        w={240}
        data-testid="media-password"
      />
      <Button
        mt={24}
        loading={create.isPending}
        onClick={() => {
          setTouched(true);
          if (!nameError && !settingError && !passwordError && bootImage) create.mutate();
        }}
        data-testid="media-create"
      >
        Build media
      </Button>
    </Group>
  );
}

/**
 * Software library > Task-sequence media (issue 11, ADR 0089, ADR 0097): bootable, standalone
 * and capture ISO images (CD, or USB written with dd) and prestaged disk images, each starting
 * a boot image; build with progress, download, delete.
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
        description="Bootable, standalone and capture ISO images (CD, or USB written with dd) and prestaged disk images for the factory"
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
          description="Build media from a built boot image."
        />
      ) : (
        <Table data-testid="media">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Carries</Table.Th>
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
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {m.kind}
                    {m.passwordProtected ? (
                      <IconLock size={14} aria-label="password protected" />
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{carries(m)}</Table.Td>
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
                <Table.Td>
                  {m.size === null ? '-' : formatBytes(m.size)}
                  {m.contentBytes === null ? null : (
                    <Text size="xs" c="dimmed">
                      content {formatBytes(m.contentBytes)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={m.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {m.status === 'ready' ? (
                      <Anchor
                        href={api.fileUrl(ops.media.file, { params: { id: m.id } })}
                        download={mediaFileName(m)}
                        size="sm"
                        data-testid={`media-download-${m.name}`}
                      >
                        <Group gap={4} wrap="nowrap">
                          <IconDownload size={15} /> {m.kind === 'prestaged' ? 'Disk image' : 'ISO'}
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
