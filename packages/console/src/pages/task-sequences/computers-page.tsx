import {
  Alert,
  Button,
  Code,
  FileButton,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDeviceDesktopQuestion, IconFileUpload, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, ops } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { EmptyState } from '../../components/empty-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { QueryView } from '../../components/query-view';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { ProblemsAlert } from './problems-alert';
import { RowDeleteCell } from './row-delete-cell';
import { VariablesTable, recordOf, variableNameProblem, type VariableRow } from './variables-table';

const KEY = ['computers'];

/** The line a refused CSV names (`details.line`, 1-based, the header is line 1). */
function lineOf(error: unknown): number | undefined {
  if (!(error instanceof ApiError) || typeof error.details !== 'object' || error.details === null)
    return undefined;
  const line: unknown = Reflect.get(error.details, 'line');
  return typeof line === 'number' ? line : undefined;
}

/** Imports one computer by MAC and/or SMBIOS UUID, with a name and variables. */
function ImportForm() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [mac, setMac] = useState('');
  const [uuid, setUuid] = useState('');
  const [vars, setVars] = useState<VariableRow[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.importedComputers.create, {
        body: {
          name: name.trim(),
          ...(mac.trim() ? { mac: mac.trim() } : {}),
          ...(uuid.trim() ? { smbiosUuid: uuid.trim() } : {}),
          ...(vars.length > 0 ? { variables: recordOf(vars) } : {}),
        },
      }),
    meta: { silent: true },
    onSuccess: (c) => {
      notifySuccess(`${c.name} imported; it is known when it boots.`, 'Imported');
      setName('');
      setMac('');
      setUuid('');
      setVars([]);
      void queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  return (
    <Stack gap="sm">
      <Title order={5}>Import a computer</Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <TextInput
          label="Name"
          required
          maxLength={63}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="import-name"
        />
        <TextInput
          label="MAC address"
          placeholder="52:54:00:12:34:56"
          value={mac}
          onChange={(e) => setMac(e.currentTarget.value)}
          data-testid="import-mac"
        />
        <TextInput
          label="SMBIOS UUID"
          placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
          value={uuid}
          onChange={(e) => setUuid(e.currentTarget.value)}
          data-testid="import-uuid"
        />
      </SimpleGrid>
      <VariablesTable rows={vars} onChange={setVars} testId="import-vars" />
      {create.error ? (
        <ProblemsAlert error={create.error} title="Not imported" testId="import-error" />
      ) : null}
      <Group>
        <Button
          leftSection={<IconPlus size={16} />}
          loading={create.isPending}
          disabled={!name.trim() || vars.some((_, i) => variableNameProblem(vars, i) !== undefined)}
          onClick={() => create.mutate()}
          data-testid="import-create"
        >
          Import
        </Button>
      </Group>
    </Stack>
  );
}

/** Imports computers from CSV (all or none); a refused file shows the line it stopped at. */
function CsvImport() {
  const queryClient = useQueryClient();
  const [csv, setCsv] = useState('');
  const upload = useMutation({
    mutationFn: (text: string) =>
      api.call(ops.importedComputers.importCsv, { body: { csv: text } }),
    meta: { silent: true },
    onSuccess: (r) => {
      notifySuccess(`${String(r.imported.length)} computers imported.`, 'Imported');
      setCsv('');
      void queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  const line = lineOf(upload.error);
  const lineText = line === undefined ? undefined : csv.split(/\r?\n/)[line - 1];
  return (
    <Stack gap="sm">
      <Title order={5}>Import from CSV</Title>
      <Text size="sm" c="dimmed">
        A header line naming <Code>name</Code> and <Code>mac</Code> and/or <Code>smbiosUuid</Code>;
        other columns are variables. Every line is imported, or none.
      </Text>
      <Textarea
        autosize
        minRows={4}
        maxRows={14}
        ff="monospace"
        placeholder={'name,mac,smbiosUuid,OSDRole\nlab-01,52:54:00:00:00:01,,web'}
        value={csv}
        onChange={(e) => setCsv(e.currentTarget.value)}
        data-testid="import-csv"
      />
      {upload.error ? (
        <Stack gap={4}>
          <ProblemsAlert error={upload.error} title="Nothing imported" testId="import-csv-error" />
          {line !== undefined && (
            <Alert color="red" variant="outline" data-testid="import-csv-line">
              <Text size="sm">
                Line {line}: <Code>{lineText ?? ''}</Code>
              </Text>
            </Alert>
          )}
        </Stack>
      ) : null}
      <Group>
        <FileButton
          accept=".csv,text/csv,text/plain"
          onChange={(file) => {
            if (file) void file.text().then(setCsv);
          }}
        >
          {(p) => (
            <Button
              {...p}
              variant="default"
              leftSection={<IconFileUpload size={16} />}
              data-testid="import-csv-file"
            >
              Open a CSV file
            </Button>
          )}
        </FileButton>
        <Button
          disabled={!csv.trim()}
          loading={upload.isPending}
          onClick={() => upload.mutate(csv)}
          data-testid="import-csv-upload"
        >
          Import CSV
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * The imported computers with their variables and a delete per row: the Imported computers page
 * and the device list's Imported tab show this one table.
 */
export function ImportedComputersTable() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: [...KEY, 'imported'],
    queryFn: () => api.call(ops.importedComputers.list, {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.importedComputers.delete, { params: { id } }),
    meta: { errorTitle: 'Not removed' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const items = list.data ?? [];
  return (
    <QueryView
      query={list}
      what="the imported computers"
      isEmpty={items.length === 0}
      empty={
        <EmptyState
          icon={<IconDeviceDesktopQuestion />}
          title="No imported computers"
          description="Import them by MAC or SMBIOS UUID on Software library › Imported computers, or with `steward imported-computer add` or `import FILE.csv`."
          compact
        />
      }
    >
      <Table className="steward-table" data-testid="imported-computers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>MAC</Table.Th>
            <Table.Th>SMBIOS UUID</Table.Th>
            <Table.Th>Variables</Table.Th>
            <Table.Th>Last boot</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((c) => (
            <Table.Tr key={c.id} data-testid={`imported-${c.name}`}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td>{c.mac ?? '-'}</Table.Td>
              <Table.Td>{c.smbiosUuid ?? '-'}</Table.Td>
              <Table.Td>
                {Object.entries(c.variables)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ') || '-'}
              </Table.Td>
              <Table.Td>
                {c.lastBootAt ? <RelativeTime iso={c.lastBootAt} /> : 'never (not yet booted)'}
              </Table.Td>
              <RowDeleteCell
                allowed={can('devices:write')}
                name={c.name}
                message="A machine with its MAC or UUID is an unknown computer at its next boot."
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync(c.id)}
                testId={`imported-delete-${c.name}`}
              />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </QueryView>
  );
}

/** Software library › Operating systems › Imported computers. */
export function ImportedComputersPage() {
  const { can } = useSession();
  return (
    <>
      <PageHeader
        title="Imported computers"
        icon={<IconDeviceDesktopQuestion />}
        description="Computers named by MAC or SMBIOS UUID before they first boot, with their variables"
        testId="imported-computers-page"
        actions={
          <ExportButton op={ops.exports.importedComputers} testId="imported-computers-export" />
        }
      />
      <Stack>
        {can('devices:write') && (
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Paper p="md">
              <ImportForm />
            </Paper>
            <Paper p="md">
              <CsvImport />
            </Paper>
          </SimpleGrid>
        )}
        <Paper p="md">
          <ImportedComputersTable />
        </Paper>
      </Stack>
    </>
  );
}

/**
 * Machines that started a boot image and match no imported computer, with a delete per row: the
 * Unknown computers page and the device list's Unknown tab show this one table.
 */
export function UnknownComputersTable() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: [...KEY, 'unknown'],
    queryFn: () => api.call(ops.unknownComputers.list, {}),
    refetchInterval: 10_000,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.unknownComputers.delete, { params: { id } }),
    meta: { errorTitle: 'Not removed' },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const items = list.data ?? [];
  return (
    <QueryView
      query={list}
      what="the unknown computers"
      isEmpty={items.length === 0}
      empty={
        <EmptyState
          icon={<IconDeviceDesktopQuestion />}
          title="No unknown computers"
          description="A machine shows here once it boots a boot image by PXE or media."
          compact
        />
      }
    >
      <Table className="steward-table" data-testid="unknown-computers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>SMBIOS UUID</Table.Th>
            <Table.Th>MACs</Table.Th>
            <Table.Th>Arch</Table.Th>
            <Table.Th>Firmware</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Boot image</Table.Th>
            <Table.Th>First seen</Table.Th>
            <Table.Th>Last seen</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.smbiosUuid ?? '-'}</Table.Td>
              <Table.Td>{c.macs.join(' ')}</Table.Td>
              <Table.Td>{c.arch}</Table.Td>
              <Table.Td>{c.firmware}</Table.Td>
              <Table.Td>{c.address}</Table.Td>
              <Table.Td>{c.bootImageId}</Table.Td>
              <Table.Td>
                <RelativeTime iso={c.firstSeen} />
              </Table.Td>
              <Table.Td>
                <RelativeTime iso={c.lastSeen} />
              </Table.Td>
              <RowDeleteCell
                allowed={can('devices:write')}
                name={c.macs[0] ?? c.id}
                message="It registers again at its next boot."
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync(c.id)}
                testId={`unknown-delete-${c.id}`}
              />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </QueryView>
  );
}

/** Software library › Operating systems › Unknown computers. */
export function UnknownComputersPage() {
  return (
    <>
      <PageHeader
        title="Unknown computers"
        icon={<IconDeviceDesktopQuestion />}
        description="Machines that started a boot image and match no imported computer; deploy to them through the built-in unknown-computer collections"
        testId="unknown-computers-page"
        actions={
          <ExportButton op={ops.exports.unknownComputers} testId="unknown-computers-export" />
        }
      />
      <Paper p="md">
        <UnknownComputersTable />
      </Paper>
    </>
  );
}
