import { Anchor, Badge, Group, Table } from '@mantine/core';
import type {
  ComplianceListState,
  UpdateClassification,
  UpdateComplianceCounts,
  UpdateSeverity,
} from '@steward/protocol';
import { Link } from 'react-router-dom';
import type { StateCountRow } from '../../components/state-counts-donut';

/** Query keys of the update pages, so a change on one page refreshes the others. */
export const UPDATE_KEYS = {
  groups: 'update-groups',
  advisories: 'advisories',
  compliance: 'update-compliance',
} as const;

const CLASS_COLOR: Record<UpdateClassification, string> = {
  security: 'red',
  updates: 'blue',
  other: 'gray',
};

const SEVERITY_COLOR: Record<UpdateSeverity, string> = {
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'teal',
  unknown: 'gray',
};

export function ClassificationBadge({ value }: { value: UpdateClassification }) {
  return (
    <Badge color={CLASS_COLOR[value]} variant="light">
      {value}
    </Badge>
  );
}

export function SeverityBadge({ value }: { value: UpdateSeverity }) {
  return (
    <Badge color={SEVERITY_COLOR[value]} variant={value === 'unknown' ? 'outline' : 'light'}>
      {value}
    </Badge>
  );
}

/** Links of CVE ids (to the CVE view) or advisory ids (to the advisory page). */
export function IdLinks(props: { ids: readonly string[]; kind: 'cve' | 'advisory'; max?: number }) {
  const max = props.max ?? props.ids.length;
  const base = props.kind === 'cve' ? '/monitoring/cves/' : '/software/advisories/';
  if (props.ids.length === 0) return <>—</>;
  return (
    <Group gap={6}>
      {props.ids.slice(0, max).map((id) => (
        <Anchor key={id} component={Link} to={`${base}${encodeURIComponent(id)}`} size="sm">
          {id}
        </Anchor>
      ))}
      {props.ids.length > max && `+${(props.ids.length - max).toLocaleString()}`}
    </Group>
  );
}

/** The compliance states of one update, in the order a chart shows them. */
export const COMPLIANCE_STATES: readonly {
  state: ComplianceListState;
  key: keyof UpdateComplianceCounts;
  label: string;
  color: string;
  chart: string;
}[] = [
  { state: 'installed', key: 'installed', label: 'Installed', color: 'teal', chart: 'teal.6' },
  { state: 'required', key: 'required', label: 'Required', color: 'red', chart: 'red.6' },
  { state: 'held', key: 'held', label: 'Held back', color: 'orange', chart: 'orange.5' },
  { state: 'pinned', key: 'pinned', label: 'Pinned', color: 'yellow', chart: 'yellow.5' },
  {
    state: 'not-required',
    key: 'notRequired',
    label: 'Not required',
    color: 'gray',
    chart: 'gray.4',
  },
  { state: 'unknown', key: 'unknown', label: 'Unknown', color: 'dark', chart: 'dark.3' },
];

export function complianceRows(
  counts: UpdateComplianceCounts | undefined,
): StateCountRow<ComplianceListState>[] {
  return COMPLIANCE_STATES.map((s) => ({
    state: s.state,
    label: s.label,
    color: s.color,
    chart: s.chart,
    count: counts?.[s.key] ?? 0,
  }));
}

export function ComplianceStateBadge(props: { state: string; hold: string | null }) {
  const shown = props.hold ?? props.state;
  const def = COMPLIANCE_STATES.find((s) => s.state === shown);
  return (
    <Badge color={def?.color ?? 'gray'} variant="light" data-testid="compliance-state">
      {def?.label ?? shown}
    </Badge>
  );
}

/** The classification and severity cells of an update row (apt and custom lists alike). */
export function ClassSeverityCells(props: {
  classification: UpdateClassification;
  severity: UpdateSeverity;
}) {
  return (
    <>
      <Table.Td>
        <ClassificationBadge value={props.classification} />
      </Table.Td>
      <Table.Td>
        <SeverityBadge value={props.severity} />
      </Table.Td>
    </>
  );
}
