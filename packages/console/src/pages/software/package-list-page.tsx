import { Anchor, Badge, Button, Paper, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPackage, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RatioBar } from '../../components/ratio-bar';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { LibraryStats } from './library-stats';
import { PackageModal } from './package-create-modal';
import { usePackages } from './queries';

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
      <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid={testId}>
        New package
      </Button>
    );

  return (
    <>
      <PageHeader
        title="Packages"
        description="Software source stored once in the content library, the programs that install it, and where it is distributed."
        actions={newButton('new-package')}
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
        {packages.isError ? (
          <ErrorState error={packages.error} what="the packages" />
        ) : !packages.isPending && rows.length === 0 ? (
          <EmptyState
            icon={<IconPackage size={24} />}
            title={needle ? 'No package matches' : 'No packages yet'}
            description="Create a package, upload its source as an archive, add a program with the command that installs it, then distribute it to distribution points."
            action={newButton()}
          />
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table className="steward-table" data-testid="package-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Content version</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                  <Table.Th ta="right">Programs</Table.Th>
                  <Table.Th w={200}>Distribution points</Table.Th>
                </Table.Tr>
              </Table.Thead>
              {packages.isPending ? (
                <TableSkeleton columns={6} />
              ) : (
                <Table.Tbody>
                  {rows.map((p) => {
                    const to = `/software/packages/${encodeURIComponent(p.id)}`;
                    return (
                      <Table.Tr
                        key={p.id}
                        className="clickable"
                        onClick={(e) => {
                          if (!(e.target as HTMLElement).closest('a')) void navigate(to);
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
                </Table.Tbody>
              )}
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      <PackageModal
        opened={opened}
        onClose={close}
        onSaved={(p) => void navigate(`/software/packages/${encodeURIComponent(p.id)}`)}
      />
    </>
  );
}
