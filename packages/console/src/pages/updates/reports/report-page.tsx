import {
  Alert,
  Anchor,
  Button,
  Code,
  CopyButton,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { BarChart } from '@mantine/charts';
import { useDisclosure } from '@mantine/hooks';
import { IconCopy, IconDownload, IconPencil, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  REPORT_CATEGORY_TITLES,
  REPORT_LIMITS,
  type Report,
  type ReportParameterValues,
  type ReportResult,
} from '@steward/protocol';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { notifySuccess } from '../../../api/errors';
import { ErrorState } from '../../../components/error-state';
import { PageHeader } from '../../../components/page-header';
import { useSession } from '../../../session/session-context';
import { ReportEditor } from './report-editor';
import { REPORTS_KEY } from './reports-list-page';

const REFRESH_CHOICES = [1, 2, 5, 10, 15, 30, 60]
  .filter((m) => m >= REPORT_LIMITS.refreshMinutes.min && m <= REPORT_LIMITS.refreshMinutes.max)
  .map((m) => ({ value: String(m), label: `every ${String(m)} min` }));

/** One report: its SQL (copyable), parameters, result table, chart, CSV and refresh interval. */
export function ReportPage() {
  const { reportId = '' } = useParams();
  const report = useQuery({
    queryKey: [REPORTS_KEY, reportId],
    queryFn: () => api.call(ops.sqlReports.get, { params: { id: reportId } }),
  });
  if (report.isError) return <ErrorState error={report.error} what="the report" />;
  if (!report.data) return null;
  return <ReportView key={report.data.id + (report.data.updatedAt ?? '')} report={report.data} />;
}

function initialValues(report: Report): Record<string, string> {
  return Object.fromEntries(
    report.parameters.map((p) => [p.name, p.default == null ? '' : String(p.default)]),
  );
}

function ReportView({ report }: { report: Report }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(() => initialValues(report));
  const [asked, setAsked] = useState<ReportParameterValues | null>(() =>
    report.parameters.some((p) => p.required && p.default == null) ? null : {},
  );
  const [refresh, setRefresh] = useState(String(report.refreshMinutes));
  const [editing, editor] = useDisclosure(false);
  const [copying, copier] = useDisclosure(false);
  const result = useQuery({
    queryKey: [REPORTS_KEY, report.id, 'run', asked],
    queryFn: () =>
      api.call(ops.sqlReports.run, {
        params: { id: report.id },
        body: { parameters: asked ?? {} },
      }),
    enabled: asked !== null,
    refetchInterval: Number(refresh) * 60_000,
    meta: { silent: true },
  });
  const remove = useMutation({
    mutationFn: () => api.call(ops.sqlReports.deleteCustom, { params: { id: report.id } }),
    onSuccess: async () => {
      notifySuccess(`Report ${report.title} deleted`);
      await queryClient.invalidateQueries({ queryKey: [REPORTS_KEY] });
      void navigate('/monitoring/reports');
    },
  });
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
  return (
    <Stack>
      <PageHeader
        title={report.title}
        description={report.description}
        crumbs={[
          { label: 'Reports', to: '/monitoring/reports' },
          { label: REPORT_CATEGORY_TITLES[report.category] },
        ]}
        testId="report-header"
        actions={
          <Group gap="xs">
            <Select
              w={150}
              data={REFRESH_CHOICES}
              value={refresh}
              onChange={(v) => setRefresh(v ?? refresh)}
              aria-label="Refresh interval"
              data-testid="report-refresh"
            />
            <Button
              component="a"
              variant="default"
              leftSection={<IconDownload size={16} />}
              href={api.reportExportUrl(report.id, {
                format: 'csv',
                parameters: JSON.stringify(asked ?? {}),
              })}
              data-testid="report-csv"
            >
              CSV
            </Button>
            {can('reports:write') && (
              <Button variant="default" leftSection={<IconCopy size={16} />} onClick={copier.open}>
                Copy into custom report
              </Button>
            )}
            {can('reports:write') && !report.builtIn && (
              <>
                <Button leftSection={<IconPencil size={16} />} onClick={editor.open}>
                  Edit
                </Button>
                <Button
                  color="red"
                  variant="light"
                  leftSection={<IconTrash size={16} />}
                  loading={remove.isPending}
                  onClick={() => remove.mutate()}
                >
                  Delete
                </Button>
              </>
            )}
          </Group>
        }
      />
      <Paper p="md">
        <Group justify="space-between" mb="xs">
          <Title order={5}>SQL</Title>
          <CopyButton value={report.sql}>
            {({ copied, copy }) => (
              <Button size="xs" variant="subtle" onClick={copy}>
                {copied ? 'Copied' : 'Copy SQL'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Code block data-testid="report-sql">
          {report.sql}
        </Code>
        <Text size="xs" c="dimmed" mt="xs">
          Reads the report views (docs/reports.md); runs read-only, at most {report.timeoutSeconds}{' '}
          s. Refreshes {`every ${refresh} min`}.
        </Text>
      </Paper>
      {report.parameters.length > 0 && (
        <Paper p="md">
          <Group align="end">
            {report.parameters.map((p) =>
              p.type === 'integer' || p.type === 'days' ? (
                <NumberInput
                  key={p.name}
                  label={p.label}
                  required={p.required}
                  min={p.min}
                  max={p.max}
                  value={values[p.name] ?? ''}
                  onChange={(v) => setValues({ ...values, [p.name]: String(v) })}
                  data-testid={`report-param-${p.name}`}
                />
              ) : (
                <TextInput
                  key={p.name}
                  label={p.label}
                  required={p.required}
                  value={values[p.name] ?? ''}
                  onChange={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })}
                  data-testid={`report-param-${p.name}`}
                />
              ),
            )}
            <Button onClick={() => setAsked(given)} data-testid="report-run">
              Run
            </Button>
          </Group>
        </Paper>
      )}
      {result.isError ? (
        <ErrorState error={result.error} what="the report's result" />
      ) : (
        result.data && <ResultPanel report={report} result={result.data} />
      )}
      {editing && <ReportEditor source={report} mode="edit" onClose={editor.close} />}
      {copying && <ReportEditor source={report} mode="copy" onClose={copier.close} />}
      {!report.builtIn && (
        <Text size="xs" c="dimmed">
          Custom report by {report.createdBy ?? '-'}.{' '}
          <Anchor component={Link} to="/admin/audit-log">
            Changes are in the audit log
          </Anchor>
          .
        </Text>
      )}
    </Stack>
  );
}

function ResultPanel({ report, result }: { report: Report; result: ReportResult }) {
  const chart = report.chart;
  const li = chart ? result.columns.indexOf(chart.label) : -1;
  const vi = chart ? result.columns.indexOf(chart.value) : -1;
  const data =
    li >= 0 && vi >= 0
      ? result.rows.map((r) => ({ label: String(r[li] ?? ''), value: Number(r[vi] ?? 0) }))
      : [];
  return (
    <Paper p="md" data-testid="report-result">
      <Text size="sm" c="dimmed" mb="xs">
        {result.rows.length} rows{result.truncated ? ` (the first ${String(result.rowLimit)})` : ''}{' '}
        in {result.elapsedMs} ms
      </Text>
      {result.truncated && (
        <Alert color="yellow" mb="sm">
          More rows matched than are shown: the CSV holds up to {REPORT_LIMITS.rowLimit.max}.
        </Alert>
      )}
      {data.length > 0 && chart && (
        <BarChart
          h={220}
          mb="md"
          data={data}
          dataKey="label"
          series={[{ name: 'value', label: chart.value, color: 'blue.6' }]}
          data-testid="report-chart"
        />
      )}
      <ScrollArea>
        <Table striped data-testid="report-table">
          <Table.Thead>
            <Table.Tr>
              {result.columns.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.rows.map((r, i) => (
              <Table.Tr key={i}>
                {r.map((cell, j) => (
                  <Table.Td key={j}>{cell === null ? '' : String(cell)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Paper>
  );
}
