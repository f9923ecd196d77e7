import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
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
