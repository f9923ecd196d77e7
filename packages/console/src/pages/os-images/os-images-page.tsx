import {
  Badge,
  Button,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBrandDebian } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type OsImage, type OsImageBuildArch } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { BuildState } from '../../components/build-state';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';

const KEY = 'os-images';

/** Where the image is: its content package's state on every targeted DP, and distributing it. */
function Distribution({ image }: { image: OsImage }) {
  const queryClient = useQueryClient();
  const [dpIds, setDpIds] = useState<string[]>([]);
  const status = useQuery({
    queryKey: [KEY, image.id, 'status'],
    queryFn: () => api.call(ops.osImages.contentStatus, { params: { id: image.id } }),
    enabled: image.packageId !== null,
    // Distribution runs in the background on the DPs: follow it while any is under way.
    refetchInterval: (q) => ((q.state.data?.distributing ?? 0) > 0 ? 2000 : false),
  });
  const dps = useQuery({
    queryKey: ['distribution-points'],
    queryFn: () => api.call(ops.distributionPoints.list, {}),
  });
  const distribute = useMutation({
    mutationFn: () =>
      api.call(ops.osImages.distribute, { params: { id: image.id }, body: { dpIds } }),
    meta: { errorTitle: 'Not distributed' },
    onSuccess: (s) => {
      notifySuccess(`${String(s.targeted)} distribution point(s) targeted.`, 'Distributing');
      setDpIds([]);
      void queryClient.invalidateQueries({ queryKey: [KEY, image.id, 'status'] });
    },
  });
  if (image.packageId === null)
    return <Text c="dimmed">Its content package was deleted: nothing to distribute.</Text>;
  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm">
        <MultiSelect
          label="Distribute to"
          placeholder="Distribution points"
          data={(dps.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={dpIds}
          onChange={setDpIds}
          w={360}
          searchable
          data-testid="os-image-dps"
        />
        <Button
          disabled={dpIds.length === 0}
          loading={distribute.isPending}
          onClick={() => distribute.mutate()}
          data-testid="os-image-distribute"
        >
          Distribute
        </Button>
      </Group>
      {status.error ? <ErrorState error={status.error} what="distribution status" /> : null}
      <Table data-testid="os-image-distribution">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Distribution point</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Detail</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(status.data?.distributionPoints ?? []).map((d) => (
            <Table.Tr key={d.dpId}>
              <Table.Td>{d.dpName}</Table.Td>
              <Table.Td>
                <Badge
                  color={d.state === 'installed' ? 'green' : d.state === 'failed' ? 'red' : 'blue'}
                >
                  {d.state}
                </Badge>
              </Table.Td>
              <Table.Td>
                {formatBytes(d.bytesDone)} / {formatBytes(d.bytesTotal)}
              </Table.Td>
              <Table.Td>{d.message ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {status.data?.targeted === 0 ? (
        <Text c="dimmed">Not distributed to any distribution point yet.</Text>
      ) : null}
    </Stack>
  );
}

/** One version: its OS facts and file systems as its manifest says, and where it is. */
function Detail({ image, onDeleted }: { image: OsImage; onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.call(ops.osImages.delete, { params: { id: image.id } }),
    meta: { errorTitle: 'Not deleted' },
    onSuccess: () => {
      notifySuccess(`${image.name} version ${String(image.version)} was deleted.`, 'Deleted');
      onDeleted();
      void queryClient.invalidateQueries({ queryKey: [KEY] });
    },
  });
  return (
    <Paper withBorder p="md" data-testid="os-image-detail">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>
            {image.name} version {image.version}
          </Title>
          <Button
            color="red"
            variant="light"
            loading={remove.isPending}
            onClick={() => remove.mutate()}
          >
            Delete
          </Button>
        </Group>
        <Text size="sm">
          {image.os.prettyName} ({image.os.id} {image.os.versionId}, {image.os.arch}),{' '}
          {image.source}, made {image.madeAt}; recorded by {image.createdBy}
        </Text>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Mount point</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Used</Table.Th>
              <Table.Th>Archive</Table.Th>
              <Table.Th>SHA-256</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {image.fileSystems.map((f) => (
              <Table.Tr key={f.mountpoint}>
                <Table.Td>{f.mountpoint}</Table.Td>
                <Table.Td>{f.type}</Table.Td>
                <Table.Td>{formatBytes(f.usedBytes)}</Table.Td>
                <Table.Td>
                  {f.archive} ({formatBytes(f.archiveBytes)})
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {f.sha256}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Title order={5}>Distribution</Title>
        <Distribution image={image} />
      </Stack>
    </Paper>
  );
}

const RELEASE = /^[a-z][a-z0-9-]*$/;

/**
 * Build a default image by debootstrap of a Debian release (ADR 0093): the release, a name
 * (default "Debian <release>"), the architecture and, optionally, a mirror (default the boot
 * image mirror, else the server's apt sources). Builds and their progress are listed below it.
 */
function BuildImage() {
  const queryClient = useQueryClient();
  const [release, setRelease] = useState('bookworm');
  const [name, setName] = useState('');
  const [arch, setArch] = useState<OsImageBuildArch>('amd64');
  const [mirror, setMirror] = useState('');
  const builds = useQuery({
    queryKey: [KEY, 'builds'],
    queryFn: () => api.call(ops.osImages.listBuilds, {}),
    // Progress is on the build: poll while one runs, and show the image it recorded.
    refetchInterval: (q) => (q.state.data?.some((b) => b.status === 'building') ? 2000 : false),
  });
  const running = builds.data?.some((b) => b.status === 'building') ?? false;
  useEffect(() => {
    if (!running) void queryClient.invalidateQueries({ queryKey: [KEY], exact: true });
  }, [running, queryClient]);
  const build = useMutation({
    mutationFn: () =>
      api.call(ops.osImages.build, {
        body: {
          release,
          arch,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(mirror.trim() ? { mirror: mirror.trim() } : {}),
        },
      }),
    meta: { errorTitle: 'Build refused' },
    onSuccess: (b) => {
      notifySuccess(`${b.name} (${b.release}) is building.`, 'Build started');
      void queryClient.invalidateQueries({ queryKey: [KEY, 'builds'] });
    },
  });
  return (
    <Paper withBorder p="md">
      <Stack>
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Debian release"
            value={release}
            onChange={(e) => setRelease(e.currentTarget.value)}
            error={RELEASE.test(release) ? undefined : 'a release name: bookworm, trixie, ...'}
            w={160}
            data-testid="os-image-build-release"
          />
          <TextInput
            label="Name"
            placeholder={`Debian ${release}`}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={200}
          />
          <Select
            label="Architecture"
            data={['amd64', 'arm64']}
            value={arch}
            onChange={(v) => setArch(v === 'arm64' ? 'arm64' : 'amd64')}
            w={140}
            allowDeselect={false}
          />
          <TextInput
            label="Mirror"
            description="Default: the boot image mirror, else the server's apt sources"
            placeholder="http://mirror.example.org/debian"
            value={mirror}
            onChange={(e) => setMirror(e.currentTarget.value)}
            w={340}
          />
          <Button
            mt={24}
            disabled={!RELEASE.test(release)}
            loading={build.isPending}
            onClick={() => build.mutate()}
            data-testid="os-image-build"
          >
            Build default image
          </Button>
        </Group>
        {builds.error ? <ErrorState error={builds.error} what="OS image builds" /> : null}
        {(builds.data ?? []).length > 0 ? (
          <Table data-testid="os-image-builds">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Release</Table.Th>
                <Table.Th>Arch</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(builds.data ?? []).map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{b.name}</Table.Td>
                  <Table.Td>{b.release}</Table.Td>
                  <Table.Td>{b.arch}</Table.Td>
                  <Table.Td>
                    <BuildState build={b} />
                  </Table.Td>
                  <Table.Td>{b.osImageVersion ?? '-'}</Table.Td>
                  <Table.Td>
                    <RelativeTime iso={b.createdAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** Software library > Operating system images (issue 11, ADR 0085). */
export function OsImagesPage() {
  const [selected, setSelected] = useState<string | null>(null);
  const images = useQuery({
    queryKey: [KEY],
    queryFn: () => api.call(ops.osImages.list, {}),
  });
  const chosen = images.data?.find((i) => i.id === selected);
  return (
    <Stack>
      <PageHeader
        title="Operating system images"
        icon={<IconBrandDebian />}
        description="Captured or built OS images that task sequences apply; import one with `steward os-image import FOLDER`, or build a default one here"
        testId="os-images-page"
        actions={<ExportButton op={ops.exports.osImages} testId="os-images-export" />}
      />
      <BuildImage />
      {images.error ? <ErrorState error={images.error} what="OS images" /> : null}
      {images.data?.length === 0 ? (
        <EmptyState
          icon={<IconBrandDebian />}
          title="No OS images"
          description="Build a default image above, import an image folder with `steward os-image import`, or capture one with a task sequence."
        />
      ) : (
        <Table highlightOnHover data-testid="os-images">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>OS</Table.Th>
              <Table.Th>Arch</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Recorded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(images.data ?? []).map((i) => (
              <Table.Tr
                key={i.id}
                onClick={() => setSelected(i.id)}
                style={{ cursor: 'pointer' }}
                bg={i.id === selected ? 'var(--mantine-color-blue-light)' : undefined}
              >
                <Table.Td>{i.name}</Table.Td>
                <Table.Td>{i.version}</Table.Td>
                <Table.Td>{i.os.prettyName}</Table.Td>
                <Table.Td>{i.os.arch}</Table.Td>
                <Table.Td>{i.source}</Table.Td>
                <Table.Td>{formatBytes(i.archiveBytes)}</Table.Td>
                <Table.Td>
                  <RelativeTime iso={i.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {chosen ? <Detail image={chosen} onDeleted={() => setSelected(null)} /> : null}
    </Stack>
  );
}
