import { Anchor, Badge, Button, Group, Paper, Table, Text, TextInput } from '@mantine/core';
import { IconCategory2, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useCollections } from '../../components/collection-select';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { describeRules } from './collection-form';
import { clickedWithin } from '../../lib/click-target';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';

export function CollectionListPage() {
  const collections = useCollections();
  const navigate = useNavigate();
  const { can } = useSession();
  const [search, setSearch] = useState('');
  const byId = new Map((collections.data ?? []).map((c) => [c.id, c]));
  const needle = search.trim().toLowerCase();
  const rows = (collections.data ?? [])
    .filter(
      (c) =>
        !needle ||
        c.name.toLowerCase().includes(needle) ||
        c.description.toLowerCase().includes(needle),
    )
    .sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title="Collections"
        description="Groups of devices, kept up to date from inventory, to target deployments and reports."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.collections} testId="collection-export" />
            {can('collections:write') && (
              <Button
                component={Link}
                to="/collections/new"
                leftSection={<IconPlus size={16} />}
                data-testid="new-collection"
              >
                New collection
              </Button>
            )}
          </Group>
        }
      />
      <Paper p="md">
        <TextInput
          placeholder="Search collections"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={300}
          mb="sm"
        />
        {collections.isError ? (
          <ErrorState error={collections.error} what="the collections" />
        ) : !collections.isPending && rows.length === 0 ? (
          <EmptyState
            icon={<IconCategory2 size={24} />}
            title={needle ? 'No collection matches' : 'No collections yet'}
            description="Create a collection from a query over inventory, e.g. Debian servers with more than 8 GB of memory."
            action={
              can('collections:write') && (
                <Button component={Link} to="/collections/new" leftSection={<IconPlus size={16} />}>
                  New collection
                </Button>
              )
            }
          />
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table className="steward-table" data-testid="collection-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Rules</Table.Th>
                  <Table.Th>Limited to</Table.Th>
                  <Table.Th ta="right" w={100}>
                    Members
                  </Table.Th>
                  <Table.Th w={150}>Last evaluated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              {collections.isPending ? (
                <TableSkeleton columns={5} />
              ) : (
                <Table.Tbody>
                  {rows.map((c) => (
                    <Table.Tr
                      key={c.id}
                      className="clickable"
                      onClick={(e) => {
                        if (!clickedWithin(e, 'a'))
                          void navigate(`/collections/${encodeURIComponent(c.id)}`);
                      }}
                      data-testid="collection-row"
                      data-collection-name={c.name}
                    >
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Anchor
                            component={Link}
                            to={`/collections/${encodeURIComponent(c.id)}`}
                            fw={600}
                            size="sm"
                          >
                            {c.name}
                          </Anchor>
                          {c.builtin && (
                            <Badge
                              size="xs"
                              variant="light"
                              color="gray"
                              data-testid="badge-builtin"
                            >
                              built-in
                            </Badge>
                          )}
                        </Group>
                        {c.description && (
                          <Text size="xs" c="dimmed" lineClamp={1}>
                            {c.description}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td maw={420}>
                        {c.rules.length === 1 && c.rules[0]?.kind === 'query' ? (
                          <Text
                            size="xs"
                            className="steward-mono"
                            c="dimmed"
                            truncate
                            title={c.rules[0].query}
                          >
                            {c.rules[0].query}
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            {describeRules(c.rules)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">
                          {c.limitingCollectionId
                            ? (byId.get(c.limitingCollectionId)?.name ?? c.limitingCollectionId)
                            : '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right" fw={600} data-testid="collection-member-count">
                        {c.memberCount.toLocaleString()}
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime iso={c.lastEvaluatedAt} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              )}
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </>
  );
}
