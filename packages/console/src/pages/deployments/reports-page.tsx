import { IconAlertTriangle, IconChartBar, IconListCheck, IconServer2 } from '@tabler/icons-react';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { DistributionStatusReport, DpCompletionReport } from './reports-content';
import { DeploymentSummaryReport, FailuresReport } from './reports-deployments';

const TABS = ['summary', 'failures', 'distribution', 'completion'] as const;

/** Software reports: deployment status, failures with errors, distribution by DP, DP completion. */
export function SoftwareReportsPage() {
  const [tab, setTab] = useTabParam(TABS);
  return (
    <>
      <PageHeader
        title="Software reports"
        description="Deployment status, the computers that failed with their errors, and where content is distributed."
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'summary',
            label: 'Deployment status',
            icon: <IconListCheck size={15} />,
            testId: 'rtab-summary',
            panel: <DeploymentSummaryReport />,
          },
          {
            value: 'failures',
            label: 'Failures',
            icon: <IconAlertTriangle size={15} />,
            testId: 'rtab-failures',
            panel: <FailuresReport />,
          },
          {
            value: 'distribution',
            label: 'Distribution status',
            icon: <IconServer2 size={15} />,
            testId: 'rtab-distribution',
            panel: <DistributionStatusReport />,
          },
          {
            value: 'completion',
            label: 'DPs complete',
            icon: <IconChartBar size={15} />,
            testId: 'rtab-completion',
            panel: <DpCompletionReport />,
          },
        ]}
      />
    </>
  );
}
