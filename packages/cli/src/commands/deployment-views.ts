import {
  DEPLOYMENT_STATES,
  DeploymentOptions,
  describeSetting,
  settingEntries,
  shownLabel,
  type Deployment,
  type DeploymentDeviceState,
  type DeploymentSummary,
} from '@steward/protocol';
import { humanTime, orDash, plural, restartText, utcTime } from '../output/format.js';
import type { Printer } from '../output/printer.js';
import type { Style } from '../output/style.js';
import { describeTrigger } from './schedule-flags.js';
import { bar, paintState, percentText } from './software-common.js';

/** States in which a device still has something to do: `status --watch` waits for none. */
export const ACTIVE_STATES = [
  'targeted',
  'received',
  'waiting-content',
  'waiting-window',
  'running',
] as const;

const count = (s: DeploymentSummary, state: string): number => s.counts[state] ?? 0;

/** Counts folded into what a summary table shows. Reboot pending is a success. */
export function summaryGroups(s: DeploymentSummary): {
  succeeded: number;
  failed: number;
  inProgress: number;
} {
  return {
    succeeded: count(s, 'succeeded') + count(s, 'reboot-pending'),
    failed: count(s, 'failed'),
    inProgress: ACTIVE_STATES.reduce((n, state) => n + count(s, state), 0),
  };
}

export function deploymentSettled(s: DeploymentSummary): boolean {
  return ACTIVE_STATES.every((state) => count(s, state) === 0);
}

const CHART_WIDTH = 30;

/** The summary as a small bar chart: one line per state, bars scaled to the targeted devices. */
export function renderSummaryChart(s: DeploymentSummary, style: Style): string[] {
  const states = [
    ...DEPLOYMENT_STATES,
    ...Object.keys(s.counts).filter((k) => !DEPLOYMENT_STATES.some((d) => d === k)),
  ];
  const whole = Math.max(s.targeted, ...states.map((st) => count(s, st)));
  const label = Math.max(...states.map((st) => st.length));
  const digits = String(whole).length;
  const lines = states.map((state) => {
    const n = count(s, state);
    const painted = n > 0 ? paintState(state, style) : style.dim(state);
    const padding = ' '.repeat(label - state.length);
    const pct = whole > 0 && n > 0 ? `  ${percentText((n / whole) * 100).padStart(4)}` : '';
    return `  ${painted}${padding}  ${paintBar(state, bar(n, whole, CHART_WIDTH), style)}  ${String(n).padStart(digits)}${pct}`;
  });
  const overdue = s.overdue > 0 ? `, ${style.yellow(`${s.overdue} overdue`)}` : '';
  lines.push(
    `  ${plural(s.targeted, 'device')} targeted: ${percentText(s.successPercent)} succeeded, ${percentText(s.failurePercent)} failed${overdue}`,
  );
  return lines;
}

function paintBar(state: string, text: string, style: Style): string {
  if (state === 'succeeded' || state === 'reboot-pending') return style.green(text);
  if (state === 'failed') return style.red(text);
  return text;
}

export function purposeLabel(d: Pick<Deployment, 'purpose'>): string {
  return d.purpose === 'required' ? 'required' : 'available';
}

/** When a deployment runs, in words. */
export function describeSchedule(d: Deployment): string {
  if (d.purpose === 'available') return 'offered in the Software Center';
  if (d.triggers.length === 0) return 'no schedule (extra assignments only)';
  return d.triggers.map(describeTrigger).join('; ');
}

export function printDeployment(out: Printer, d: Deployment): void {
  const base = d.timeBase === 'local' ? 'client local time' : 'UTC';
  out.heading(d.name);
  out.fields([
    ['Id', d.id],
    ['Program', `${d.packageName}/${d.programName}`],
    ['Collection', d.collectionName],
    ['Purpose', purposeLabel(d)],
    ['Enabled', d.enabled ? 'yes' : out.style.yellow('no')],
    ['Schedule', describeSchedule(d)],
    ['Extra assignments', d.extraAssignments.join(', ') || '-'],
    ['Available from', orDash(d.availableAt)],
    ['Expires', orDash(d.expiresAt)],
    ['Times are', base],
    // Every deployment option but 'enabled' (shown above), labelled as the declaration says.
    ...settingEntries(DeploymentOptions)
      .filter(({ key }) => key !== 'enabled')
      .map(({ key, field }): [string, string] => [
        shownLabel(field),
        describeSetting(field, d[key]),
      ]),
    ['Revision', String(d.revision)],
    ['Phased deployment', orDash(d.phasedDeploymentId)],
    ['Created', `${utcTime(d.createdAt)} by ${d.createdBy}`],
  ]);
}

export const DEVICE_COLUMNS = [
  { header: 'HOSTNAME' },
  { header: 'STATE' },
  { header: 'EXIT', align: 'right' as const },
  { header: 'LAST RUN' },
  { header: 'NEXT RUN' },
  { header: 'REASON', flex: true },
];

export function deviceRow(r: DeploymentDeviceState, style: Style, now: Date): string[] {
  const progress =
    r.state === 'waiting-content' && r.bytesTotal !== null && r.bytesTotal > 0
      ? ` ${percentText(((r.bytesDone ?? 0) / r.bytesTotal) * 100)}`
      : '';
  return [
    r.hostname,
    paintState(r.state, style) + progress + (r.overdue ? ` ${style.yellow('(overdue)')}` : ''),
    r.exitCode === null ? '-' : String(r.exitCode),
    humanTime(r.lastRunAt, now),
    r.nextRunAt === null ? '-' : humanTime(r.nextRunAt, now),
    [r.reasonCode, r.reason, r.restart === null ? null : restartText(r.restart)]
      .filter((x) => x !== null && x !== '')
      .join(': ') || '-',
  ];
}
