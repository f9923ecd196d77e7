import { compareDebianVersions } from '../common/version.js';
import type { UpdateComplianceState } from './schemas.js';
import type { DetectionRule, RuleSet } from './custom-schemas.js';

/**
 * Evaluation of custom updates' rules (ADR 0059), pure: the agent supplies the probes that look
 * at the machine. Logic is three-valued: a rule that cannot be decided (a command that timed out,
 * a file that cannot be read, a package caught half-installed) is `unknown`, never false, so a
 * machine we could not read is reported Unknown rather than Required or Not required.
 */
export type RuleValue = true | false | 'unknown';

/** What a probe found for one rule, with the words a console shows for it. */
export interface RuleOutcome {
  value: RuleValue;
  detail: string;
}

/** Looks at the machine; every method answers `unknown` rather than throwing. */
export interface RuleProbes {
  /** The installed version, undefined when not installed, `unknown` when dpkg is mid-change. */
  packageVersion(name: string, arch: string | undefined): Promise<string | undefined | 'unknown'>;
  fileExists(path: string): Promise<RuleValue>;
  /** Lower-case hex SHA-256, undefined when absent, `unknown` when unreadable. */
  fileSha256(path: string): Promise<string | undefined | 'unknown'>;
  /** The exit code, or `unknown` (timed out, killed, could not start) with why. */
  command(command: string, timeoutSeconds: number): Promise<number | { unknown: string }>;
}

export async function evaluateRule(rule: DetectionRule, probes: RuleProbes): Promise<RuleOutcome> {
  switch (rule.kind) {
    case 'package': {
      const v = await probes.packageVersion(rule.package, rule.architecture);
      if (v === 'unknown') return { value: 'unknown', detail: `${rule.package} is half-installed` };
      if (v === undefined) return { value: false, detail: `${rule.package} is not installed` };
      const ok = compareDebianVersions(v, rule.minVersion) >= 0;
      return {
        value: ok,
        detail: `${rule.package} ${v} is ${ok ? 'at or above' : 'below'} ${rule.minVersion}`,
      };
    }
    case 'file-exists': {
      const value = await probes.fileExists(rule.path);
      const said = value === 'unknown' ? 'cannot be looked at' : value ? 'exists' : 'is absent';
      return { value, detail: `${rule.path} ${said}` };
    }
    case 'file-sha256': {
      const h = await probes.fileSha256(rule.path);
      if (h === 'unknown') return { value: 'unknown', detail: `${rule.path} cannot be read` };
      if (h === undefined) return { value: false, detail: `${rule.path} is absent` };
      const ok = h === rule.sha256;
      return { value: ok, detail: `${rule.path} ${ok ? 'has' : 'does not have'} the SHA-256` };
    }
    case 'command': {
      const want = rule.exitCode ?? 0;
      const r = await probes.command(rule.command, rule.timeoutSeconds ?? 30);
      if (typeof r !== 'number') return { value: 'unknown', detail: `command: ${r.unknown}` };
      return { value: r === want, detail: `command exited ${String(r)} (wanted ${String(want)})` };
    }
  }
}

/** all: false wins, then unknown; any: true wins, then unknown (Kleene logic). */
export function combine(match: RuleSet['match'], values: readonly RuleValue[]): RuleValue {
  const decisive = match === 'all' ? false : true;
  if (values.includes(decisive)) return decisive;
  if (values.includes('unknown')) return 'unknown';
  return !decisive;
}

/**
 * Evaluates a rule set. Rules run in order and stop once the answer is decided (an `any` set
 * whose first rule holds runs no command after it).
 */
export async function evaluateRuleSet(
  set: RuleSet,
  probes: RuleProbes,
): Promise<{ value: RuleValue; details: string[] }> {
  const values: RuleValue[] = [];
  const details: string[] = [];
  const decisive = set.match === 'all' ? false : true;
  for (const rule of set.rules) {
    const o = await evaluateRule(rule, probes);
    values.push(o.value);
    details.push(o.detail);
    if (o.value === decisive) break;
  }
  return { value: combine(set.match, values), details };
}

/** What a custom update's scan decides, with the rules' words (reasons for Unknown). */
export interface CustomUpdateEvaluation {
  state: UpdateComplianceState;
  details: string[];
}

/**
 * A custom update's state: applicability false is Not required (unknown: Unknown); then
 * detection true is Installed, false Required, unknown Unknown.
 */
export async function evaluateCustomUpdate(
  update: { detection: RuleSet; applicability: RuleSet | null },
  probes: RuleProbes,
): Promise<CustomUpdateEvaluation> {
  const details: string[] = [];
  if (update.applicability !== null) {
    const a = await evaluateRuleSet(update.applicability, probes);
    details.push(...a.details);
    if (a.value === false) return { state: 'not-required', details };
    if (a.value === 'unknown') return { state: 'unknown', details };
  }
  const d = await evaluateRuleSet(update.detection, probes);
  details.push(...d.details);
  const state = d.value === 'unknown' ? 'unknown' : d.value ? 'installed' : 'required';
  return { state, details };
}
