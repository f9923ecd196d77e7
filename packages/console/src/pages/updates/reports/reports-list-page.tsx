import { Anchor, Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconReportAnalytics } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ops, REPORT_CATEGORY_TITLES, type ReportCategory } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { ErrorState } from '../../../components/error-state';
import { PageHeader } from '../../../components/page-header';

export const REPORTS_KEY = 'sql-reports';

const ORDER = Object.keys(REPORT_CATEGORY_TITLES).filter(
  (c): c is ReportCategory => c in REPORT_CATEGORY_TITLES,
);

/** Monitoring > Reports: every report with visible SQL, by category (ADR 0053). */
export function ReportsListPage() {
  const reports = useQuery({
    queryKey: [REPORTS_KEY],
    queryFn: () => api.call(ops.sqlReports.list, {}),
  });
  return (
    <Stack>
      <PageHeader
        title="Reports"
        description="Every report shows its SQL over the documented report views; copy one into a custom report to change it."
        icon={<IconReportAnalytics />}
        testId="reports-header"
      />
      {reports.isError ? (
        <ErrorState error={reports.error} what="the reports" />
      ) : (
        ORDER.map((category) => {
          const items = (reports.data ?? []).filter((r) => r.category === category);
          if (items.length === 0) return null;
          return (
            <Paper p="md" key={category} data-testid={`reports-${category}`}>
              <Title order={4} mb="sm">
                {REPORT_CATEGORY_TITLES[category]}
              </Title>
              <Table>
                <Table.Tbody>
                  {items.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/monitoring/reports/${r.id}`}>
                          {r.title}
                        </Anchor>
                        {!r.builtIn && (
                          <Badge ml="xs" variant="light" size="sm">
                            custom
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {r.description}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          );
        })
      )}
    </Stack>
  );
}
