import type { Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { initialMigration } from './20261122T1400-initial.js';
import { softwareDistributionMigration } from './20261122T1700-software-distribution.js';
import { agentVersionsMigration } from './20261206T1401-agent-versions.js';
import { discoveryMigration } from './20261206T1402-discovery.js';
import { clientPushMigration } from './20261206T1403-client-push.js';
import { clientHealthMigration } from './20261206T1404-client-health.js';
import { agentUpgradesMigration } from './20261206T1405-agent-upgrades.js';
import { clientStatusMigration } from './20261206T1407-client-status.js';
import { clientActivityMigration } from './20261206T1408-client-activity.js';
import { collectionDiscoveredMembersMigration } from './20261206T1409-collection-discovered-members.js';
import { savedViewsMigration } from './20261206T2010-saved-views.js';
import { pushChannelPresenceMigration } from './20261206T2020-push-channel-presence.js';
import { discoveredMemberRulesMigration } from './20261206T2030-discovered-member-rules.js';
import { updateCatalogMigration } from './20261206T2050-update-catalog.js';
import { softwareUpdateBinaryMigration } from './20261206T2300-software-update-binary.js';
import { softwareUpdateVersionKeyCollationMigration } from './20261206T2301-software-update-version-key-collation.js';
import { driverCatalogMigration } from './20261207T0020-driver-catalog.js';
import { updateDeploymentsMigration } from './20261207T0100-update-deployments.js';
import { updateReportViewsMigration } from './20261207T0150-update-report-views.js';
import { updateDeploymentStatusViewMigration } from './20261207T0320-update-deployment-status-view.js';
import { devicePackageSetRevokedMigration } from './20261207T0170-device-package-set-revoked.js';
import { bootImagesMigration } from './20261207T0200-boot-images.js';
import { packageSetDeviceCountMigration } from './20261207T0340-package-set-device-count.js';
import { taskSequenceDeploymentsMigration } from './20261207T0350-task-sequence-deployments.js';
import { taskSequencesMigration } from './20261207T0240-task-sequences.js';
import { updateRulesMigration } from './20261207T0310-update-rules.js';
import { customUpdateComplianceMigration } from './20261207T0330-custom-update-compliance.js';
import { catalogVersionCustomChangedMigration } from './20261207T0331-catalog-version-custom-changed.js';
import { bootImageHeartbeatMigration } from './20261207T0370-boot-image-heartbeat.js';
import { dpPxeMigration } from './20261207T0371-dp-pxe.js';
import { customUpdateMembersMigration } from './20261208T0420-custom-update-members.js';
import { customUpdatesInComplianceViewsMigration } from './20261208T0421-custom-updates-in-compliance-views.js';
import { osImagesMigration } from './20261208T0440-os-images.js';
import { dpMulticastMigration } from './20261208T0450-dp-multicast.js';
import { mediaMigration } from './20261208T0460-media.js';
import { mediaKindsMigration } from './20261208T0570-media-kinds.js';
import { osImageBuildsMigration } from './20261208T0490-os-image-builds.js';
import { primaryUsersMigration } from './20261208T0510-primary-users.js';
import { upgradePackagesMigration } from './20261208T0620-upgrade-packages.js';
import { taskSequenceBootRunsMigration } from './20261208T0700-task-sequence-boot-runs.js';
import { driverContentPackageMigration } from './20261208T0710-driver-content-package.js';
import { mediaCaptureKeyMigration } from './20261208T0740-media-capture-key.js';
import { userStateMigration } from './20261208T0550-user-state.js';
import { deploymentRestartNeedMigration } from './20261208T0600-deployment-restart-need.js';
import { updatePublishDatesMigration } from './20261208T0610-update-publish-dates.js';
import { customUpdatesInDeploymentStatusViewMigration } from './20261208T0470-custom-updates-in-deployment-status-view.js';
import { updateGroupsMigration } from './20261207T0000-update-groups.js';
import { agentVersionPackageMigration } from './20261206T2320-agent-version-package.js';
import { reportViewsMigration } from './20261207T0010-report-views.js';
import { reportCustomMigration } from './20261207T0010-report-custom.js';
import { advisoriesMigration } from './20261206T2350-advisories.js';
import { updateCatalogVersionsMigration } from './20261206T2340-update-catalog-versions.js';
import { updateApplicabilityMigration } from './20261206T2341-update-applicability.js';
import { updateComplianceMigration } from './20261206T2342-update-compliance.js';
import { customUpdatesMigration } from './20261207T0120-custom-updates.js';

/**
 * Every migration, by timestamped name. Forward only; a landed migration is never edited —
 * add a new one instead.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '20261122T1400-initial': initialMigration(dialect),
    '20261122T1700-software-distribution': softwareDistributionMigration(dialect),
    '20261206T1401-agent-versions': agentVersionsMigration(dialect),
    '20261206T1402-discovery': discoveryMigration(dialect),
    '20261206T1403-client-push': clientPushMigration(dialect),
    '20261206T1404-client-health': clientHealthMigration(dialect),
    '20261206T1405-agent-upgrades': agentUpgradesMigration(dialect),
    '20261206T1407-client-status': clientStatusMigration(dialect),
    '20261206T1408-client-activity': clientActivityMigration(dialect),
    '20261206T1409-collection-discovered-members': collectionDiscoveredMembersMigration(dialect),
    '20261206T2010-saved-views': savedViewsMigration(dialect),
    '20261206T2020-push-channel-presence': pushChannelPresenceMigration(dialect),
    '20261206T2030-discovered-member-rules': discoveredMemberRulesMigration(dialect),
    '20261206T2050-update-catalog': updateCatalogMigration(dialect),
    '20261206T2300-software-update-binary': softwareUpdateBinaryMigration(dialect),
    '20261206T2301-software-update-version-key-collation':
      softwareUpdateVersionKeyCollationMigration(dialect),
    '20261206T2320-agent-version-package': agentVersionPackageMigration(dialect),
    '20261206T2340-update-catalog-versions': updateCatalogVersionsMigration(dialect),
    '20261206T2341-update-applicability': updateApplicabilityMigration(dialect),
    '20261206T2342-update-compliance': updateComplianceMigration(dialect),
    '20261206T2350-advisories': advisoriesMigration(dialect),
    '20261207T0000-update-groups': updateGroupsMigration(dialect),
    '20261207T0010-report-custom': reportCustomMigration(dialect),
    '20261207T0010-report-views': reportViewsMigration(dialect),
    '20261207T0020-driver-catalog': driverCatalogMigration(dialect),
    '20261207T0100-update-deployments': updateDeploymentsMigration(dialect),
    '20261207T0120-custom-updates': customUpdatesMigration(dialect),
    '20261207T0150-update-report-views': updateReportViewsMigration(dialect),
    '20261207T0170-device-package-set-revoked': devicePackageSetRevokedMigration(dialect),
    '20261207T0200-boot-images': bootImagesMigration(dialect),
    '20261207T0240-task-sequences': taskSequencesMigration(dialect),
    '20261207T0310-update-rules': updateRulesMigration(dialect),
    '20261207T0320-update-deployment-status-view': updateDeploymentStatusViewMigration(dialect),
    '20261207T0330-custom-update-compliance': customUpdateComplianceMigration(dialect),
    '20261207T0331-catalog-version-custom-changed': catalogVersionCustomChangedMigration(dialect),
    '20261207T0340-package-set-device-count': packageSetDeviceCountMigration(dialect),
    '20261207T0350-task-sequence-deployments': taskSequenceDeploymentsMigration(dialect),
    '20261207T0370-boot-image-heartbeat': bootImageHeartbeatMigration(dialect),
    '20261207T0371-dp-pxe': dpPxeMigration(dialect),
    '20261208T0420-custom-update-members': customUpdateMembersMigration(dialect),
    '20261208T0421-custom-updates-in-compliance-views':
      customUpdatesInComplianceViewsMigration(dialect),
    '20261208T0440-os-images': osImagesMigration(dialect),
    '20261208T0450-dp-multicast': dpMulticastMigration(dialect),
    '20261208T0460-media': mediaMigration(dialect),
    '20261208T0470-custom-updates-in-deployment-status-view':
      customUpdatesInDeploymentStatusViewMigration(dialect),
    '20261208T0490-os-image-builds': osImageBuildsMigration(dialect),
    '20261208T0510-primary-users': primaryUsersMigration(dialect),
    '20261208T0550-user-state': userStateMigration(dialect),
    '20261208T0570-media-kinds': mediaKindsMigration(dialect),
    '20261208T0600-deployment-restart-need': deploymentRestartNeedMigration(dialect),
    '20261208T0610-update-publish-dates': updatePublishDatesMigration(dialect),
    '20261208T0620-upgrade-packages': upgradePackagesMigration(dialect),
    '20261208T0700-task-sequence-boot-runs': taskSequenceBootRunsMigration(dialect),
    '20261208T0710-driver-content-package': driverContentPackageMigration(),
    '20261208T0740-media-capture-key': mediaCaptureKeyMigration(dialect),
  };
}
