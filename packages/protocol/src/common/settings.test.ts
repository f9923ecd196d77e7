import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DeploymentOptions, MAX_POSTPONE_MINUTES } from '../deployments/options.js';
import { DeploymentBody, UpdateDeploymentRequest } from '../deployments/schemas.js';
import {
  describeSetting,
  effectiveSettings,
  patchedSettings,
  settingErrors,
  settingsDefaults,
  withSettingDefaults,
} from './settings.js';

describe('a settings declaration', () => {
  it('gives the defaults, and fills only what a partial input leaves out', () => {
    const defaults = settingsDefaults(DeploymentOptions);
    expect(Object.keys(defaults)).toEqual(Object.keys(DeploymentOptions));
    expect(defaults).toMatchObject({
      rerun: 'if-failed',
      contentMode: 'download',
      preDownload: true,
      runOverSlowBoundary: false,
      allowFallback: true,
      overrideMaintenanceWindows: false,
      maxPostponeMinutes: 0,
      enabled: true,
    });
    expect(
      withSettingDefaults(DeploymentOptions, { allowFallback: false, rerun: 'always' }),
    ).toEqual({ ...defaults, allowFallback: false, rerun: 'always' });
  });

  it('is the request schema: every field optional, limits enforced, unknown fields refused', () => {
    const base = { programId: 'p', collectionId: 'c', purpose: 'required' };
    expect(Value.Check(DeploymentBody, base)).toBe(true);
    expect(Value.Check(DeploymentBody, { ...base, maxPostponeMinutes: MAX_POSTPONE_MINUTES })).toBe(
      true,
    );
    expect(
      Value.Check(DeploymentBody, { ...base, maxPostponeMinutes: MAX_POSTPONE_MINUTES + 1 }),
    ).toBe(false);
    expect(Value.Check(UpdateDeploymentRequest, { rerun: 'sometimes' })).toBe(false);
    expect(Value.Check(UpdateDeploymentRequest, { runOverSlow: true })).toBe(false);
  });

  it('sends the inert value of a field whose condition does not hold', () => {
    const values = { ...settingsDefaults(DeploymentOptions), maxPostponeMinutes: 60 };
    const available = effectiveSettings(DeploymentOptions, values, { required: false });
    expect(available.preDownload).toBe(false);
    expect(available.maxPostponeMinutes).toBe(0);
    expect(effectiveSettings(DeploymentOptions, values, { required: true })).toEqual(values);
  });

  it('says which values the schema refuses, and describes values for people', () => {
    const values = { ...settingsDefaults(DeploymentOptions), maxPostponeMinutes: -1 };
    expect(settingErrors(DeploymentOptions, values)).toEqual({
      maxPostponeMinutes: `A whole number from 0 to ${MAX_POSTPONE_MINUTES} minutes`,
    });
    expect(describeSetting(DeploymentOptions.rerun, 'if-failed')).toBe('Rerun if failed');
    expect(describeSetting(DeploymentOptions.allowFallback, false)).toBe('No');
    expect(describeSetting(DeploymentOptions.maxPostponeMinutes, 30)).toBe('30 minutes');
  });
});

describe('patchedSettings', () => {
  it('takes exactly the declared fields a patch sets, nothing it leaves out or does not declare', () => {
    const patch = { preDownload: true, maxPostponeMinutes: 0, name: 'not a setting' };
    expect(patchedSettings(DeploymentOptions, patch)).toEqual({
      preDownload: true,
      maxPostponeMinutes: 0,
    });
    expect(patchedSettings(DeploymentOptions, {})).toEqual({});
  });
});
