import { Navigate, Route, Routes } from 'react-router-dom';
import { AppLayout } from './layout/app-layout';
import { AuditLogPage } from './pages/admin/audit-log-page';
import { ClientSettingsPage } from './pages/admin/client-settings-page';
import { SiteSettingsPage } from './pages/admin/site-settings-page';
import { ClientVersionsPage } from './pages/admin/client-versions-page';
import { EnrolmentTokensPage } from './pages/admin/enrolment-tokens-page';
import { InventoryClassesPage } from './pages/admin/inventory-classes-page';
import { UsersPage } from './pages/admin/users-page';
import { CollectionEditPage } from './pages/collections/collection-edit-page';
import { CollectionListPage } from './pages/collections/collection-list-page';
import { CollectionPage } from './pages/collections/collection-page';
import { DeviceListPage } from './pages/devices/device-list-page';
import { DevicePage } from './pages/devices/device-page';
import { ClientActivityPage } from './pages/monitoring/client-activity-page';
import { ClientStatusPage } from './pages/monitoring/client-status-page';
import { ClientHealthPage } from './pages/monitoring/client-health-page';
import { StatusMessagesPage } from './pages/monitoring/status-messages-page';
import { ClientPushPage } from './pages/monitoring/client-push-page';
import { ClientPushSettingsPage } from './pages/admin/client-push-settings-page';
import { DiscoveryPage, DiscoverySettingsPage } from './pages/monitoring/discovery-page';
import { UpdatesPage } from './pages/updates/updates-page';
import { DriversPage } from './pages/drivers/drivers-page';
import { BootImagesPage } from './pages/boot-images/boot-images-page';
import { MediaPage } from './pages/media/media-page';
import { TaskSequenceListPage } from './pages/task-sequences/task-sequence-list-page';
import { TaskSequencePage } from './pages/task-sequences/task-sequence-page';
import { TaskSequenceDeployPage } from './pages/task-sequences/deploy-wizard-page';
import { TaskSequenceDeploymentListPage } from './pages/task-sequences/task-sequence-deployment-list-page';
import { TaskSequenceDeploymentPage } from './pages/task-sequences/task-sequence-deployment-page';
import { ImportedComputersPage, UnknownComputersPage } from './pages/task-sequences/computers-page';
import { OsImagesPage } from './pages/os-images/os-images-page';
import { UpgradePackagesPage } from './pages/upgrade-packages/upgrade-packages-page';
import { UserStatePage } from './pages/user-state/user-state-page';
import { ReportsListPage } from './pages/updates/reports/reports-list-page';
import { ReportPage } from './pages/updates/reports/report-page';
import { BoundariesPage } from './pages/admin/boundaries-page';
import { DistributionPointsPage } from './pages/admin/distribution-points-page';
import { DistributionPointPage } from './pages/admin/distribution-point-page';
import { DpGroupsPage } from './pages/admin/dp-groups-page';
import { DeploymentListPage } from './pages/deployments/deployment-list-page';
import { DeploymentPage } from './pages/deployments/deployment-page';
import { DeploymentWizardPage } from './pages/deployments/deployment-wizard-page';
import { PhasedCreatePage } from './pages/deployments/phased-create-page';
import { PhasedListPage } from './pages/deployments/phased-list-page';
import { PhasedPage } from './pages/deployments/phased-page';
import { SoftwareReportsPage } from './pages/deployments/reports-page';
import { PackageListPage } from './pages/software/package-list-page';
import { PackagePage } from './pages/software/package-page';
import { NotFoundPage } from './pages/not-found-page';
import { SignInPage } from './pages/sign-in-page';
import { UpdatePage } from './pages/updates/update-page';
import { UpdateGroupPage } from './pages/updates/update-group-page';
import { CustomUpdateFormPage } from './pages/updates/custom/custom-update-form-page';
import { UpdateDeploymentPage } from './pages/updates/deployments/update-deployment-page';
import { AdvisoriesPage, AdvisoryPage } from './pages/updates/advisories-page';
import { UpdateCompliancePage } from './pages/monitoring/updates/update-compliance-page';
import { CvePage } from './pages/monitoring/updates/cve-page';
import { UpdateRuleFormPage } from './pages/updates/rules/update-rule-form-page';
import { UpdateRulePage } from './pages/updates/rules/update-rule-page';
import { UpdateRollupPage } from './pages/updates/rules/update-rollups';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<AppLayout />}>
        <Route index element={<Navigate to="/devices" replace />} />
        <Route path="devices" element={<DeviceListPage />} />
        <Route path="devices/:deviceId" element={<DevicePage />} />
        <Route path="collections" element={<CollectionListPage />} />
        <Route path="collections/new" element={<CollectionEditPage />} />
        <Route path="collections/:collectionId" element={<CollectionPage />} />
        <Route path="collections/:collectionId/edit" element={<CollectionEditPage />} />
        <Route path="software" element={<Navigate to="/software/packages" replace />} />
        <Route path="software/packages" element={<PackageListPage />} />
        <Route path="software/packages/:packageId" element={<PackagePage />} />
        <Route path="deployments" element={<DeploymentListPage />} />
        <Route path="deployments/new" element={<DeploymentWizardPage />} />
        <Route path="deployments/:deploymentId" element={<DeploymentPage />} />
        <Route path="phased-deployments" element={<PhasedListPage />} />
        <Route path="phased-deployments/new" element={<PhasedCreatePage />} />
        <Route path="phased-deployments/:phasedId" element={<PhasedPage />} />
        <Route path="reports/software" element={<SoftwareReportsPage />} />
        <Route path="monitoring" element={<Navigate to="/monitoring/client-activity" replace />} />
        <Route path="monitoring/client-activity" element={<ClientActivityPage />} />
        <Route path="monitoring/client-status" element={<ClientStatusPage />} />
        <Route path="monitoring/client-health" element={<ClientHealthPage />} />
        <Route path="monitoring/status-messages" element={<StatusMessagesPage />} />
        <Route path="monitoring/client-push" element={<ClientPushPage />} />
        <Route path="admin/client-push-settings" element={<ClientPushSettingsPage />} />
        <Route path="monitoring/discovery" element={<DiscoveryPage />} />
        <Route path="software/updates" element={<UpdatesPage />} />
        <Route path="software/drivers" element={<DriversPage />} />
        <Route path="software/boot-images" element={<BootImagesPage />} />
        <Route path="software/media" element={<MediaPage />} />
        <Route path="software/task-sequences" element={<TaskSequenceListPage />} />
        <Route path="software/task-sequences/new" element={<TaskSequencePage />} />
        <Route path="software/task-sequences/:sequenceId" element={<TaskSequencePage />} />
        <Route
          path="software/task-sequences/:sequenceId/deploy"
          element={<TaskSequenceDeployPage />}
        />
        <Route
          path="software/task-sequence-deployments"
          element={<TaskSequenceDeploymentListPage />}
        />
        <Route
          path="software/task-sequence-deployments/:deploymentId"
          element={<TaskSequenceDeploymentPage />}
        />
        <Route path="software/unknown-computers" element={<UnknownComputersPage />} />
        <Route path="software/imported-computers" element={<ImportedComputersPage />} />
        <Route path="software/os-images" element={<OsImagesPage />} />
        <Route path="software/upgrade-packages" element={<UpgradePackagesPage />} />
        <Route path="software/user-state" element={<UserStatePage />} />
        <Route path="monitoring/reports" element={<ReportsListPage />} />
        <Route path="monitoring/reports/:reportId" element={<ReportPage />} />
        <Route path="monitoring/discovery/settings" element={<DiscoverySettingsPage />} />
        <Route path="admin" element={<Navigate to="/admin/enrolment-tokens" replace />} />
        <Route path="admin/enrolment-tokens" element={<EnrolmentTokensPage />} />
        <Route path="admin/users" element={<UsersPage />} />
        <Route path="admin/inventory-classes" element={<InventoryClassesPage />} />
        <Route path="admin/client-settings" element={<ClientSettingsPage />} />
        <Route path="admin/site-settings" element={<SiteSettingsPage />} />
        <Route path="admin/client-versions" element={<ClientVersionsPage />} />
        <Route path="admin/audit-log" element={<AuditLogPage />} />
        <Route path="admin/distribution-points" element={<DistributionPointsPage />} />
        <Route path="admin/distribution-points/:dpId" element={<DistributionPointPage />} />
        <Route path="admin/dp-groups" element={<DpGroupsPage />} />
        <Route path="admin/boundaries" element={<BoundariesPage />} />
        <Route path="software/updates/:updateId" element={<UpdatePage />} />
        <Route path="software/update-groups/:groupId" element={<UpdateGroupPage />} />
        <Route path="software/custom-updates/new" element={<CustomUpdateFormPage />} />
        <Route path="software/custom-updates/:customId" element={<CustomUpdateFormPage />} />
        <Route
          path="software/update-deployments/:deploymentId"
          element={<UpdateDeploymentPage />}
        />
        <Route path="software/update-rules/new" element={<UpdateRuleFormPage />} />
        <Route path="software/update-rules/:ruleId" element={<UpdateRulePage />} />
        <Route path="software/update-rules/:ruleId/edit" element={<UpdateRuleFormPage />} />
        <Route path="software/update-rollups/:sourceId" element={<UpdateRollupPage />} />
        <Route path="software/advisories" element={<AdvisoriesPage />} />
        <Route path="software/advisories/:advisoryId" element={<AdvisoryPage />} />
        <Route path="monitoring/update-compliance" element={<UpdateCompliancePage />} />
        <Route path="monitoring/cves/:cveId" element={<CvePage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
