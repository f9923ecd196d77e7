import { describe, expect, it } from 'vitest';
import { emptyRecurrence } from './recurrence';
import {
  FIELD_STEP,
  deploymentBodyOf,
  emptyWizardForm,
  validateStep,
  wizardFieldOfError,
  type WizardForm,
} from './wizard-model';

const NOW = Date.parse('2030-06-01T12:00:00Z');

function form(patch: Partial<WizardForm>): WizardForm {
  return { ...emptyWizardForm(), programId: 'p1', collectionId: 'c1', ...patch };
}

describe('deployment wizard model', () => {
  it('builds a required ASAP body with the behaviour settings', () => {
    const body = deploymentBodyOf(
      form({ triggers: [{ key: 1, type: 'asap', start: '', recurrence: emptyRecurrence() }] }),
    );
    expect(body).toMatchObject({
      programId: 'p1',
      collectionId: 'c1',
      purpose: 'required',
      triggers: [{ type: 'asap' }],
      expiresAt: null,
      timeBase: 'utc',
      rerun: 'if-failed',
      preDownload: true,
      contentMode: 'download',
    });
    expect(body).not.toHaveProperty('name');
    expect(body).not.toHaveProperty('availableAt');
  });

  it('sends recurring runs with their recurrence and drops triggers of available deployments', () => {
    const at = {
      key: 1,
      type: 'at' as const,
      start: '2030-07-01T02:00',
      recurrence: { ...emptyRecurrence('weekly'), days: [3, 1] },
    };
    expect(deploymentBodyOf(form({ triggers: [at] })).triggers).toEqual([
      {
        type: 'at',
        start: '2030-07-01T02:00',
        recurrence: { kind: 'weekly', everyWeeks: 1, days: [1, 3] },
      },
    ]);
    const available = deploymentBodyOf(
      form({ purpose: 'available', triggers: [at], maxPostponeMinutes: 60 }),
    );
    expect(available.triggers).toEqual([]);
    expect(available.maxPostponeMinutes).toBe(0);
    expect(available.preDownload).toBe(false);
  });

  it('checks each step before moving on', () => {
    expect(validateStep(form({ programId: null }), 0, NOW)).toHaveProperty('programId');
    expect(validateStep(form({ collectionId: null }), 1, NOW)).toHaveProperty('collectionId');
    expect(validateStep(form({}), 2, NOW)).toHaveProperty('triggers');
    const past = {
      key: 1,
      type: 'at' as const,
      start: '2030-05-01T00:00',
      recurrence: emptyRecurrence(),
    };
    expect(validateStep(form({ triggers: [past] }), 2, NOW).triggers).toContain('in the past');
    // A past start of a recurring schedule is fine: it recurs from then on.
    expect(
      validateStep(form({ triggers: [{ ...past, recurrence: emptyRecurrence('daily') }] }), 2, NOW),
    ).toEqual({});
    expect(
      validateStep(
        form({
          purpose: 'available',
          availableAt: '2030-07-02T00:00',
          expiresAt: '2030-07-01T00:00',
        }),
        2,
        NOW,
      ),
    ).toHaveProperty('expiresAt');
    expect(validateStep(form({ maxPostponeMinutes: -1 }), 3, NOW)).toHaveProperty(
      'maxPostponeMinutes',
    );
  });

  it('sends a site error to the step and field it is about', () => {
    const cases: [string, unknown, string][] = [
      ['SCHEDULE_IN_PAST', { field: 'triggers[0].start' }, 'triggers'],
      ['SCHEDULE_IN_PAST', { field: 'expiresAt' }, 'expiresAt'],
      ['INVALID_SCHEDULE', { field: 'availableAt' }, 'availableAt'],
      ['COLLECTION_NOT_FOUND', undefined, 'collectionId'],
      ['PROGRAM_NOT_FOUND', undefined, 'programId'],
      ['CONTENT_MISSING', undefined, 'programId'],
      ['INVALID_INPUT', [{ path: '/maxPostponeMinutes' }], 'maxPostponeMinutes'],
    ];
    for (const [code, details, field] of cases)
      expect(wizardFieldOfError(code, details)).toBe(field);
    expect(FIELD_STEP.collectionId).toBe(1);
    expect(wizardFieldOfError('INTERNAL', undefined)).toBeNull();
  });
});
