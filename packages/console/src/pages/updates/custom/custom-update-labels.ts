import type { DetectionRule, DetectionRuleKind, RuleSet } from '@steward/protocol';

/** The query key of every custom update request (list, one, compliance). */
export const CUSTOM_UPDATES_KEY = 'custom-updates';

export const customUpdatePath = (id: string) =>
  `/software/custom-updates/${encodeURIComponent(id)}`;

export const RULE_KIND_LABEL: Record<DetectionRuleKind, string> = {
  package: 'Package version',
  'file-exists': 'File exists',
  'file-sha256': 'File hash (SHA-256)',
  command: 'Command exit code',
};

/**
 * What the form says for each refusal of the custom update operations, by its stable code
 * (never by its text): the section it belongs to and the sentence shown there.
 */
export const CUSTOM_UPDATE_REFUSALS: Record<
  string,
  { place: 'identity' | 'programs' | 'rules' | 'form'; message: string }
> = {
  CUSTOM_UPDATE_EXISTS: {
    place: 'identity',
    message: 'A custom update with this vendor, product and version exists already.',
  },
  CUSTOM_UPDATE_PROGRAM_NOT_FOUND: {
    place: 'programs',
    message: 'The chosen install or uninstall program is no longer in the content library.',
  },
  CUSTOM_UPDATE_NOT_FOUND: {
    place: 'form',
    message: 'This custom update was deleted meanwhile.',
  },
  INVALID_INPUT: {
    place: 'form',
    message: 'The site refused a field (a path, version, hash or link that does not fit):',
  },
};

/** One rule in words, as the list and the group page show it. */
export function describeRule(rule: DetectionRule): string {
  switch (rule.kind) {
    case 'package':
      return `${rule.package}${rule.architecture ? `:${rule.architecture}` : ''} >= ${rule.minVersion}`;
    case 'file-exists':
      return `file ${rule.path}`;
    case 'file-sha256':
      return `sha256 ${rule.path} = ${rule.sha256.slice(0, 12)}…`;
    case 'command':
      return `\`${rule.command}\` exits ${rule.exitCode ?? 0}`;
  }
}

export function describeRuleSet(set: RuleSet): string {
  return set.rules.map(describeRule).join(set.match === 'all' ? ' and ' : ' or ');
}
