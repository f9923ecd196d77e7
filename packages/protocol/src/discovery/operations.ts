import { ErrorCode } from '../common/errors.js';
import { Type } from '@sinclair/typebox';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import { BulkDiscoveredActionRequest, BulkDiscoveredResult } from './bulk.js';
import {
  AddDiscoveredMemberRuleRequest,
  AddDiscoveredMembersRequest,
  DiscoveredMemberRule,
  DiscoveredCollectionMember,
  DiscoveredMachine,
  DiscoverySettings,
  ListDiscoveredQuery,
  ListSweepsQuery,
  StartSweepRequest,
  Sweep,
  UpdateDiscoverySettingsRequest,
} from './schemas.js';

const tags = ['discovery'];

/** Network discovery: sweeps of subnets and ranges for machines without an agent (ADR 0022). */
export const discoveryOperations = defineOperations({
  startSweep: {
    method: 'POST',
    path: '/discovery/sweeps',
    body: StartSweepRequest,
    responses: { 202: Sweep },
    permission: 'devices:write',
    errors: [
      ErrorCode.DISCOVERY_INVALID_TARGET,
      ErrorCode.DISCOVERY_TOO_MANY_ADDRESSES,
      ErrorCode.DISCOVERY_NO_TARGETS,
    ],
    summary: "Starts a sweep of the subnets and ranges given (default: the site's boundaries)",
    tags,
  },
  listSweeps: {
    method: 'GET',
    path: '/discovery/sweeps',
    query: ListSweepsQuery,
    responses: { 200: Page(Sweep) },
    permission: 'read',
    errors: [],
    summary: 'Sweeps, newest first',
    tags,
  },
  getSweep: {
    method: 'GET',
    path: '/discovery/sweeps/:id',
    params: IdParams,
    responses: { 200: Sweep },
    permission: 'read',
    errors: [ErrorCode.DISCOVERY_SWEEP_NOT_FOUND],
    summary: 'One sweep with its progress',
    tags,
  },
  cancelSweep: {
    method: 'POST',
    path: '/discovery/sweeps/:id/cancel',
    params: IdParams,
    responses: { 200: Sweep },
    permission: 'devices:write',
    errors: [ErrorCode.DISCOVERY_SWEEP_NOT_FOUND, ErrorCode.DISCOVERY_SWEEP_FINISHED],
    summary: 'Cancels a running sweep (what it found so far is kept)',
    tags,
  },
  listMachines: {
    method: 'GET',
    path: '/discovery/machines',
    query: ListDiscoveredQuery,
    responses: { 200: Page(DiscoveredMachine) },
    permission: 'read',
    errors: [],
    summary: 'Discovered machines, with the enrolled device each one is (if any)',
    tags,
  },
  bulkAction: {
    method: 'POST',
    path: '/discovery/machines/bulk-actions',
    body: BulkDiscoveredActionRequest,
    responses: { 200: BulkDiscoveredResult },
    // Each action checks the permission of its single counterpart (bulkDiscoveredPermission).
    permission: 'read',
    errors: [
      ErrorCode.FORBIDDEN,
      ErrorCode.BULK_COUNT_CHANGED,
      ErrorCode.BULK_TOO_MANY,
      ErrorCode.BULK_COLLECTION_REQUIRED,
      ErrorCode.BULK_ACCOUNT_REQUIRED,
      ErrorCode.COLLECTION_NOT_FOUND,
      ErrorCode.PUSH_ACCOUNT_NOT_FOUND,
      ErrorCode.PUSH_NO_TARGETS,
    ],
    summary:
      'Acts on many discovered machines at once (push the agent, add to a collection, forget): addresses or the list filter, resolved on the site',
    tags,
  },
  // Discovered machines as collection members (ADR 0030): a second member kind, by address.
  // Only client push and the collection's page read them; they have no agent to act on.
  listCollectionMembers: {
    method: 'GET',
    path: '/collections/:id/discovered-members',
    params: IdParams,
    responses: { 200: Type.Array(DiscoveredCollectionMember) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary:
      'The discovered machines a collection includes, by address or by rule (deviceId null: no agent)',
    tags,
  },
  addCollectionMembers: {
    method: 'POST',
    path: '/collections/:id/discovered-members',
    params: IdParams,
    body: AddDiscoveredMembersRequest,
    responses: { 200: Type.Array(DiscoveredCollectionMember) },
    permission: 'collections:write',
    errors: [ErrorCode.COLLECTION_NOT_FOUND, ErrorCode.DISCOVERY_MACHINE_NOT_FOUND],
    summary: 'Includes discovered machines in a collection (a push to it then targets them)',
    tags,
  },
  removeCollectionMember: {
    method: 'DELETE',
    path: '/collections/:id/discovered-members/:address',
    params: Type.Object(
      { id: Key, address: Type.String({ maxLength: 15 }) },
      { additionalProperties: false },
    ),
    responses: { 204: NoContent },
    permission: 'collections:write',
    errors: [
      ErrorCode.COLLECTION_NOT_FOUND,
      ErrorCode.DISCOVERY_MACHINE_NOT_FOUND,
      ErrorCode.DISCOVERY_MEMBER_INCLUDED_BY_RULE,
    ],
    summary:
      'Removes a discovered machine included by address (one a rule includes is refused: change the rule)',
    tags,
  },
  // Discovered machines as collection members by rule (ADR 0038): subnet, host name, guessed OS.
  listCollectionRules: {
    method: 'GET',
    path: '/collections/:id/discovered-rules',
    params: IdParams,
    responses: { 200: Type.Array(DiscoveredMemberRule) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: "A collection's rules for discovered members, with what each matches now",
    tags,
  },
  addCollectionRule: {
    method: 'POST',
    path: '/collections/:id/discovered-rules',
    params: IdParams,
    body: AddDiscoveredMemberRuleRequest,
    responses: { 200: DiscoveredMemberRule },
    permission: 'collections:write',
    errors: [ErrorCode.COLLECTION_NOT_FOUND, ErrorCode.DISCOVERED_RULE_INVALID],
    summary: 'Includes the discovered machines of a subnet, a host-name pattern or a guessed OS',
    tags,
  },
  removeCollectionRule: {
    method: 'DELETE',
    path: '/collections/:id/discovered-rules/:ruleId',
    params: Type.Object(
      { id: Key, ruleId: Type.String({ minLength: 1, maxLength: 64 }) },
      { additionalProperties: false },
    ),
    responses: { 204: NoContent },
    permission: 'collections:write',
    errors: [ErrorCode.COLLECTION_NOT_FOUND, ErrorCode.DISCOVERED_RULE_NOT_FOUND],
    summary: 'Removes a rule of discovered members from a collection',
    tags,
  },
  getSettings: {
    method: 'GET',
    path: '/discovery/settings',
    responses: { 200: DiscoverySettings },
    permission: 'read',
    errors: [],
    summary: 'Discovery limits and schedule',
    tags,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/discovery/settings',
    body: UpdateDiscoverySettingsRequest,
    responses: { 200: DiscoverySettings },
    permission: 'devices:write',
    errors: [],
    summary: 'Changes the discovery settings given',
    tags,
  },
});
