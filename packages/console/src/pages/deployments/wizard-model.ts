import {
  DeploymentOptions,
  effectiveSettings,
  mapSettings,
  pickSettings,
  settingErrors,
  settingsDefaults,
  type DeploymentBody,
  type DeploymentTrigger,
} from '@steward/protocol';
import { errorField } from '../../components/error-field';
import { recurrenceOf, type RecurrenceDraft } from './recurrence';

export interface TriggerDraft {
  /** Stable React key. */
  key: number;
  type: DeploymentTrigger['type'];
  /** `YYYY-MM-DDTHH:MM` for 'at'. */
  start: string;
  recurrence: RecurrenceDraft;
}

/**
 * Everything the deployment wizard edits across its steps: the program, collection and schedule,
 * a name, and every deployment option (declared in protocol, rendered by the behaviour step).
 */
export interface WizardForm extends DeploymentOptions {
  programId: string | null;
  collectionId: string | null;
  purpose: 'available' | 'required';
  triggers: TriggerDraft[];
  /** '' = now. */
  availableAt: string;
  /** '' = never. */
  expiresAt: string;
  timeBase: 'utc' | 'local';
  extraAssignments: string[];
  name: string;
}

export type WizardField = keyof WizardForm;
export type WizardErrors = Partial<Record<WizardField, string>>;

const BEHAVIOUR_STEP = 3;
/** Each deployment option is edited on the behaviour step. */
const OPTION_STEPS = mapSettings(DeploymentOptions, () => BEHAVIOUR_STEP);

export const STEP_TITLES = ['Program', 'Collection', 'Schedule', 'Behaviour', 'Review'] as const;

/** The step on which each field is edited: a site error sends the user there. */
export const FIELD_STEP: Record<WizardField, number> = {
  programId: 0,
  collectionId: 1,
  purpose: 2,
  triggers: 2,
  availableAt: 2,
  expiresAt: 2,
  timeBase: 2,
  extraAssignments: 2,
  name: BEHAVIOUR_STEP,
  ...OPTION_STEPS,
};

const STEP_BY_NAME = new Map<string, number>(Object.entries(FIELD_STEP));

/** Steps holding at least one error (the stepper paints them red). */
export function stepsWithErrors(errors: WizardErrors): Set<number> {
  const out = new Set<number>();
  for (const [field, message] of Object.entries(errors)) {
    const step = STEP_BY_NAME.get(field);
    if (message && step !== undefined) out.add(step);
  }
  return out;
}

export function emptyWizardForm(): WizardForm {
  return {
    programId: null,
    collectionId: null,
    purpose: 'required',
    triggers: [],
    availableAt: '',
    expiresAt: '',
    timeBase: 'utc',
    extraAssignments: [],
    name: '',
    ...settingsDefaults(DeploymentOptions),
  };
}

export function triggerOf(t: TriggerDraft): DeploymentTrigger {
  switch (t.type) {
    case 'asap':
      return { type: 'asap' };
    case 'on-enrolment':
      return { type: 'on-enrolment' };
    case 'at': {
      const recurrence = recurrenceOf(t.recurrence);
      return recurrence.kind === 'none'
        ? { type: 'at', start: t.start }
        : { type: 'at', start: t.start, recurrence };
    }
  }
}

const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** A UTC wall time as epoch ms (local wall times are judged by the site, per client zone). */
function utcMs(wall: string): number {
  return Date.parse(`${wall}:00Z`);
}

/** What the browser can tell before asking the site; the site is the judge of the rest. */
export function validateStep(f: WizardForm, step: number, now = Date.now()): WizardErrors {
  const e: WizardErrors = {};
  if (step === 0 && !f.programId) e.programId = 'Pick the program to run';
  if (step === 1 && !f.collectionId) e.collectionId = 'Pick the collection to deploy to';
  if (step === 2) {
    if (f.purpose === 'required' && f.triggers.length === 0)
      e.triggers = 'A required deployment needs at least one schedule';
    const bad = f.triggers.find((t) => t.type === 'at' && !WALL.test(t.start));
    if (bad) e.triggers = 'Give each scheduled run a date and time';
    else if (f.timeBase === 'utc') {
      const past = f.triggers.find(
        (t) => t.type === 'at' && t.recurrence.kind === 'none' && utcMs(t.start) < now,
      );
      if (past)
        e.triggers = `The one-off run at ${past.start.replace('T', ' ')} UTC is in the past`;
    }
    if (f.availableAt && !WALL.test(f.availableAt))
      e.availableAt = 'A date and time, or empty for now';
    if (f.expiresAt && !WALL.test(f.expiresAt)) e.expiresAt = 'A date and time, or empty for never';
    else if (f.expiresAt && f.availableAt && f.expiresAt <= f.availableAt)
      e.expiresAt = 'The expiry must come after the availability';
    else if (f.expiresAt && f.timeBase === 'utc' && utcMs(f.expiresAt) < now)
      e.expiresAt = 'The expiry is in the past';
    if (f.extraAssignments.some((a) => !WALL.test(a)))
      e.extraAssignments = 'Give each extra assignment a date and time';
  }
  if (step === BEHAVIOUR_STEP)
    Object.assign(e, settingErrors(DeploymentOptions, pickSettings(DeploymentOptions, f)));
  return e;
}

/** The request body. Extra assignments are added after creation (POST /deployments/:id/assignments). */
export function deploymentBodyOf(f: WizardForm): DeploymentBody {
  const required = f.purpose === 'required';
  return {
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    programId: f.programId ?? '',
    collectionId: f.collectionId ?? '',
    purpose: f.purpose,
    triggers: required ? f.triggers.map(triggerOf) : [],
    ...(f.availableAt ? { availableAt: f.availableAt } : {}),
    expiresAt: f.expiresAt || null,
    timeBase: f.timeBase,
    ...effectiveSettings(DeploymentOptions, pickSettings(DeploymentOptions, f), { required }),
  };
}

const BODY_FIELDS: Record<string, WizardField> = {
  programId: 'programId',
  collectionId: 'collectionId',
  purpose: 'purpose',
  triggers: 'triggers',
  availableAt: 'availableAt',
  expiresAt: 'expiresAt',
  timeBase: 'timeBase',
  at: 'extraAssignments',
  name: 'name',
  ...mapSettings(DeploymentOptions, (k) => k),
};

/**
 * The field a site error belongs to: the field its details name first, then its code (a missing
 * program or content belongs to the program step, an unknown collection to the collection step).
 */
export function wizardFieldOfError(code: string, details: unknown): WizardField | null {
  const named = errorField(details);
  if (named !== undefined && named in BODY_FIELDS) return BODY_FIELDS[named] ?? null;
  if (code.startsWith('COLLECTION')) return 'collectionId';
  if (code.startsWith('PROGRAM') || code.startsWith('PACKAGE') || code.startsWith('CONTENT'))
    return 'programId';
  if (code.includes('SCHEDULE')) return 'triggers';
  if (code.includes('NAME')) return 'name';
  return null;
}
