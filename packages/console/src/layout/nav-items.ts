import {
  IconAdjustments,
  IconArrowBigUpLines,
  IconVersions,
  IconActivityHeartbeat,
  IconChartBar,
  IconChartDonut,
  IconMapPin,
  IconPackage,
  IconRadar,
  IconRocket,
  IconSend,
  IconServer2,
  IconServerBolt,
  IconStairsUp,
  IconStethoscope,
  IconCategory2,
  IconDevices,
  IconKey,
  IconListDetails,
  IconMessages,
  IconSettings,
  IconShieldCheck,
  IconCpu,
  IconBrandDebian,
  IconDisc,
  IconDeviceFloppy,
  IconUsers,
  IconReportAnalytics,
  IconAlertTriangle,
  IconShieldHalfFilled,
  IconListTree,
  IconDeviceDesktopQuestion,
  IconDeviceDesktopPlus,
  IconUserShare,
} from '@tabler/icons-react';
import type { Icon } from '@tabler/icons-react';
import type { Permission } from '@steward/protocol';

export interface NavItem {
  label: string;
  to: string;
  icon: Icon;
  testId: string;
  /** Hidden from users whose role lacks it (the page still explains a 403 if opened directly). */
  permission?: Permission;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

export const NAV_SECTIONS: NavSection[] = [
  {
    label: 'Assets and compliance',
    items: [
      { label: 'Devices', to: '/devices', icon: IconDevices, testId: 'nav-devices' },
      { label: 'Collections', to: '/collections', icon: IconCategory2, testId: 'nav-collections' },
    ],
  },
  {
    label: 'Software library',
    items: [
      { label: 'Packages', to: '/software/packages', icon: IconPackage, testId: 'nav-packages' },
      { label: 'Deployments', to: '/deployments', icon: IconRocket, testId: 'nav-deployments' },
      {
        label: 'Phased deployments',
        to: '/phased-deployments',
        icon: IconStairsUp,
        testId: 'nav-phased-deployments',
      },
      {
        label: 'Software updates',
        to: '/software/updates',
        icon: IconShieldCheck,
        testId: 'nav-software-updates',
      },
      { label: 'Drivers', to: '/software/drivers', icon: IconCpu, testId: 'nav-drivers' },
      {
        label: 'Boot images',
        to: '/software/boot-images',
        icon: IconDisc,
        testId: 'nav-boot-images',
      },
      {
        label: 'Task-sequence media',
        to: '/software/media',
        icon: IconDeviceFloppy,
        testId: 'nav-media',
      },
      {
        label: 'Operating system images',
        to: '/software/os-images',
        icon: IconBrandDebian,
        testId: 'nav-os-images',
      },
      {
        label: 'Upgrade packages',
        to: '/software/upgrade-packages',
        icon: IconArrowBigUpLines,
        testId: 'nav-upgrade-packages',
      },
      {
        label: 'Advisories',
        to: '/software/advisories',
        icon: IconAlertTriangle,
        testId: 'nav-advisories',
      },
    ],
  },
  {
    // Software library › Operating systems (issue 11): task sequences, their deployments and
    // the computers that boot without an agent.
    label: 'Operating systems',
    items: [
      {
        label: 'Task sequences',
        to: '/software/task-sequences',
        icon: IconListTree,
        testId: 'nav-task-sequences',
      },
      {
        label: 'Sequence deployments',
        to: '/software/task-sequence-deployments',
        icon: IconRocket,
        testId: 'nav-task-sequence-deployments',
      },
      {
        label: 'Unknown computers',
        to: '/software/unknown-computers',
        icon: IconDeviceDesktopQuestion,
        testId: 'nav-unknown-computers',
      },
      {
        label: 'Imported computers',
        to: '/software/imported-computers',
        icon: IconDeviceDesktopPlus,
        testId: 'nav-imported-computers',
      },
      {
        label: 'User state',
        to: '/software/user-state',
        icon: IconUserShare,
        testId: 'nav-user-state',
      },
    ],
  },
  {
    label: 'Monitoring',
    items: [
      {
        label: 'Client activity',
        to: '/monitoring/client-activity',
        icon: IconActivityHeartbeat,
        testId: 'nav-client-activity',
      },
      {
        label: 'Client status',
        to: '/monitoring/client-status',
        icon: IconChartDonut,
        testId: 'nav-client-status',
      },
      {
        label: 'Client health',
        to: '/monitoring/client-health',
        icon: IconStethoscope,
        testId: 'nav-client-health',
      },
      {
        label: 'Status messages',
        to: '/monitoring/status-messages',
        icon: IconMessages,
        testId: 'nav-status-messages',
      },
      {
        label: 'Client push',
        to: '/monitoring/client-push',
        icon: IconSend,
        testId: 'nav-client-push',
      },
      {
        label: 'Reports',
        to: '/monitoring/reports',
        icon: IconReportAnalytics,
        testId: 'nav-reports',
      },
      {
        label: 'Discovery',
        to: '/monitoring/discovery',
        icon: IconRadar,
        testId: 'nav-discovery',
      },
      {
        label: 'Software reports',
        to: '/reports/software',
        icon: IconChartBar,
        testId: 'nav-software-reports',
      },
      {
        label: 'Update compliance',
        to: '/monitoring/update-compliance',
        icon: IconShieldHalfFilled,
        testId: 'nav-update-compliance',
      },
    ],
  },
  {
    label: 'Administration',
    items: [
      {
        label: 'Enrolment tokens',
        to: '/admin/enrolment-tokens',
        icon: IconKey,
        testId: 'nav-tokens',
      },
      {
        label: 'Users',
        to: '/admin/users',
        icon: IconUsers,
        testId: 'nav-users',
        permission: 'users:write',
      },
      {
        label: 'Inventory classes',
        to: '/admin/inventory-classes',
        icon: IconListDetails,
        testId: 'nav-inventory-classes',
      },
      {
        label: 'Client settings',
        to: '/admin/client-settings',
        icon: IconSettings,
        testId: 'nav-client-settings',
      },
      {
        label: 'Client push settings',
        to: '/admin/client-push-settings',
        icon: IconSend,
        testId: 'nav-client-push-settings',
      },
      {
        label: 'Client versions',
        to: '/admin/client-versions',
        icon: IconVersions,
        testId: 'nav-client-versions',
      },
      {
        label: 'Site settings',
        to: '/admin/site-settings',
        icon: IconAdjustments,
        testId: 'nav-site-settings',
      },
      {
        label: 'Distribution points',
        to: '/admin/distribution-points',
        icon: IconServer2,
        testId: 'nav-distribution-points',
      },
      {
        label: 'DP groups',
        to: '/admin/dp-groups',
        icon: IconServerBolt,
        testId: 'nav-dp-groups',
      },
      {
        label: 'Boundaries',
        to: '/admin/boundaries',
        icon: IconMapPin,
        testId: 'nav-boundaries',
      },
      {
        label: 'Audit log',
        to: '/admin/audit-log',
        icon: IconShieldCheck,
        testId: 'nav-audit-log',
        permission: 'audit:read',
      },
    ],
  },
];
