import { Anchor, Paper, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconRss } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  ops,
  type AdvisoryKind,
  type ListAdvisoriesQuery,
  type UpdateSeverity,
  UPDATE_SEVERITY_ORDER,
} from '@steward/protocol';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { KeyValueTable } from '../../components/key-value-table';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import {
  ChoiceFilter,
  FilteredList,
  TextFilter,
  useListPage,
} from '../../components/filtered-list';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { NotFoundPage } from '../not-found-page';
import { AdvisoryFeedsPanel } from './advisory-feeds';
import { IdLinks, SeverityBadge, UPDATE_KEYS } from './update-labels';

const KINDS: readonly AdvisoryKind[] = ['dsa', 'dla', 'usn', 'osv'];

function AdvisoryList() {
  const [search, setSearch] = useState('');
  const [cve, setCve] = useState('');
  const [kind, setKind] = useState<AdvisoryKind | undefined>();
  const [severity, setSeverity] = useState<UpdateSeverity | undefined>();
  const filters: Omit<ListAdvisoriesQuery, 'offset' | 'limit'> = {
    ...(search ? { search } : {}),
    ...(cve ? { cve } : {}),
    ...(kind ? { kind } : {}),
    ...(severity ? { severity } : {}),
  };
  const [page, setPage] = useListPage(JSON.stringify(filters));
  const query = { ...filters, ...page };
  const list = useQuery({
    queryKey: [UPDATE_KEYS.advisories, 'list', query],
    queryFn: () => api.call(ops.advisories.listAdvisories, { query }),
    placeholderData: keepPreviousData,
  });
  return (
    <FilteredList
      filters={
        <>
          <TextFilter
            search
            placeholder="Title or id…"
            value={search}
            onChange={setSearch}
            w={220}
            testId="advisory-search"
          />
          <TextFilter
            placeholder="CVE id"
            value={cve}
            onChange={setCve}
            w={160}
            testId="advisory-filter-cve"
          />
          <ChoiceFilter
            placeholder="Any kind"
            choices={KINDS}
            label={(k) => k.toUpperCase()}
            value={kind}
            onChange={setKind}
            w={130}
            testId="advisory-filter-kind"
          />
          <ChoiceFilter
            placeholder="Any severity"
            choices={UPDATE_SEVERITY_ORDER}
            value={severity}
            onChange={setSeverity}
            w={140}
            testId="advisory-filter-severity"
          />
        </>
      }
      actions={
        <ExportButton op={ops.exports.advisories} filters={filters} testId="advisories-export" />
      }
      query={list}
      what="the advisories"
      empty={{
        icon: <IconAlertTriangle size={26} />,
        title: 'No advisories match',
        description: 'Advisories arrive from feeds and imported files (Feeds and imports tab).',
      }}
      page={page}
      onPage={setPage}
      pagerTestId="advisories-pager"
    >
      <DataTable
        testId="advisories-table"
        loading={list.isPending}
        minWidth={900}
        columns={[
          { label: 'Advisory' },
          { label: 'Severity' },
          { label: 'CVEs' },
          { label: 'Fixes' },
          { label: 'Published' },
        ]}
      >
        {list.data?.items.map((a) => (
          <Table.Tr key={a.id} data-testid="advisory-row">
            <Table.Td>
              <Anchor
                component={Link}
                to={`/software/advisories/${encodeURIComponent(a.id)}`}
                fw={600}
                size="sm"
              >
                {a.id}
              </Anchor>
              <Text size="xs" c="dimmed" lineClamp={1}>
                {a.title}
              </Text>
            </Table.Td>
            <Table.Td>
              <SeverityBadge value={a.severity} />
            </Table.Td>
            <Table.Td>
              <IdLinks ids={a.cves} kind="cve" max={3} />
            </Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={2}>
                {a.fixes.map((f) => `${f.package} ${f.fixedVersion} (${f.release})`).join(', ')}
              </Text>
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={a.publishedAt ?? a.importedAt} size="sm" />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </FilteredList>
  );
}

const TABS = ['advisories', 'feeds'] as const;

/** Software library > Advisories: imported advisories, and the feeds and files they come from. */
export function AdvisoriesPage() {
  const [tab, setTab] = useTabParam(TABS);
  return (
    <>
      <PageHeader
        title="Advisories"
        description="Security advisories (DSA, DLA, USN, OSV) and the Debian tracker: they give updates their CVEs and severity, and the CVE view its fixed versions."
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'advisories',
            label: 'Advisories',
            icon: <IconAlertTriangle size={16} />,
            testId: 'advisories-tab-list',
            panel: <AdvisoryList />,
          },
          {
            value: 'feeds',
            label: 'Feeds and imports',
            icon: <IconRss size={16} />,
            testId: 'advisories-tab-feeds',
            panel: <AdvisoryFeedsPanel />,
          },
        ]}
      />
    </>
  );
}

/** One advisory: its CVEs, fixed versions per release, links, and the updates it enriched. */
export function AdvisoryPage() {
  const { advisoryId = '' } = useParams();
  const advisory = useQuery({
    queryKey: [UPDATE_KEYS.advisories, 'one', advisoryId],
    queryFn: () => api.call(ops.advisories.getAdvisory, { params: { id: advisoryId } }),
  });
  if (advisory.isError && isNotFound(advisory.error)) return <NotFoundPage />;
  if (advisory.isError) return <ErrorState error={advisory.error} what="this advisory" />;
  const a = advisory.data;
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Advisories', to: '/software/advisories' }, { label: advisoryId }]}
        title={a ? `${a.id}: ${a.title}` : advisoryId}
        testId="advisory-title"
      />
      <Paper p="md" mb="md">
        {!a ? (
          <BlockSkeleton lines={5} />
        ) : (
          <KeyValueTable
            rows={[
              ['Kind', a.kind.toUpperCase()],
              ['Severity', <SeverityBadge key="s" value={a.severity} />],
              ['Published', <RelativeTime key="p" iso={a.publishedAt} size="sm" />],
              ['Imported', <RelativeTime key="i" iso={a.importedAt} size="sm" />],
              ['Description', a.description || '—'],
              ['CVEs', <IdLinks key="c" ids={a.cves} kind="cve" />],
              [
                'Links',
                a.links.length === 0
                  ? '—'
                  : a.links.map((l) => (
                      <div key={l}>
                        <Anchor href={l} target="_blank" rel="noreferrer" size="sm">
                          {l}
                        </Anchor>
                      </div>
                    )),
              ],
              [
                'Updates in the catalog',
                <Anchor
                  key="u"
                  component={Link}
                  to={`/software/updates?advisory=${encodeURIComponent(a.id)}&state=all`}
                  size="sm"
                  data-testid="advisory-updates-link"
                >
                  Updates this advisory fixes
                </Anchor>,
              ],
            ]}
          />
        )}
      </Paper>
      <Paper p="md">
        <Title order={5} mb="xs">
          Fixed versions
        </Title>
        <DataTable
          testId="advisory-fixes"
          loading={!a}
          columns={[{ label: 'Release' }, { label: 'Package' }, { label: 'Fixed in' }]}
        >
          {a?.fixes.map((f) => (
            <Table.Tr key={`${f.release}/${f.package}`}>
              <Table.Td>{f.release}</Table.Td>
              <Table.Td>{f.package}</Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm">
                  {f.fixedVersion}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </Paper>
    </>
  );
}
