import { Paper, Tabs } from '@mantine/core';
import { IconAlertTriangle, IconChartBar, IconListCheck, IconServer2 } from '@tabler/icons-react';
import { useSearchParams } from 'react-router-dom';
import { PageHeader } from '../../components/page-header';
import { DistributionStatusReport, DpCompletionReport } from './reports-content';
import { DeploymentSummaryReport, FailuresReport } from './reports-deployments';

const TABS = ['summary', 'failures', 'distribution', 'completion'] as const;

/** Software reports: deployment status, failures with errors, distribution by DP, DP completion. */
export function SoftwareReportsPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((t) => t === params.get('tab')) ?? 'summary';
  return (
    <>
      <PageHeader
        title="Software reports"
        description="Deployment status, the computers that failed with their errors, and where content is distributed."
      />
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'summary' ? { tab: v } : {}, { replace: true })}
        variant="outline"
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab
            value="summary"
            leftSection={<IconListCheck size={15} />}
            data-testid="rtab-summary"
          >
            Deployment status
          </Tabs.Tab>
          <Tabs.Tab
            value="failures"
            leftSection={<IconAlertTriangle size={15} />}
            data-testid="rtab-failures"
          >
            Failures
          </Tabs.Tab>
          <Tabs.Tab
            value="distribution"
            leftSection={<IconServer2 size={15} />}
            data-testid="rtab-distribution"
          >
            Distribution status
          </Tabs.Tab>
          <Tabs.Tab
            value="completion"
            leftSection={<IconChartBar size={15} />}
            data-testid="rtab-completion"
          >
            DPs complete
          </Tabs.Tab>
        </Tabs.List>
        <Paper p="md" style={{ borderTopLeftRadius: 0, borderTopRightRadius: 0, borderTop: 0 }}>
          <Tabs.Panel value="summary">
            <DeploymentSummaryReport />
          </Tabs.Panel>
          <Tabs.Panel value="failures">
            <FailuresReport />
          </Tabs.Panel>
          <Tabs.Panel value="distribution">
            <DistributionStatusReport />
          </Tabs.Panel>
          <Tabs.Panel value="completion">
            <DpCompletionReport />
          </Tabs.Panel>
        </Paper>
      </Tabs>
    </>
  );
}
