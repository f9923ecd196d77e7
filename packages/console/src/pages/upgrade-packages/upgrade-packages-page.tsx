import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconArrowBigUpLines, IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DEFAULT_UPGRADE_FREE_SPACE_MIB,
  MAX_UPGRADE_DOWNTIME_MINUTES,
  ops,
  type UpgradePackage,
  type UpgradePackageBody,
  type UpgradeSource,
} from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ExportButton } from '../../components/export-button';
import { FilteredList, TextFilter, useListPage } from '../../components/filtered-list';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { RowDeleteCell } from '../task-sequences/row-delete-cell';
import { taskSequencePath } from '../task-sequences/task-sequence-list-page';

export const UPGRADE_PACKAGES_KEY = 'upgrade-packages';

const releaseText = (r: { codename: string; version: string }) => `${r.codename} (${r.version})`;

/** `URL SUITE COMPONENT...` per line, as a sources.list line without `deb`. */
function parseSources(text: string): UpgradeSource[] | string {
  const out: UpgradeSource[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const [url, suite, ...components] = line.split(/\s+/);
    if (!url || !suite || components.length === 0) return `"${line}" is not URL SUITE COMPONENT...`;
    out.push({ url, suite, components });
  }
  return out.length > 0 ? out : 'give at least one source';
}

/** The new-package form: releases, sources, keyring and options (defaults from protocol). */
function CreateForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [from, setFrom] = useState({ codename: 'bookworm', version: '12' });
  const [to, setTo] = useState({ codename: 'trixie', version: '13' });
  const [sources, setSources] = useState('http://deb.debian.org/debian trixie main');
  const [keyring, setKeyring] = useState('');
  const [removals, setRemovals] = useState<string[]>([]);
  const [downloadFirst, setDownloadFirst] = useState(true);
  const [freeSpace, setFreeSpace] = useState<number>(DEFAULT_UPGRADE_FREE_SPACE_MIB);
  const [downtime, setDowntime] = useState<number>(60);
  const parsed = parseSources(sources);
  const create = useMutation({
    mutationFn: (body: UpgradePackageBody) => api.call(ops.upgradePackages.create, { body }),
    meta: { errorTitle: 'Upgrade package not created' },
    onSuccess: (p) => {
      notifySuccess(`"${p.name}" upgrades ${releaseText(p.fromRelease)} machines.`, 'Created');
      void queryClient.invalidateQueries({ queryKey: [UPGRADE_PACKAGES_KEY] });
      onDone();
    },
  });
  return (
    <Stack gap="sm" data-testid="up-form">
      <TextInput
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-testid="up-name"
      />
      <TextInput
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
      />
      <Group grow>
        <TextInput
          label="From code name"
          value={from.codename}
          onChange={(e) => setFrom({ ...from, codename: e.currentTarget.value })}
          data-testid="up-from-codename"
        />
        <TextInput
          label="From version"
          value={from.version}
          onChange={(e) => setFrom({ ...from, version: e.currentTarget.value })}
        />
        <TextInput
          label="Target code name"
          value={to.codename}
          onChange={(e) => setTo({ ...to, codename: e.currentTarget.value })}
          data-testid="up-to-codename"
        />
        <TextInput
          label="Target version"
          value={to.version}
          onChange={(e) => setTo({ ...to, version: e.currentTarget.value })}
        />
      </Group>
      <Textarea
        label="Sources of the target"
        description="One per line: URL SUITE COMPONENT..."
        autosize
        minRows={2}
        value={sources}
        onChange={(e) => setSources(e.currentTarget.value)}
        error={typeof parsed === 'string' ? parsed : undefined}
        data-testid="up-sources"
      />
      <Textarea
        label="Archive keyring"
        description="The armoured OpenPGP public key (gpg --export --armor) apt trusts for these sources"
        autosize
        minRows={3}
        maxRows={8}
        value={keyring}
        onChange={(e) => setKeyring(e.currentTarget.value)}
        data-testid="up-keyring"
      />
      <TagsInput
        label="Packages it may remove"
        description="Names or globs (libfoo*); a plan removing anything else is refused"
        value={removals}
        onChange={setRemovals}
        data-testid="up-removals"
      />
      <Group grow>
        <NumberInput
          label="Free space needed (MiB)"
          min={1}
          value={freeSpace}
          onChange={(v) => setFreeSpace(typeof v === 'number' ? v : DEFAULT_UPGRADE_FREE_SPACE_MIB)}
        />
        <NumberInput
          label="Maximum downtime (minutes)"
          min={1}
          max={MAX_UPGRADE_DOWNTIME_MINUTES}
          value={downtime}
          onChange={(v) => setDowntime(typeof v === 'number' ? v : 60)}
        />
      </Group>
      <Switch
        label="Download every package before installing"
        checked={downloadFirst}
        onChange={(e) => setDownloadFirst(e.currentTarget.checked)}
      />
      <Group justify="flex-end">
        <Button
          loading={create.isPending}
          disabled={name === '' || keyring === '' || typeof parsed === 'string'}
          data-testid="up-create"
          onClick={() => {
            if (typeof parsed === 'string') return;
            create.mutate({
              name,
              ...(description ? { description } : {}),
              fromRelease: from,
              targetRelease: to,
              sources: parsed,
              keyring,
              options: {
                allowedRemovals: removals,
                downloadOnlyFirst: downloadFirst,
                freeSpaceMiB: freeSpace,
                maxDowntimeMinutes: downtime,
              },
            });
          }}
        >
          Create
        </Button>
      </Group>
    </Stack>
  );
}

/** One package's details: sources, options and the task sequences using it. */
function Details({ id }: { id: string }) {
  const p = useQuery({
    queryKey: [UPGRADE_PACKAGES_KEY, id],
    queryFn: () => api.call(ops.upgradePackages.get, { params: { id } }),
  });
  const d: UpgradePackage | undefined = p.data;
  if (!d) return <Text c="dimmed">Loading…</Text>;
  const rows: [string, React.ReactNode][] = [
    ['Upgrade', `${releaseText(d.fromRelease)} → ${releaseText(d.targetRelease)}`],
    [
      'Sources',
      d.sources.map((s) => (
        <div key={`${s.url} ${s.suite}`}>
          <code>{`${s.url} ${s.suite} ${s.components.join(' ')}`}</code>
        </div>
      )),
    ],
    ['Keyring', `${String(d.keyringBytes)} bytes`],
    ['May remove', d.options.allowedRemovals.join(', ') || 'nothing'],
    ['Download first', d.options.downloadOnlyFirst ? 'yes' : 'no'],
    ['Free space needed', `${String(d.options.freeSpaceMiB)} MiB`],
    ['Maximum downtime', `${String(d.options.maxDowntimeMinutes)} min`],
    [
      'Used by',
      d.usedBy.length === 0
        ? 'no task sequence'
        : d.usedBy.map((u) => (
            <Anchor key={u.id} component={Link} to={taskSequencePath(u.id)} mr="sm">
              {u.name}
            </Anchor>
          )),
    ],
  ];
  return (
    <Table data-testid="up-details">
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={180}>{k}</Table.Th>
            <Table.Td>{v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Software library › Operating systems › Upgrade packages (issue 11, ADR 0102). */
export function UpgradePackagesPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const filters = search ? { search } : {};
  const [page, setPage] = useListPage(JSON.stringify(filters));
  const list = useQuery({
    queryKey: [UPGRADE_PACKAGES_KEY, filters, page],
    queryFn: () => api.call(ops.upgradePackages.list, { query: { ...filters, ...page } }),
    placeholderData: keepPreviousData,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.upgradePackages.delete, { params: { id } }),
    meta: { errorTitle: 'Upgrade package not deleted' },
    onSuccess: () => {
      notifySuccess('The upgrade package was deleted.', 'Deleted');
      void queryClient.invalidateQueries({ queryKey: [UPGRADE_PACKAGES_KEY] });
    },
  });
  return (
    <>
      <PageHeader
        title="Upgrade packages"
        icon={<IconArrowBigUpLines />}
        description="In-place release upgrades (Debian 12 to 13): run by an upgrade-os step of an upgrade task sequence"
        actions={
          can('software:write') && (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setCreating(true)}
              data-testid="up-new"
            >
              New upgrade package
            </Button>
          )
        }
        testId="upgrade-packages-page"
      />
      <Paper p="md">
        <FilteredList
          filters={
            <TextFilter
              search
              placeholder="Search by name"
              value={search}
              onChange={setSearch}
              w={300}
              testId="up-search"
            />
          }
          actions={
            <ExportButton op={ops.exports.upgradePackages} filters={filters} testId="up-export" />
          }
          query={list}
          what="the upgrade packages"
          empty={{
            icon: <IconArrowBigUpLines />,
            title: search ? 'No upgrade package matches' : 'No upgrade packages',
            description: 'An upgrade package names the target release, its sources and keyring.',
          }}
          page={page}
          onPage={setPage}
          pagerTestId="up-pager"
        >
          <DataTable
            testId="up-list"
            loading={list.isPending}
            columns={[
              { label: 'Name' },
              { label: 'From' },
              { label: 'To' },
              { label: 'Updated' },
              {},
            ]}
          >
            {list.data?.items.map((p) => (
              <Table.Tr key={p.id} data-testid={`up-row-${p.name}`}>
                <Table.Td>
                  <Anchor component="button" onClick={() => setShown(p.id)}>
                    {p.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{releaseText(p.fromRelease)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" size="sm">
                    {releaseText(p.targetRelease)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={p.updatedAt} /> by {p.updatedBy}
                </Table.Td>
                <RowDeleteCell
                  allowed={can('software:write')}
                  name={p.name}
                  message="A package an upgrade task sequence uses cannot be deleted."
                  loading={remove.isPending}
                  onConfirm={() => remove.mutateAsync(p.id)}
                  testId={`up-delete-${p.name}`}
                />
              </Table.Tr>
            ))}
          </DataTable>
        </FilteredList>
      </Paper>
      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New upgrade package"
        size="lg"
      >
        {creating && <CreateForm onDone={() => setCreating(false)} />}
      </Modal>
      <Modal
        opened={shown !== null}
        onClose={() => setShown(null)}
        title="Upgrade package"
        size="lg"
      >
        {shown !== null && <Details id={shown} />}
      </Modal>
    </>
  );
}
