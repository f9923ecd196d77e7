import { Anchor, Badge, Group, Paper, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPackage, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { NewButton } from '../../components/new-button';
import { PageHeader } from '../../components/page-header';
import { QueryView } from '../../components/query-view';
import { RatioBar } from '../../components/ratio-bar';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { LibraryStats } from './library-stats';
import { PackageModal } from './package-create-modal';
import { usePackages } from './queries';
import { clickedWithin } from '../../lib/click-target';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';

/** Software Library › Packages. */
export function PackageListPage() {
  const packages = usePackages();
  const navigate = useNavigate();
  const { can } = useSession();
  const [opened, { open, close }] = useDisclosure(false);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const rows = (packages.data ?? [])
    .filter(
      (p) =>
        !needle ||
        p.name.toLowerCase().includes(needle) ||
        p.publisher.toLowerCase().includes(needle),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const writable = can('software:write');
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    writable && (
      <NewButton onClick={open} testId={testId}>
        New package
      </NewButton>
    );

  return (
    <>
      <PageHeader
        title="Packages"
        description="Software source stored once in the content library, the programs that install it, and where it is distributed."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.packages} testId="package-export" />
            {newButton('new-package')}
          </Group>
        }
      />
      <LibraryStats />
      <Paper p="md">
        <TextInput
          placeholder="Search packages"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={300}
          mb="sm"
          data-testid="package-search"
        />
        <QueryView
          query={packages}
          what="the packages"
          isEmpty={rows.length === 0}
          empty={
            <EmptyState
              icon={<IconPackage size={24} />}
              title={needle ? 'No package matches' : 'No packages yet'}
              description="Create a package, upload its source as an archive, add a program with the command that installs it, then distribute it to distribution points."
              action={newButton()}
            />
          }
        >
          <DataTable
            columns={[
              { label: 'Name' },
              { label: 'Version' },
              { label: 'Content version' },
              { label: 'Size', ta: 'right' },
              { label: 'Programs', ta: 'right' },
              { label: 'Distribution points', w: 200 },
            ]}
            loading={packages.isPending}
            testId="package-table"
            minWidth={900}
          >
            {rows.map((p) => {
              const to = `/software/packages/${encodeURIComponent(p.id)}`;
              return (
                <Table.Tr
                  key={p.id}
                  className="clickable"
                  onClick={(e) => {
                    if (!clickedWithin(e, 'a')) void navigate(to);
                  }}
                  data-testid="package-row"
                  data-package-name={p.name}
                >
                  <Table.Td>
                    <Anchor component={Link} to={to} fw={600} size="sm">
                      {p.name}
                    </Anchor>
                    {p.publisher && (
                      <Text size="xs" c="dimmed">
                        {p.publisher}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{p.version || '—'}</Table.Td>
                  <Table.Td>
                    {p.currentVersion ? (
                      <Badge variant="light" data-testid="package-content-version">
                        v{p.currentVersion.number}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        no content
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{formatBytes(p.currentVersion?.sizeBytes)}</Table.Td>
                  <Table.Td ta="right">{p.programCount}</Table.Td>
                  <Table.Td>
                    <RatioBar
                      done={p.dpInstalled}
                      total={p.dpTargeted}
                      label="Distribution points holding the current version, of those targeted"
                      testId="package-dp-ratio"
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        </QueryView>
      </Paper>
      <PackageModal
        opened={opened}
        onClose={close}
        onSaved={(p) => void navigate(`/software/packages/${encodeURIComponent(p.id)}`)}
      />
    </>
  );
}
