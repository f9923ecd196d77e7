import {
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconCpu, IconSearch, IconUpload } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type DriverSummary, type ListDriversQuery } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';

export const DRIVERS_KEY = 'drivers';

function ImportDriver() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const imp = useMutation({
    mutationFn: (f: File) =>
      api.call(ops.drivers.import, {
        query: {},
        raw: { body: f, mediaType: 'application/vnd.debian.binary-package' },
      }),
    meta: { errorTitle: 'Driver package refused' },
    onSuccess: (d) => {
      notifySuccess(
        `${d.package} ${d.version}: ${d.modules.length} modules, ${d.firmwareFiles.length} firmware files.`,
        'Driver imported',
      );
      setFile(null);
      void queryClient.invalidateQueries({ queryKey: [DRIVERS_KEY] });
    },
  });
  return (
    <Group align="flex-end" gap="sm">
      <FileInput
        label="Import a driver package"
        description="A .deb holding kernel modules (*.ko) and/or firmware (lib/firmware)"
        placeholder="Choose a .deb"
        accept=".deb,application/vnd.debian.binary-package"
        leftSection={<IconUpload size={16} />}
        value={file}
        onChange={setFile}
        w={360}
        data-testid="driver-file"
      />
      <Button
        disabled={file === null}
        loading={imp.isPending}
        onClick={() => file && imp.mutate(file)}
        data-testid="driver-import"
      >
        Import
      </Button>
    </Group>
  );
}

function DriverDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const driver = useQuery({
    queryKey: [DRIVERS_KEY, 'one', id],
    queryFn: () => api.call(ops.drivers.get, { params: { id } }),
  });
  const update = useMutation({
    mutationFn: (body: { enabled?: boolean; categories?: string[] }) =>
      api.call(ops.drivers.update, { params: { id }, body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [DRIVERS_KEY] }),
  });
  const remove = useMutation({
    mutationFn: () => api.call(ops.drivers.delete, { params: { id } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: [DRIVERS_KEY] });
      onClose();
    },
  });
  const d = driver.data;
  return (
    <Modal opened onClose={onClose} size="xl" title={d ? `${d.package} ${d.version}` : 'Driver'}>
      {driver.isError ? (
        <ErrorState error={driver.error} what="the driver" />
      ) : !d ? null : (
        <Stack gap="sm">
          <Text size="sm">{d.description || 'No description.'}</Text>
          <Text size="sm" c="dimmed">
            {d.architecture} · {formatBytes(d.size)} · imported by {d.importedBy}{' '}
            <RelativeTime iso={d.importedAt} size="sm" />
          </Text>
          <Text size="sm" data-testid="driver-content-package">
            {d.packageId === null ? (
              'No content package (imported before drivers were served to distribution points: import it again to apply it after a network boot).'
            ) : (
              <>
                Boot environments download it from distribution points:{' '}
                <Anchor
                  component={Link}
                  to={`/software/packages/${encodeURIComponent(d.packageId)}?tab=content`}
                  size="sm"
                >
                  distribute its content package
                </Anchor>
                .
              </>
            )}
          </Text>
          <Switch
            label={
              d.enabled ? 'Enabled: matched and applied' : 'Disabled: never matched or applied'
            }
            checked={d.enabled}
            onChange={(e) => update.mutate({ enabled: e.currentTarget.checked })}
            data-testid="driver-enabled"
          />
          <TagsInput
            label="Categories"
            description="Press Enter after each"
            value={d.categories}
            onChange={(categories) => update.mutate({ categories })}
            data-testid="driver-categories"
          />
          <DataTable
            testId="driver-modules"
            loading={false}
            columns={[
              { label: 'Module' },
              { label: 'Kernel' },
              { label: 'Aliases' },
              { label: 'Firmware' },
            ]}
          >
            {d.modules.map((m) => (
              <Table.Tr key={m.path}>
                <Table.Td>
                  <Text fw={500}>{m.name}</Text>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {m.path}
                  </Text>
                </Table.Td>
                <Table.Td>{m.kernelRelease ?? '-'}</Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" lineClamp={4}>
                    {m.aliases.join('\n') || '-'}
                  </Text>
                </Table.Td>
                <Table.Td>{m.firmware.join(', ') || '-'}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          {d.firmwareFiles.length > 0 && (
            <Text size="sm">
              Firmware files:{' '}
              <Text span ff="monospace" size="xs">
                {d.firmwareFiles.join(', ')}
              </Text>
            </Text>
          )}
          <Group justify="flex-end">
            <Button
              color="red"
              variant="light"
              loading={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Delete driver
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function DriverRow({ d, onOpen }: { d: DriverSummary; onOpen: () => void }) {
  return (
    <Table.Tr
      onClick={onOpen}
      style={{ cursor: 'pointer' }}
      data-testid={`driver-row-${d.package}`}
    >
      <Table.Td>
        <Text fw={500}>{d.package}</Text>
        <Text size="xs" c="dimmed" lineClamp={1}>
          {d.description}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text ff="monospace" size="sm">
          {d.version}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={d.enabled ? 'green' : 'gray'} variant="light">
          {d.enabled ? 'Enabled' : 'Disabled'}
        </Badge>
      </Table.Td>
      <Table.Td>
        {d.moduleCount} modules · {d.aliasCount} aliases · {d.firmwareCount} firmware
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {d.categories.map((c) => (
            <Badge key={c} variant="outline" size="sm">
              {c}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <RelativeTime iso={d.importedAt} size="sm" />
      </Table.Td>
    </Table.Tr>
  );
}

/** Software library > Drivers: the driver catalog of OS deployment (issue 11, ADR 0055). */
export function DriversPage() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [enabled, setEnabled] = useState<'all' | 'enabled' | 'disabled'>('all');
  const [page, setPage] = useState({ offset: 0, limit: 50 });
  const [open, setOpen] = useState<string | null>(null);
  const query: ListDriversQuery = {
    ...(debounced ? { search: debounced } : {}),
    ...(enabled !== 'all' ? { enabled: enabled === 'enabled' } : {}),
    ...page,
  };
  const drivers = useQuery({
    queryKey: [DRIVERS_KEY, query],
    queryFn: () => api.call(ops.drivers.list, { query }),
    placeholderData: keepPreviousData,
  });
  const total = drivers.data?.total ?? 0;
  return (
    <>
      <PageHeader
        title="Drivers"
        actions={
          <ExportButton
            op={ops.exports.drivers}
            filters={{ search: query.search, enabled: query.enabled }}
            testId="drivers-export"
          />
        }
        description="Kernel module and firmware packages for OS deployment. Each module's aliases are read at import; a device's PCI and USB hardware is matched against the enabled drivers, as udev does."
      />
      <Paper p="md" mb="md">
        <ImportDriver />
      </Paper>
      <Paper p="md">
        <Group gap="sm" mb="sm">
          <TextInput
            placeholder="Package, description or module…"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage((p) => ({ ...p, offset: 0 }));
            }}
            w={280}
            data-testid="driver-search"
          />
          <SegmentedControl
            size="sm"
            value={enabled}
            onChange={(v) => setEnabled(v === 'enabled' || v === 'disabled' ? v : 'all')}
            data={[
              { value: 'all', label: 'All' },
              { value: 'enabled', label: 'Enabled' },
              { value: 'disabled', label: 'Disabled' },
            ]}
          />
        </Group>
        {drivers.isError && !drivers.data ? (
          <ErrorState error={drivers.error} what="the drivers" />
        ) : !drivers.isPending && total === 0 ? (
          <EmptyState
            icon={<IconCpu size={26} />}
            title="No drivers"
            description="Import a driver package (.deb of kernel modules or firmware) above."
            compact
          />
        ) : (
          <>
            <DataTable
              testId="drivers-table"
              loading={drivers.isPending}
              minWidth={900}
              columns={[
                { label: 'Package' },
                { label: 'Version' },
                { label: 'State' },
                { label: 'Contents' },
                { label: 'Categories' },
                { label: 'Imported' },
              ]}
            >
              {drivers.data?.items.map((d) => (
                <DriverRow key={d.id} d={d} onOpen={() => setOpen(d.id)} />
              ))}
            </DataTable>
            <Pager
              offset={page.offset}
              limit={page.limit}
              total={total}
              onChange={(offset, limit) => setPage({ offset, limit })}
              testId="drivers-pager"
            />
          </>
        )}
      </Paper>
      {open !== null && <DriverDetail id={open} onClose={() => setOpen(null)} />}
    </>
  );
}
