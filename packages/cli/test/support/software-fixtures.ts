import { DeploymentOptions, settingsDefaults } from '@steward/protocol';
import type {
  Deployment,
  DeploymentDeviceState,
  DeploymentSummary,
  DistributionPoint,
  DpContentStatus,
  DpGroup,
  Package,
  PackageContentStatus,
  PackageVersion,
  PhasedDeployment,
  Program,
} from '@steward/protocol';

/** Builders of software-distribution API objects for CLI tests. */

export function packageVersion(over: Partial<PackageVersion> = {}): PackageVersion {
  return {
    id: 'pv-1',
    packageId: 'pkg-1',
    number: 1,
    createdAt: '2025-06-01T11:00:00Z',
    createdBy: 'admin',
    fileCount: 2,
    sizeBytes: 2048,
    source: 'files',
    current: true,
    ...over,
  };
}

export function pkg(over: Partial<Package> = {}): Package {
  return {
    id: 'pkg-1',
    name: 'Firefox',
    publisher: 'Mozilla',
    version: '128.0',
    description: '',
    priority: 'medium',
    createdAt: '2025-05-01T00:00:00Z',
    updatedAt: '2025-06-01T11:00:00Z',
    currentVersion: packageVersion(),
    programCount: 1,
    dpTargeted: 2,
    dpInstalled: 1,
    ...over,
  };
}

export function program(over: Partial<Program> = {}): Program {
  return {
    id: 'prog-1',
    packageId: 'pkg-1',
    packageName: 'Firefox',
    name: 'Install',
    commandLine: './install.sh',
    workingDirectory: '.',
    runAs: 'root',
    maxRunMinutes: 120,
    successExitCodes: [0],
    rebootExitCodes: [],
    requirements: {},
    dependsOnProgramId: null,
    description: '',
    disabled: false,
    createdAt: '2025-05-01T00:00:00Z',
    updatedAt: '2025-05-01T00:00:00Z',
    ...over,
  };
}

export function dp(over: Partial<DistributionPoint> = {}): DistributionPoint {
  return {
    id: 'dp-1',
    name: 'branch-a',
    description: '',
    url: 'https://branch-a:8444',
    isSiteServer: false,
    protected: false,
    state: 'online',
    lastSeenAt: '2025-06-01T11:59:00Z',
    version: '0.1.0',
    groupIds: [],
    boundaryGroupIds: [],
    packagesTargeted: 2,
    packagesInstalled: 2,
    storedBytes: 5 * 1024 * 1024,
    ...over,
  };
}

export function dpGroup(over: Partial<DpGroup> = {}): DpGroup {
  return {
    id: 'dpg-1',
    name: 'Branches',
    description: '',
    memberIds: ['dp-1'],
    packageIds: ['pkg-1'],
    membersMissingContent: [],
    ...over,
  };
}

export function dpContent(over: Partial<DpContentStatus> = {}): DpContentStatus {
  return {
    packageId: 'pkg-1',
    packageName: 'Firefox',
    dpId: 'dp-1',
    dpName: 'branch-a',
    versionNumber: 1,
    state: 'installed',
    bytesDone: 2048,
    bytesTotal: 2048,
    message: null,
    updatedAt: '2025-06-01T11:58:00Z',
    validatedAt: null,
    ...over,
  };
}

export function contentStatus(
  rows: DpContentStatus[],
  over: Partial<PackageContentStatus> = {},
): PackageContentStatus {
  const installed = rows.filter((r) => r.state === 'installed').length;
  return {
    packageId: 'pkg-1',
    versionNumber: 1,
    targeted: rows.length,
    installed,
    distributing: rows.filter((r) => r.state === 'distributing' || r.state === 'pending').length,
    failed: rows.filter((r) => r.state === 'failed').length,
    percentComplete: rows.length === 0 ? 0 : (installed / rows.length) * 100,
    distributionPoints: rows,
    ...over,
  };
}

export function summary(
  counts: Record<string, number>,
  over: Partial<DeploymentSummary> = {},
): DeploymentSummary {
  const targeted = Object.values(counts).reduce((a, b) => a + b, 0);
  const ok = (counts['succeeded'] ?? 0) + (counts['reboot-pending'] ?? 0);
  return {
    deploymentId: 'dep-1',
    targeted,
    counts,
    overdue: 0,
    successPercent: targeted === 0 ? 0 : (ok / targeted) * 100,
    failurePercent: targeted === 0 ? 0 : ((counts['failed'] ?? 0) / targeted) * 100,
    ...over,
  };
}

export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep-1',
    name: 'Firefox to Web',
    programId: 'prog-1',
    programName: 'Install',
    packageId: 'pkg-1',
    packageName: 'Firefox',
    collectionId: 'col-1',
    collectionName: 'Web servers',
    purpose: 'required',
    triggers: [{ type: 'asap' }],
    availableAt: null,
    expiresAt: null,
    timeBase: 'utc',
    // Every option at its declared default (a new option needs no change here).
    ...settingsDefaults(DeploymentOptions),
    rerun: 'never',
    revision: 1,
    extraAssignments: [],
    phasedDeploymentId: null,
    createdAt: '2025-06-01T10:00:00Z',
    createdBy: 'admin',
    ...over,
  };
}

export function deviceState(over: Partial<DeploymentDeviceState> = {}): DeploymentDeviceState {
  return {
    deploymentId: 'dep-1',
    deviceId: 'dev-1',
    hostname: 'web-01',
    state: 'succeeded',
    reasonCode: null,
    reason: null,
    exitCode: 0,
    outputTail: null,
    restart: null,
    bytesDone: null,
    bytesTotal: null,
    lastRunAt: '2025-06-01T11:50:00Z',
    nextRunAt: null,
    runCount: 1,
    updatedAt: '2025-06-01T11:50:00Z',
    overdue: false,
    ...over,
  };
}

export function phased(over: Partial<PhasedDeployment> = {}): PhasedDeployment {
  return {
    id: 'ph-1',
    name: 'Firefox rollout',
    programId: 'prog-1',
    programName: 'Install',
    packageId: 'pkg-1',
    state: 'running',
    haltOnFailurePercent: 10,
    currentPhase: 1,
    haltReason: null,
    phases: [
      {
        index: 0,
        collectionId: 'col-p',
        collectionName: 'Pilot',
        successPercent: 90,
        soakMinutes: 60,
        state: 'completed',
        deploymentId: 'dep-p',
        startedAt: '2025-06-01T08:00:00Z',
        thresholdReachedAt: '2025-06-01T09:00:00Z',
        completedAt: '2025-06-01T10:00:00Z',
        summary: summary({ succeeded: 10 }),
      },
      {
        index: 1,
        collectionId: 'col-w',
        collectionName: 'Web servers',
        successPercent: 95,
        soakMinutes: 120,
        state: 'running',
        deploymentId: 'dep-w',
        startedAt: '2025-06-01T10:00:00Z',
        thresholdReachedAt: null,
        completedAt: null,
        summary: summary({ succeeded: 5, running: 4, failed: 1 }),
      },
      {
        index: 2,
        collectionId: 'all',
        collectionName: 'All Systems',
        successPercent: 95,
        soakMinutes: 0,
        state: 'waiting',
        deploymentId: null,
        startedAt: null,
        thresholdReachedAt: null,
        completedAt: null,
        summary: null,
      },
    ],
    createdAt: '2025-06-01T08:00:00Z',
    updatedAt: '2025-06-01T11:00:00Z',
    ...over,
  };
}
