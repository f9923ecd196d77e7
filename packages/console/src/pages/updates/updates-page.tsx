import {
  IconListDetails,
  IconRobot,
  IconRocket,
  IconStack2,
  IconStack3,
} from '@tabler/icons-react';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { UpdateCatalogTable } from './update-catalog-table';
import { UpdateGroupsPanel } from './update-groups';
import { UpdateSourcesPanel } from './update-sources-panel';
import { UpdateDeploymentsPanel } from './deployments/update-deployments-panel';
import { UpdateRulesPanel } from './rules/update-rules-panel';
import { UpdateRollupsPanel } from './rules/update-rollups';

const TABS = ['catalog', 'groups', 'deployments', 'rules', 'rollups'] as const;

/**
 * Software library > Software updates: the update sources whose syncs publish the catalog, then
 * the catalog (filter, select, add to a group, export), the update groups, their deployments,
 * the automatic deployment rules that fill and deploy groups, and the rollups per release.
 */
export function UpdatesPage() {
  const [tab, setTab] = useTabParam(TABS);
  return (
    <>
      <PageHeader
        title="Software updates"
        description="Updates from signed apt repositories (one per source package version), the groups that approve them, their deployments, and the sources they come from."
      />
      <UpdateSourcesPanel />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'catalog',
            label: 'Updates',
            icon: <IconListDetails size={16} />,
            testId: 'updates-tab-catalog',
            panel: <UpdateCatalogTable />,
          },
          {
            value: 'groups',
            label: 'Update groups',
            icon: <IconStack2 size={16} />,
            testId: 'updates-tab-groups',
            panel: <UpdateGroupsPanel />,
          },
          {
            value: 'deployments',
            label: 'Deployments',
            icon: <IconRocket size={16} />,
            testId: 'updates-tab-deployments',
            panel: <UpdateDeploymentsPanel />,
          },
          {
            value: 'rules',
            label: 'Automatic deployment rules',
            icon: <IconRobot size={16} />,
            testId: 'updates-tab-rules',
            panel: <UpdateRulesPanel />,
          },
          {
            value: 'rollups',
            label: 'Rollups',
            icon: <IconStack3 size={16} />,
            testId: 'updates-tab-rollups',
            panel: <UpdateRollupsPanel />,
          },
        ]}
      />
    </>
  );
}
