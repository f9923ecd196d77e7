import {
  CUSTOM_RULE_COMMAND_TIMEOUT,
  type CustomUpdate,
  type CustomUpdateInput,
  type DetectionRule,
  type DetectionRuleKind,
  type RuleSet,
  type UpdateClassification,
  type UpdateSeverity,
} from '@steward/protocol';

/**
 * The custom update form's model (no React): its draft, the draft of a saved update, the body
 * the API takes, and the rules' defaults and completeness.
 */

/** A fresh rule of a kind, its fields empty (the site refuses it until they are filled). */
export function emptyRule(kind: DetectionRuleKind): DetectionRule {
  switch (kind) {
    case 'package':
      return { kind, package: '', minVersion: '' };
    case 'file-exists':
      return { kind, path: '' };
    case 'file-sha256':
      return { kind, path: '', sha256: '' };
    case 'command':
      return {
        kind,
        command: '',
        exitCode: 0,
        timeoutSeconds: CUSTOM_RULE_COMMAND_TIMEOUT.default,
      };
  }
}

/** True when every field a rule needs has a value (the form's "missing" hint). */
export function ruleComplete(rule: DetectionRule): boolean {
  switch (rule.kind) {
    case 'package':
      return rule.package !== '' && rule.minVersion !== '';
    case 'file-exists':
      return rule.path !== '';
    case 'file-sha256':
      return rule.path !== '' && rule.sha256 !== '';
    case 'command':
      return rule.command !== '';
  }
}

/** A rule as the API takes it: an empty architecture is no architecture. */
export function cleanRule(rule: DetectionRule): DetectionRule {
  if (rule.kind === 'package' && !rule.architecture) {
    const { architecture: _none, ...rest } = rule;
    return rest;
  }
  return rule;
}

/** The identity export/import match on: vendor, product and version (one update each). */
export const IDENTITY = [
  ['vendor', 'Vendor'],
  ['product', 'Product'],
  ['version', 'Version'],
] as const;

export interface Draft {
  title: string;
  vendor: string;
  product: string;
  version: string;
  classification: UpdateClassification;
  severity: UpdateSeverity;
  description: string;
  cves: string[];
  links: string[];
  detection: RuleSet;
  applicable: boolean;
  applicability: RuleSet;
  installProgramId: string | null;
  uninstallProgramId: string | null;
}

export function draftOf(u: CustomUpdate | undefined): Draft {
  return {
    title: u?.title ?? '',
    vendor: u?.vendor ?? '',
    product: u?.product ?? '',
    version: u?.version ?? '',
    classification: u?.classification ?? 'updates',
    severity: u?.severity ?? 'unknown',
    description: u?.description ?? '',
    cves: u?.references.cves ?? [],
    links: u?.references.links ?? [],
    detection: u?.detection ?? { match: 'all', rules: [emptyRule('package')] },
    applicable: (u?.applicability ?? null) !== null,
    applicability: u?.applicability ?? { match: 'all', rules: [emptyRule('file-exists')] },
    installProgramId: u?.installProgram?.id ?? null,
    uninstallProgramId: u?.uninstallProgram?.id ?? null,
  };
}

const cleanSet = (s: RuleSet): RuleSet => ({ match: s.match, rules: s.rules.map(cleanRule) });

/** The draft as the API takes it (create and patch take the same fields). */
export function bodyOf(d: Draft): CustomUpdateInput {
  return {
    title: d.title.trim(),
    vendor: d.vendor.trim(),
    product: d.product.trim(),
    version: d.version.trim(),
    classification: d.classification,
    severity: d.severity,
    description: d.description.trim(),
    references: { cves: d.cves, links: d.links },
    detection: cleanSet(d.detection),
    applicability: d.applicable ? cleanSet(d.applicability) : null,
    installProgramId: d.installProgramId,
    uninstallProgramId: d.uninstallProgramId,
  };
}
