import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page, pagingFields } from '../http/paging.js';
import {
  UpdateRollup,
  UpdateRule,
  UpdateRuleBody,
  UpdateRuleFilter,
  UpdateRulePatch,
  UpdateRulePreview,
  UpdateRuleRun,
} from './rule-schemas.js';

const tags = ['software-updates'];
const E = ErrorCode;

/** Automatic deployment rules (issue 10, ADR 0072). */
export const updateRuleOperations = defineOperations({
  listUpdateRules: {
    method: 'GET',
    path: '/update-rules',
    responses: { 200: Page(UpdateRule) },
    permission: 'read',
    errors: [],
    summary: 'Automatic deployment rules with their last run',
    tags,
  },
  createUpdateRule: {
    method: 'POST',
    path: '/update-rules',
    body: UpdateRuleBody,
    responses: { 201: UpdateRule },
    permission: 'deployments:write',
    errors: [
      E.UPDATE_RULE_NAME_TAKEN,
      E.UPDATE_RULE_INVALID,
      E.UPDATE_GROUP_NOT_FOUND,
      E.COLLECTION_NOT_FOUND,
    ],
    summary: 'Creates an automatic deployment rule',
    tags,
  },
  getUpdateRule: {
    method: 'GET',
    path: '/update-rules/:id',
    params: IdParams,
    responses: { 200: UpdateRule },
    permission: 'read',
    errors: [E.UPDATE_RULE_NOT_FOUND],
    summary: 'One automatic deployment rule (by id or name)',
    tags,
  },
  updateUpdateRule: {
    method: 'PATCH',
    path: '/update-rules/:id',
    params: IdParams,
    body: UpdateRulePatch,
    responses: { 200: UpdateRule },
    permission: 'deployments:write',
    errors: [
      E.UPDATE_RULE_NOT_FOUND,
      E.UPDATE_RULE_NAME_TAKEN,
      E.UPDATE_RULE_INVALID,
      E.COLLECTION_NOT_FOUND,
    ],
    summary: 'Changes a rule (the next run uses the change; earlier deployments stay)',
    tags,
  },
  deleteUpdateRule: {
    method: 'DELETE',
    path: '/update-rules/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'deployments:write',
    errors: [E.UPDATE_RULE_NOT_FOUND],
    summary: 'Removes a rule (its groups and deployments stay)',
    tags,
  },
  runUpdateRule: {
    method: 'POST',
    path: '/update-rules/:id/run',
    params: IdParams,
    responses: { 200: UpdateRuleRun },
    permission: 'deployments:write',
    errors: [E.UPDATE_RULE_NOT_FOUND, E.UPDATE_RULE_RUNNING],
    summary: 'Runs a rule now; the run (failed ones too) is in its history',
    tags,
  },
  listUpdateRuleRuns: {
    method: 'GET',
    path: '/update-rules/:id/runs',
    params: IdParams,
    query: Type.Object(
      { ...pagingFields({ maxLimit: 200, defaultLimit: 20 }) },
      { additionalProperties: false },
    ),
    responses: { 200: Page(UpdateRuleRun) },
    permission: 'read',
    errors: [E.UPDATE_RULE_NOT_FOUND],
    summary: "A rule's runs, newest first",
    tags,
  },
  previewUpdateRule: {
    method: 'POST',
    path: '/update-rules/preview',
    body: UpdateRuleFilter,
    responses: { 200: UpdateRulePreview },
    permission: 'read',
    errors: [],
    summary: 'What a filter matches now (current updates, newest first)',
    tags,
  },
});

/** Rollups per product and release (issue 10, ADR 0072). */
export const updateRollupOperations = defineOperations({
  listUpdateRollups: {
    method: 'GET',
    path: '/update-rollups',
    responses: { 200: Page(UpdateRollup) },
    permission: 'read',
    errors: [],
    summary: 'One rollup per update source: its latest applicable updates',
    tags,
  },
  getUpdateRollup: {
    method: 'GET',
    path: '/update-rollups/:id',
    params: IdParams,
    responses: { 200: UpdateRollup },
    permission: 'read',
    errors: [E.UPDATE_ROLLUP_NOT_FOUND],
    summary: "One source's rollup (by source id or name)",
    tags,
  },
  refreshUpdateRollup: {
    method: 'POST',
    path: '/update-rollups/:id/refresh',
    params: IdParams,
    responses: { 200: UpdateRollup },
    permission: 'software:write',
    errors: [
      E.UPDATE_ROLLUP_NOT_FOUND,
      E.UPDATE_ROLLUP_EMPTY,
      E.UPDATE_DEPLOYMENT_CONTENT_MISSING,
      E.UPDATE_DEPLOYMENT_SOURCE_FAILED,
    ],
    summary:
      "Brings the rollup's update group to exactly the latest set and publishes its content (deploy it as a group)",
    tags,
  },
});
