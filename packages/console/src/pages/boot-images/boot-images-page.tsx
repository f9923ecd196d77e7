import { Anchor, Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDisc } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type BootImageArch } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { BuildState } from '../../components/build-state';
import { notifySuccess } from '../../api/errors';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';

const KEY = 'boot-images';

/** Where boot images come from: the Debian mirror and suite (a site setting). */
function MirrorSettings() {
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: [KEY, 'settings'],
    queryFn: () => api.call(ops.bootImages.settings, {}),
  });
  const [mirror, setMirror] = useState('');
  useEffect(() => {
    if (settings.data) setMirror(settings.data.mirror);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => api.call(ops.bootImages.updateSettings, { body: { mirror } }),
    meta: { errorTitle: 'Mirror not saved' },
    onSuccess: () => {
      notifySuccess('Boot images are built from this mirror.', 'Saved');
      void queryClient.invalidateQueries({ queryKey: [KEY, 'settings'] });
    },
  });
  return (
    <Group align="flex-end" gap="sm">
      <TextInput
        label="Debian mirror"
        description={`Suite ${settings.data?.suite ?? 'bookworm'}; http(s):// or file://`}
        placeholder="http://mirror.example.org/debian"
        value={mirror}
        onChange={(e) => setMirror(e.currentTarget.value)}
        w={420}
        data-testid="boot-image-mirror"
      />
      <Button
        variant="default"
        loading={save.isPending}
        onClick={() => save.mutate()}
        data-testid="boot-image-mirror-save"
      >
        Save
      </Button>
    </Group>
  );
}

function BuildImage() {
  const queryClient = useQueryClient();
  const [arch, setArch] = useState<BootImageArch>('amd64');
  const [name, setName] = useState('');
  const build = useMutation({
    mutationFn: () => api.call(ops.bootImages.build, { body: { arch, ...(name ? { name } : {}) } }),
    meta: { errorTitle: 'Build refused' },
    onSuccess: (b) => {
      notifySuccess(`${b.name} version ${String(b.version)} is building.`, 'Build started');
      void queryClient.invalidateQueries({ queryKey: [KEY] });
    },
  });
  return (
    <Group align="flex-end" gap="sm">
      <TextInput
        label="Name"
        placeholder={`default-${arch}`}
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
      <Button
        loading={build.isPending}
        onClick={() => build.mutate()}
        data-testid="boot-image-build"
      >
        Build
      </Button>
    </Group>
  );
}

/** Software library > Boot images (issue 11, ADR 0065): build, versions, progress. */
export function BootImagesPage() {
  const images = useQuery({
    queryKey: [KEY],
    queryFn: () => api.call(ops.bootImages.list, {}),
    // A build's progress is on the image: poll while one runs.
    refetchInterval: (q) => (q.state.data?.some((b) => b.status === 'building') ? 2000 : false),
  });
  return (
    <Stack>
      <PageHeader
        title="Boot images"
        icon={<IconDisc />}
        description="The Linux boot environment of OS deployment, built from Debian packages"
        testId="boot-images-page"
        actions={<ExportButton op={ops.exports.bootImages} testId="boot-images-export" />}
      />
      <Paper withBorder p="md">
        <Stack>
          <MirrorSettings />
          <BuildImage />
        </Stack>
      </Paper>
      {images.error ? <ErrorState error={images.error} what="boot images" /> : null}
      {images.data?.length === 0 ? (
        <EmptyState
          icon={<IconDisc />}
          title="No boot images"
          description="Set the mirror and build one."
        />
      ) : (
        <Table data-testid="boot-images">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Arch</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(images.data ?? []).map((b) => (
              <Table.Tr key={b.id}>
                <Table.Td>{b.name}</Table.Td>
                <Table.Td>{b.version}</Table.Td>
                <Table.Td>{b.arch}</Table.Td>
                <Table.Td>
                  <BuildState build={b} />
                </Table.Td>
                <Table.Td>
                  {b.files.length ? formatBytes(b.files.reduce((n, f) => n + f.size, 0)) : '-'}
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={b.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="sm" c="dimmed">
        Machines that booted an image are under{' '}
        <Anchor component={Link} to="/software/unknown-computers">
          Unknown computers
        </Anchor>{' '}
        and{' '}
        <Anchor component={Link} to="/software/imported-computers">
          Imported computers
        </Anchor>
        .
      </Text>
    </Stack>
  );
}
