import { Anchor, Badge, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops, type ComplianceListState } from '@steward/protocol';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { KeyValueTable } from '../../components/key-value-table';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { StateCountsDonut } from '../../components/state-counts-donut';
import { BlockSkeleton } from '../../components/table-skeleton';
import { NotFoundPage } from '../not-found-page';
import { UPDATES_KEY } from './update-sources-panel';
import { ComplianceRowsTable } from './update-devices-table';
import {
  ClassificationBadge,
  complianceRows,
  IdLinks,
  SeverityBadge,
  UPDATE_KEYS,
} from './update-labels';

/** One update: its facts, its compliance over the fleet as a chart, and the devices per state. */
export function UpdatePage() {
  const { updateId = '' } = useParams();
  const [state, setState] = useState<ComplianceListState | null>(null);
  const compliance = useQuery({
    queryKey: [UPDATE_KEYS.compliance, updateId],
    queryFn: () => api.call(ops.updateCompliance.updateCompliance, { params: { id: updateId } }),
  });
  const update = useQuery({
    queryKey: [UPDATES_KEY, 'one', updateId],
    queryFn: () => api.call(ops.updateCatalog.getUpdate, { params: { id: updateId } }),
  });
  if (compliance.isError && isNotFound(compliance.error)) return <NotFoundPage />;
  if (compliance.isError) return <ErrorState error={compliance.error} what="this update" />;
  const c = compliance.data;
  const u = update.data;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Software updates', to: '/software/updates' },
          { label: c ? `${c.package} ${c.version}` : updateId },
        ]}
        title={c ? `${c.package} ${c.version}` : updateId}
        testId="update-title"
        description={u ? `From ${u.sourceName}` : undefined}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="md">
        <Paper p="md">
          <Title order={5} mb="xs">
            Facts
          </Title>
          {!u ? (
            <BlockSkeleton lines={6} />
          ) : (
            <KeyValueTable
              labelWidth={140}
              rows={[
                ['Source', u.sourceName],
                [
                  'Version',
                  <Text key="v" ff="monospace" size="sm">
                    {u.version}
                  </Text>,
                ],
                ['Classification', <ClassificationBadge key="c" value={u.classification} />],
                ['Severity', <SeverityBadge key="s" value={u.severity} />],
                [
                  'Binaries',
                  u.binaries.map((b) => `${b.package} ${b.version} (${b.architecture})`).join(', '),
                ],
                [
                  'Supersedence',
                  u.supersededBy ? (
                    <Group key="sup" gap={6}>
                      <Badge variant="outline" color="gray">
                        superseded
                      </Badge>
                      <Anchor
                        component={Link}
                        to={`/software/updates/${encodeURIComponent(u.supersededBy)}`}
                        size="sm"
                      >
                        by the newer version
                      </Anchor>
                      <RelativeTime iso={u.supersededAt} size="sm" />
                    </Group>
                  ) : (
                    'Current'
                  ),
                ],
                [
                  'Expiry',
                  u.expired ? (
                    'Expired: no longer deployable'
                  ) : u.expiresAt ? (
                    <RelativeTime key="e" iso={u.expiresAt} size="sm" />
                  ) : (
                    'Never'
                  ),
                ],
                ['Published', <RelativeTime key="p" iso={u.publishedAt} size="sm" />],
                [
                  'Revised',
                  u.revisedAt === null ? (
                    'Never'
                  ) : (
                    <span key="r" data-testid="update-revised">
                      <RelativeTime iso={u.revisedAt} size="sm" /> (revision {u.revision})
                    </span>
                  ),
                ],
                ['First seen', <RelativeTime key="f" iso={u.firstSeenAt} size="sm" />],
                ['CVEs', <IdLinks key="cves" ids={u.cves} kind="cve" />],
                ['Advisories', <IdLinks key="advs" ids={u.advisories} kind="advisory" />],
              ]}
            />
          )}
        </Paper>
        <Paper p="md">
          <Title order={5} mb="xs">
            Compliance
          </Title>
          {!c ? (
            <BlockSkeleton lines={6} />
          ) : (
            <StateCountsDonut
              rows={complianceRows(c.counts)}
              selected={state}
              onSelect={setState}
              chartLabel={`${(c.counts.installed + c.counts.required + c.counts.held + c.counts.pinned).toLocaleString()} apply`}
              rowTestIdPrefix="update-state-"
              donutTestId="update-compliance-donut"
            >
              <Text size="xs" c="dimmed" mt="xs">
                Held and pinned machines need the update but keep the older version on purpose.
                Counts are against catalog version {c.catalogVersion}.
              </Text>
            </StateCountsDonut>
          )}
        </Paper>
      </SimpleGrid>
      <Paper p="md">
        <Group justify="space-between" mb="sm">
          <Title order={5}>
            {state ? `Devices: ${state}` : 'Devices'}
            {state && (
              <Anchor component="button" size="sm" ml="sm" onClick={() => setState(null)}>
                show all
              </Anchor>
            )}
          </Title>
          <ExportButton
            op={ops.exports.updateDevices}
            params={{ id: updateId }}
            filters={state ? { state } : {}}
            testId="update-devices-export"
          />
        </Group>
        <ComplianceRowsTable
          queryKey={[UPDATE_KEYS.compliance, updateId, 'devices']}
          load={(query) =>
            api.call(ops.updateCompliance.updateDevices, { params: { id: updateId }, query })
          }
          state={state}
          show="device"
          testId="update-devices"
        />
      </Paper>
    </>
  );
}
