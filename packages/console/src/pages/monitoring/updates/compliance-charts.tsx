import { BarChart, DonutChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { CUSTOM_UPDATES_SOURCE_KEY, ops, type ComplianceGroup } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { DataTable } from '../../../components/data-table';
import { ErrorState } from '../../../components/error-state';
import { RatioBar } from '../../../components/ratio-bar';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { SeverityBadge, UPDATE_KEYS } from '../../updates/update-labels';

/** Installed against required pairs of one grouping, as stacked bars linking to the catalog. */
function GroupBars(props: {
  title: string;
  groups: ComplianceGroup[];
  testId: string;
  filter: (g: ComplianceGroup) => string;
}) {
  const data = props.groups.map((g) => ({
    group: g.label,
    Installed: g.installed,
    Required: g.required,
  }));
  return (
    <Paper withBorder p="md" data-testid={props.testId}>
      <Title order={6} mb="xs">
        {props.title}
      </Title>
      {data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No current updates.
        </Text>
      ) : (
        <>
          <BarChart
            h={Math.max(120, data.length * 34)}
            data={data}
            dataKey="group"
            type="stacked"
            orientation="vertical"
            yAxisProps={{ width: 110 }}
            xAxisProps={{ allowDecimals: false }}
            series={[
              { name: 'Installed', color: 'teal.6' },
              { name: 'Required', color: 'red.6' },
            ]}
          />
          <Group gap="sm" mt={4}>
            {props.groups.map((g) => (
              <Anchor
                key={g.key}
                component={Link}
                to={`/software/updates?${props.filter(g)}`}
                size="xs"
                data-testid={`${props.testId}-${g.key}`}
                data-required={g.required}
              >
                {g.label}: {g.required.toLocaleString()} required
              </Anchor>
            ))}
          </Group>
        </>
      )}
    </Paper>
  );
}

/**
 * The dashboard's compliance charts: devices needing updates, device × update pairs installed
 * against required (overall, per source, classification and severity), the most required.
 */
export function ComplianceCharts() {
  const overview = useQuery({
    queryKey: [UPDATE_KEYS.compliance, 'overview'],
    queryFn: () => api.call(ops.updateCompliance.overview, { query: { top: 10 } }),
    refetchInterval: 60_000,
  });
  if (overview.isError) return <ErrorState error={overview.error} what="the compliance" />;
  const o = overview.data;
  if (!o) return <BlockSkeleton lines={8} />;
  const compliant = o.devices - o.devicesRequiring;
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper
          withBorder
          p="md"
          data-testid="compliance-devices"
          data-requiring={o.devicesRequiring}
        >
          <Title order={6} mb="xs">
            Devices
          </Title>
          <Group wrap="nowrap" gap="lg">
            <DonutChart
              size={150}
              thickness={22}
              data={
                o.devices === 0
                  ? [{ name: 'None', value: 1, color: 'gray.2' }]
                  : [
                      { name: 'Need updates', value: o.devicesRequiring, color: 'red.6' },
                      { name: 'Compliant', value: compliant, color: 'teal.6' },
                    ]
              }
              chartLabel={
                o.devices > 0 ? `${Math.round((100 * compliant) / o.devices)}% compliant` : '—'
              }
            />
            <Stack gap={4}>
              <Text size="sm">
                <b>{o.devicesRequiring.toLocaleString()}</b> of {o.devices.toLocaleString()} devices
                need at least one of the {o.currentUpdates.toLocaleString()} current updates.
              </Text>
              <Text size="sm">Updates installed where they apply:</Text>
              <RatioBar
                done={o.installed}
                total={o.installed + o.required}
                testId="compliance-pairs"
              />
              <Text size="xs" c="dimmed">
                Against catalog version {o.catalogVersion}; held and pinned machines count as
                required.
              </Text>
            </Stack>
          </Group>
        </Paper>
        <Paper withBorder p="md">
          <Title order={6} mb="xs">
            Most required updates
          </Title>
          <DataTable
            testId="most-required"
            loading={false}
            columns={[
              { label: 'Update' },
              { label: 'Severity' },
              { label: 'Installed / applicable', w: 180 },
              { label: 'Required', ta: 'right' },
            ]}
          >
            {o.mostRequired.map((u) => (
              <Table.Tr key={u.updateId} data-testid="most-required-row">
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={
                      u.kind === 'custom'
                        ? `/software/custom-updates/${encodeURIComponent(u.updateId)}`
                        : `/software/updates/${encodeURIComponent(u.updateId)}`
                    }
                    size="sm"
                    fw={600}
                  >
                    {u.package}
                  </Anchor>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {u.version}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <SeverityBadge value={u.severity} />
                </Table.Td>
                <Table.Td>
                  <RatioBar done={u.installed} total={u.installed + u.required} />
                </Table.Td>
                <Table.Td ta="right">{u.required.toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          {o.mostRequired.length === 0 && (
            <Text size="sm" c="dimmed" mt="xs">
              No device needs a current update.
            </Text>
          )}
        </Paper>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <GroupBars
          title="Per source"
          groups={o.bySource}
          testId="compliance-by-source"
          filter={(g) =>
            g.key === CUSTOM_UPDATES_SOURCE_KEY
              ? 'kind=custom'
              : `source=${encodeURIComponent(g.key)}`
          }
        />
        <GroupBars
          title="Per classification"
          groups={o.byClassification}
          testId="compliance-by-classification"
          filter={(g) => `classification=${encodeURIComponent(g.key)}`}
        />
        <GroupBars
          title="Per severity"
          groups={o.bySeverity}
          testId="compliance-by-severity"
          filter={(g) => `severity=${encodeURIComponent(g.key)}`}
        />
      </SimpleGrid>
    </Stack>
  );
}
