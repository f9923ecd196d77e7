import {
  booleanSetting,
  choiceSetting,
  integerSetting,
  type SettingValues,
} from '../common/settings.js';

/** Thirty days in minutes: the longest postponement and the longest soak of a phase. */
const THIRTY_DAYS_MINUTES = 30 * 24 * 60;

/**
 * How devices run a deployment: the settings a deployment and every phase of a phased
 * deployment share. The deployment wizard's behaviour step, the phased-deployment form, the
 * CLI's `deployment create|update` and `phased-deployment create` flags, the site's validation,
 * defaults and PATCH column changes all come from this one declaration (ADR 0016): a new option
 * added here appears in each of them, and the site refuses to build until it has a column.
 */
export const DeploymentOptions = {
  rerun: choiceSetting({
    label: 'Rerun behaviour',
    help: 'When a device that already ran it gets a new run',
    render: 'select',
    choices: [
      { value: 'never', label: 'Never rerun' },
      { value: 'always', label: 'Always rerun' },
      { value: 'if-failed', label: 'Rerun if failed' },
      { value: 'if-succeeded', label: 'Rerun if succeeded' },
    ],
    default: 'if-failed',
    flag: { kind: 'value', name: 'rerun', placeholder: '<behaviour>' },
  }),
  /** 'download': download then execute (kept in cache); 'from-dp': fetched for the run only. */
  contentMode: choiceSetting({
    label: 'Content',
    help: 'Where the program runs its content from',
    render: 'radio',
    choices: [
      {
        value: 'download',
        label: 'Download content and run it locally (kept in the client cache)',
      },
      { value: 'from-dp', label: 'Run from the distribution point (fetched for the run only)' },
    ],
    default: 'download',
    flag: {
      kind: 'switch',
      name: 'from-dp',
      on: 'from-dp',
      off: 'download',
      onHelp: 'run from the distribution point (fetched for the run, not cached)',
      offHelp: 'download then execute',
    },
  }),
  /** Required: clients download content when it becomes available, before the deadline. */
  preDownload: booleanSetting({
    label: 'Make available before the deadline: clients pre-download the content',
    shortLabel: 'Pre-download before the deadline',
    help: 'Clients download the content when it becomes available, before the deadline',
    default: true,
    onlyWhen: { condition: 'required', otherwise: false },
    flag: {
      kind: 'switch',
      name: 'pre-download',
      on: true,
      off: false,
      onHelp: 'clients download content before the deadline',
      offHelp: 'clients download content only when the run is due',
    },
  }),
  /** Slow or unreliable boundary: false = do not run (wait for a fast one). */
  runOverSlowBoundary: booleanSetting({
    label: 'Run over a slow or unreliable boundary',
    shortLabel: 'Run over slow boundaries',
    help: 'Off: devices in a slow boundary group wait for a fast connection',
    default: false,
    flag: {
      kind: 'switch',
      name: 'run-over-slow',
      on: true,
      off: false,
      onHelp: 'also run over a slow or unreliable boundary',
      offHelp: 'do not run over a slow or unreliable boundary',
    },
  }),
  /** May clients use neighbour/fallback DPs when their own have no content. */
  allowFallback: booleanSetting({
    label: 'Allow a fallback distribution point',
    shortLabel: 'Fallback DPs',
    help: 'Neighbour and fallback DPs when the device’s own have no content',
    default: true,
    flag: {
      kind: 'switch',
      name: 'fallback',
      on: true,
      off: false,
      onHelp: 'clients may use neighbour and fallback DPs',
      offHelp: 'clients use only the DPs of their own boundary groups',
    },
  }),
  overrideMaintenanceWindows: booleanSetting({
    label: 'Run outside maintenance windows',
    help: 'Maintenance windows are set on collections (Collections › a collection › Maintenance windows)',
    default: false,
    flag: {
      kind: 'switch',
      name: 'override-windows',
      on: true,
      off: false,
      onHelp: 'run outside maintenance windows',
      offHelp: 'run only inside maintenance windows',
    },
  }),
  /** How long a user may postpone a required run from the Software Center (0 = not at all). */
  maxPostponeMinutes: integerSetting({
    label: 'Users may postpone a required run by up to',
    shortLabel: 'Users may postpone by up to',
    help: 'From the Software Center; 0 = not at all',
    unit: 'minutes',
    minimum: 0,
    maximum: THIRTY_DAYS_MINUTES,
    default: 0,
    onlyWhen: { condition: 'required', otherwise: 0 },
    flag: { kind: 'value', name: 'max-postpone-minutes', placeholder: '<n>' },
  }),
  enabled: booleanSetting({
    label: 'Enabled',
    help: 'A disabled deployment is kept but not offered or run',
    default: true,
    // `steward deployment enable|disable` owns it; a deployment is created enabled.
    flag: null,
  }),
};
export type DeploymentOptions = SettingValues<typeof DeploymentOptions>;

export const RerunBehaviour = DeploymentOptions.rerun.schema;
export type RerunBehaviour = DeploymentOptions['rerun'];
export const ContentMode = DeploymentOptions.contentMode.schema;
export type ContentMode = DeploymentOptions['contentMode'];

/** The longest a user may postpone a required run (the Software Center's own limit too). */
export const MAX_POSTPONE_MINUTES = THIRTY_DAYS_MINUTES;

/** The most phases a phased deployment has. */
export const MAX_PHASES = 20;

/**
 * One phase of a phased deployment: when the next phase starts. Declared like the options so
 * the form's and the CLI's limits and defaults are the schema's.
 */
export const PhaseSettings = {
  /** The next phase starts once this percent of the phase's devices succeeded... */
  successPercent: integerSetting({
    label: 'Success threshold',
    help: 'The next phase starts once this percent of the phase’s devices succeeded',
    unit: '%',
    minimum: 1,
    maximum: 100,
    default: 95,
    flag: null, // part of --phase COLLECTION:SUCCESS%:SOAK
  }),
  /** ...and then this long has passed (soak time). */
  soakMinutes: integerSetting({
    label: 'Soak',
    help: 'And then this long has passed',
    unit: 'minutes',
    minimum: 0,
    maximum: THIRTY_DAYS_MINUTES,
    default: 60,
    flag: null, // part of --phase COLLECTION:SUCCESS%:SOAK
  }),
};

/** The rollout halts by itself when a phase's failures pass this percent. */
export const HaltOnFailurePercent = integerSetting({
  label: 'Halt when a phase’s failures pass',
  help: 'The rollout halts by itself when a phase’s failures pass this percent',
  unit: '%',
  minimum: 1,
  maximum: 100,
  default: 10,
  flag: { kind: 'value', name: 'halt-on-failure', placeholder: '<percent>' },
});

/**
 * How a program runs, declared like the deployment options: the program form, the CLI's
 * `program create|update` flags and the site's defaults and columns come from it. (The command
 * line, working directory, exit codes and requirements are structured fields with their own
 * inputs; their schemas stay in `ProgramBody`.)
 */
export const ProgramOptions = {
  runAs: choiceSetting({
    label: 'Run as',
    help: 'Who runs the command',
    render: 'radio',
    choices: [
      { value: 'root', label: 'root' },
      { value: 'user', label: 'Logged-on user' },
    ],
    default: 'root',
    flag: { kind: 'value', name: 'run-as', placeholder: '<who>' },
  }),
  /** Killed (process group, SIGTERM then SIGKILL) after this long. */
  maxRunMinutes: integerSetting({
    label: 'Maximum run time',
    help: 'Killed after this long',
    unit: 'minutes',
    minimum: 1,
    maximum: 24 * 60,
    default: 120,
    flag: { kind: 'value', name: 'max-run-minutes', placeholder: '<n>' },
  }),
};
export type ProgramOptions = SettingValues<typeof ProgramOptions>;
