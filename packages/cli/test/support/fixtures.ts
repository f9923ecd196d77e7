import type {
  Collection,
  DeviceAction,
  DeviceDetail,
  DeviceSummary,
  StatusMessage,
  User,
} from '@steward/protocol';

export function device(over: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id: 'dev-1',
    name: 'web-01',
    osFamily: 'debian',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    machineType: 'virtual-machine',
    cpuModel: 'Xeon',
    memoryTotalMb: 16384,
    ipAddresses: ['10.0.0.5'],
    lastLoggedOnUser: 'alice',
    agentVersion: '0.1.0',
    enrolledAt: '2025-05-01T00:00:00Z',
    revokedAt: null,
    lastPolicyRequestAt: '2025-06-01T11:50:00Z',
    lastHeartbeatAt: '2025-06-01T11:57:00Z',
    lastInventoryAt: '2025-06-01T10:00:00Z',
    lastStatusAt: null,
    lastHardwareInventoryAt: '2025-06-01T10:00:00Z',
    lastSoftwareInventoryAt: null,
    lastContactAt: '2025-06-01T11:57:00Z',
    active: true,
    obsolete: false,
    obsoleteAt: null,
    activityCheckedAt: null,
    activityCheckOutcome: null,
    activityCheckDetail: null,
    online: true,
    packageCount: 512,
    ...over,
  };
}

/** What GET /devices/:id answers: the summary with inventory and memberships. */
export function deviceDetail(over: Partial<DeviceSummary> = {}): DeviceDetail {
  return { ...device(over), inventory: {}, packageSetHash: null, collections: [] };
}

export function collection(over: Partial<Collection> = {}): Collection {
  return {
    id: 'col-1',
    name: 'Web servers',
    description: '',
    builtin: false,
    limitingCollectionId: 'all',
    rules: [],
    evaluationIntervalMinutes: 60,
    memberCount: 0,
    lastEvaluatedAt: null,
    revision: 1,
    createdAt: '2025-05-01T00:00:00Z',
    updatedAt: '2025-05-01T00:00:00Z',
    ...over,
  };
}

export function action(over: Partial<DeviceAction> = {}): DeviceAction {
  return {
    id: 'act-1',
    deviceId: 'dev-1',
    action: 'policy:fetch',
    requestedBy: 'admin',
    requestedAt: '2025-06-01T12:00:00Z',
    deliveredAt: null,
    completedAt: null,
    state: 'pending',
    ...over,
  };
}

export function statusMessage(id: number, over: Partial<StatusMessage> = {}): StatusMessage {
  return {
    id: String(id),
    messageId: 40020,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    deviceId: 'dev-1',
    machine: 'web-01',
    siteCode: 'S01',
    at: '2025-06-01T11:59:00Z',
    receivedAt: '2025-06-01T11:59:01Z',
    insertionStrings: [],
    attributes: {},
    text: `message ${id}`,
    ...over,
  };
}

export function user(over: Partial<User> = {}): User {
  return {
    id: 'u-1',
    name: 'admin',
    role: 'full-administrator',
    disabled: false,
    createdAt: '2025-05-01T00:00:00Z',
    lastLoginAt: null,
    ...over,
  };
}
