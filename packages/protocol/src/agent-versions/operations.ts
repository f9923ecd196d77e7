import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  DistributeRequest,
  PackageContentStatus,
  ValidateContentRequest,
} from '../distribution/schemas.js';
import {
  AgentPackageManifest,
  AgentUpgradeAttempt,
  AgentUpgradeState,
  DeviceUpgradeStatus,
  AgentVersion,
  AgentVersionPromotion,
  AgentVersionSettings,
  AgentVersionString,
  UpdateAgentVersionSettings,
} from './schemas.js';

const tags = ['client versions'];
const VersionParams = Type.Object({ version: AgentVersionString }, { additionalProperties: false });

/**
 * Agent versions as content (issue 9): a version's packages live in the content library (uploaded
 * hash-first through `content.missing` / `content.uploadFile`, then registered here); the site
 * settings say which version is production and which pre-production.
 */
export const agentVersionOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/agent-versions',
    responses: { 200: Type.Array(AgentVersion) },
    permission: 'read',
    errors: [],
    summary: 'Registered agent versions, newest first',
    tags,
  },
  get: {
    method: 'GET',
    path: '/agent-versions/:version',
    params: VersionParams,
    responses: { 200: AgentVersion },
    permission: 'read',
    errors: [ErrorCode.AGENT_VERSION_NOT_FOUND],
    summary: 'One agent version and its package files',
    tags,
  },
  register: {
    method: 'POST',
    path: '/agent-versions',
    body: AgentPackageManifest,
    responses: { 201: AgentVersion },
    permission: 'software:write',
    errors: [
      ErrorCode.AGENT_VERSION_EXISTS,
      ErrorCode.AGENT_PACKAGE_MANIFEST_INVALID,
      ErrorCode.CONTENT_MISSING,
      ErrorCode.CONTENT_SIZE_MISMATCH,
      ErrorCode.PACKAGE_NAME_TAKEN,
    ],
    summary:
      'Registers an agent version from its manifest (its files must be in the content library) and the content package that holds them',
    tags,
  },
  distribute: {
    method: 'POST',
    path: '/agent-versions/:version/distribute',
    params: VersionParams,
    body: DistributeRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [
      ErrorCode.AGENT_VERSION_NOT_FOUND,
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.DP_GROUP_NOT_FOUND,
      ErrorCode.CONTENT_MISSING,
      ErrorCode.PACKAGE_NAME_TAKEN,
    ],
    summary:
      "Distributes an agent version's packages to DPs and the members of DP groups (its content-library package, ADR 0042)",
    tags,
  },
  contentStatus: {
    method: 'GET',
    path: '/agent-versions/:version/content-status',
    params: VersionParams,
    responses: { 200: PackageContentStatus },
    permission: 'read',
    errors: [ErrorCode.AGENT_VERSION_NOT_FOUND],
    summary:
      "An agent version's content status on every DP it targets (empty when never distributed)",
    tags,
  },
  validate: {
    method: 'POST',
    path: '/agent-versions/:version/validate',
    params: VersionParams,
    body: ValidateContentRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [ErrorCode.AGENT_VERSION_NOT_FOUND, ErrorCode.DP_NOT_FOUND],
    summary: "Asks DPs (all, or those given) to re-hash an agent version's packages",
    tags,
  },
  getSettings: {
    method: 'GET',
    path: '/agent-version-settings',
    responses: { 200: AgentVersionSettings },
    permission: 'read',
    errors: [],
    summary: 'Production and pre-production agent versions, collections and upgrade window',
    tags,
  },
  updateSettings: {
    method: 'PUT',
    path: '/agent-version-settings',
    body: UpdateAgentVersionSettings,
    responses: { 200: AgentVersionSettings },
    permission: 'agent-versions:manage',
    errors: [ErrorCode.AGENT_VERSION_NOT_FOUND, ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Changes the client-version settings given (Full Administrator)',
    tags,
  },
  promote: {
    method: 'POST',
    path: '/agent-versions/promote',
    responses: { 200: AgentVersionPromotion },
    permission: 'agent-versions:manage',
    errors: [ErrorCode.AGENT_VERSION_NO_PREPRODUCTION],
    summary:
      'Promote pre-production client: the pre-production version becomes production (Full Administrator, audited)',
    tags,
  },
  upgrades: {
    method: 'GET',
    path: '/agent-upgrades',
    query: Type.Object(
      {
        state: Type.Optional(AgentUpgradeState),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(AgentUpgradeAttempt) },
    permission: 'read',
    errors: [],
    summary: 'Agent self-upgrade attempts across the site, latest first (optionally in one state)',
    tags,
  },
  deviceUpgradeStatus: {
    method: 'GET',
    path: '/devices/:id/agent-upgrade',
    params: IdParams,
    responses: { 200: DeviceUpgradeStatus },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "A device's client-version target (rollout, version) and its latest upgrade attempts",
    tags,
  },
});
