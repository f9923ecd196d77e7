import {
  ActionIcon,
  Alert,
  Button,
  Divider,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowDown, IconPlus, IconX } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  HaltOnFailurePercent,
  MAX_RULE_COLLECTIONS,
  ops,
  PhaseSettings,
  pickSettings,
  settingsDefaults,
  UPDATE_SEVERITY_ORDER,
  UpdateRuleScheduleOptions,
  UpdateRuleTemplateOptions,
  type SettingValues,
  type UpdateClassification,
  type UpdateRule,
  type UpdateRuleBody,
  type UpdateRuleFilter,
  type UpdateRuleGroupMode,
  type UpdateSeverity,
} from '@steward/protocol';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../../api/errors';
import { CollectionSelect } from '../../../components/collection-select';
import { errorField } from '../../../components/error-field';
import { ErrorState } from '../../../components/error-state';
import { FormActions, missingFields } from '../../../components/form-actions';
import { PageHeader } from '../../../components/page-header';
import { SettingsFields } from '../../../components/settings-fields';
import { UpdatesTable } from '../update-catalog-table';
import { useUpdateGroups } from '../update-groups';
import { UPDATES_KEY } from '../update-sources-panel';
import { describeFilter, RULE_KEYS, rulePath } from './rule-labels';
import { useUpdateRule } from './rule-queries';
import { ApiError } from '@steward/protocol';

/** The phased rollout's thresholds, as the phased deployments declare them (ADR 0016). */
const PhasingOptions = { ...PhaseSettings, haltOnFailurePercent: HaltOnFailurePercent };
type Phasing = SettingValues<typeof PhasingOptions>;
type Schedule = SettingValues<typeof UpdateRuleScheduleOptions>;
type Template = SettingValues<typeof UpdateRuleTemplateOptions>;

const CLASSES: readonly UpdateClassification[] = ['security', 'updates', 'other'];

interface Draft {
  name: string;
  description: string;
  filter: UpdateRuleFilter;
  groupMode: UpdateRuleGroupMode;
  groupId: string | null;
  collections: { key: number; id: string | null }[];
  phased: boolean;
  phasing: Phasing;
  schedule: Schedule;
  template: Template;
}

let nextKey = 1;
const slot = (id: string | null = null) => ({ key: nextKey++, id });

function draftOf(rule: UpdateRule | undefined): Draft {
  return {
    name: rule?.name ?? '',
    description: rule?.description ?? '',
    filter: rule?.filter ?? { classifications: ['security'] },
    groupMode: rule?.groupMode ?? 'existing-group',
    groupId: rule?.groupId ?? null,
    collections: rule ? rule.collectionIds.map((id) => slot(id)) : [slot()],
    phased: rule ? rule.phased !== null : false,
    phasing: rule?.phased ?? settingsDefaults(PhasingOptions),
    schedule: rule
      ? pickSettings(UpdateRuleScheduleOptions, rule)
      : settingsDefaults(UpdateRuleScheduleOptions),
    template: rule
      ? pickSettings(UpdateRuleTemplateOptions, rule)
      : settingsDefaults(UpdateRuleTemplateOptions),
  };
}

/** A filter field left empty is no filter at all (the API refuses empty lists and strings). */
function cleanFilter(f: UpdateRuleFilter): UpdateRuleFilter {
  return Object.fromEntries(
    Object.entries(f).filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
}

/** The updates a filter matches now: the rule's preview, refreshed as the filter changes. */
function RulePreview({ filter }: { filter: UpdateRuleFilter }) {
  const [debounced] = useDebouncedValue(JSON.stringify(filter), 300);
  const preview = useQuery({
    queryKey: [RULE_KEYS.rules, 'preview', debounced],
    queryFn: () =>
      api.call(ops.updateRules.previewUpdateRule, {
        body: JSON.parse(debounced) as UpdateRuleFilter, // eslint-disable-line @typescript-eslint/consistent-type-assertions -- our own JSON.stringify of a filter, one line above
      }),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="xs" data-testid="rule-preview">
      <Text size="sm" fw={600} data-testid="rule-preview-total">
        {preview.data
          ? `${preview.data.total.toLocaleString()} current updates match now`
          : 'Matching…'}
      </Text>
      {preview.isError ? (
        <ErrorState error={preview.error} what="the preview" />
      ) : (
        <UpdatesTable
          testId="rule-preview-table"
          items={preview.data?.items}
          loading={preview.isPending}
        />
      )}
    </Stack>
  );
}

/** The section of the form a refusal belongs to: its code, then the field it names. */
function placeOf(error: unknown): 'name' | 'filter' | 'group' | 'collections' | 'form' {
  const code = errorCode(error);
  const field = error instanceof ApiError ? errorField(error.details) : undefined;
  if (code === 'UPDATE_RULE_NAME_TAKEN' || field === 'name') return 'name';
  if (code === 'UPDATE_GROUP_NOT_FOUND' || field === 'groupId') return 'group';
  if (code === 'COLLECTION_NOT_FOUND' || field === 'collectionIds') return 'collections';
  if (field === 'filter') return 'filter';
  return 'form';
}

function FilterFields(props: {
  filter: UpdateRuleFilter;
  onChange: (f: UpdateRuleFilter) => void;
  error: string | undefined;
}) {
  const { filter: f, onChange } = props;
  const sources = useQuery({
    queryKey: [UPDATES_KEY, 'sources'],
    queryFn: () => api.call(ops.updateCatalog.listSources, {}),
  });
  const set = (patch: Partial<UpdateRuleFilter>) => onChange({ ...f, ...patch });
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }}>
      <MultiSelect
        label="Classification"
        placeholder={f.classifications?.length ? undefined : 'Any'}
        data={CLASSES.map((c) => ({ value: c, label: c }))}
        value={f.classifications ?? []}
        onChange={(v) => set({ classifications: CLASSES.filter((c) => v.includes(c)) })}
        data-testid="rule-filter-classification"
      />
      <Select
        label="Severity at least"
        placeholder="Any"
        data={UPDATE_SEVERITY_ORDER.map((s) => ({ value: s, label: s }))}
        value={f.minSeverity ?? null}
        onChange={(v) =>
          set({ minSeverity: UPDATE_SEVERITY_ORDER.find((s): s is UpdateSeverity => s === v) })
        }
        clearable
        data-testid="rule-filter-severity"
      />
      <MultiSelect
        label="Source"
        placeholder={f.sourceIds?.length ? undefined : 'Any'}
        data={(sources.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={f.sourceIds ?? []}
        onChange={(v) => set({ sourceIds: v })}
        error={props.error}
        data-testid="rule-filter-source"
      />
      <NumberInput
        label="At least this old"
        description="Days since a sync first saw it"
        suffix=" days"
        min={0}
        max={3650}
        allowDecimal={false}
        value={f.minAgeDays ?? ''}
        onChange={(v) => set({ minAgeDays: typeof v === 'number' ? v : undefined })}
        data-testid="rule-filter-age"
      />
      <TextInput
        label="Title"
        description="Text in the source or a binary package's name"
        value={f.text ?? ''}
        maxLength={200}
        onChange={(e) => set({ text: e.currentTarget.value })}
        data-testid="rule-filter-text"
      />
      <TextInput
        label="CVE"
        description="Only updates that fix it"
        placeholder="CVE-2024-1234"
        value={f.cve ?? ''}
        onChange={(e) => set({ cve: e.currentTarget.value.trim() })}
        data-testid="rule-filter-cve"
      />
    </SimpleGrid>
  );
}

function CollectionPhases(props: { draft: Draft; set: (p: Partial<Draft>) => void }) {
  const { draft, set } = props;
  const { collections } = draft;
  const setAt = (i: number, id: string | null) =>
    set({ collections: collections.map((c, j) => (j === i ? { ...c, id } : c)) });
  return (
    <Stack gap={4}>
      {collections.map((c, i) => (
        <Stack key={c.key} gap={4}>
          {i > 0 && draft.phased && (
            <Group gap={6} c="dimmed">
              <IconArrowDown size={14} />
              <Text size="xs">
                after {draft.phasing.successPercent}% succeeded and {draft.phasing.soakMinutes}{' '}
                minutes
              </Text>
            </Group>
          )}
          <Group align="flex-end" wrap="nowrap" data-testid="rule-collection">
            <Text fw={600} w={80} size="sm">
              {draft.phased ? `Phase ${i + 1}` : `Target ${i + 1}`}
            </Text>
            <CollectionSelect
              label={i === 0 ? 'Collection' : undefined}
              placeholder={i === 0 && draft.phased ? 'Pre-production first' : 'Collection'}
              value={c.id}
              exclude={collections.flatMap((o) => (o.id && o.key !== c.key ? [o.id] : []))}
              onChange={(v) => setAt(i, v)}
              style={{ flex: 1 }}
              data-testid={`rule-collection-${i}`}
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              mb={4}
              disabled={collections.length === 1}
              onClick={() => set({ collections: collections.filter((_, j) => j !== i) })}
              aria-label="Remove collection"
            >
              <IconX size={16} />
            </ActionIcon>
          </Group>
        </Stack>
      ))}
      <Group>
        <Button
          variant="subtle"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={collections.length >= MAX_RULE_COLLECTIONS}
          onClick={() => set({ collections: [...collections, slot()] })}
          data-testid="rule-add-collection"
        >
          Add collection
        </Button>
      </Group>
    </Stack>
  );
}

function bodyOf(d: Draft): UpdateRuleBody {
  return {
    name: d.name.trim(),
    description: d.description.trim(),
    filter: cleanFilter(d.filter),
    groupMode: d.groupMode,
    ...(d.groupMode === 'existing-group' && d.groupId ? { groupId: d.groupId } : {}),
    collectionIds: d.collections.flatMap((c) => (c.id ? [c.id] : [])),
    phased: d.phased ? d.phasing : null,
    ...d.schedule,
    ...d.template,
  };
}

function RuleForm({ rule }: { rule: UpdateRule | undefined }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const groups = useUpdateGroups();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule));
  const set = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));
  const save = useMutation({
    mutationFn: () => {
      const body = bodyOf(draft);
      if (!rule) return api.call(ops.updateRules.createUpdateRule, { body });
      const { groupMode: _mode, groupId: _group, ...patch } = body;
      return api.call(ops.updateRules.updateUpdateRule, { params: { id: rule.id }, body: patch });
    },
    meta: { silent: true },
    onSuccess: (r) => {
      notifySuccess(rule ? `Rule “${r.name}” saved.` : `Rule “${r.name}” created.`);
      queryClient.setQueryData([RULE_KEYS.rules, r.id], r);
      void queryClient.invalidateQueries({ queryKey: [RULE_KEYS.rules] });
      void navigate(rulePath(r.id));
    },
  });
  const place = save.isError ? placeOf(save.error) : undefined;
  const err = save.isError ? errorMessage(save.error) : undefined;
  const at = (p: NonNullable<typeof place>) => (place === p ? err : undefined);
  const missing = missingFields({
    Name: draft.name.trim() !== '',
    'A collection for every target': draft.collections.every((c) => c.id !== null),
  });
  return (
    <Paper p="lg" maw={1100}>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Name"
            required
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={at('name')}
            data-testid="rule-name"
          />
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={draft.description}
            onChange={(e) => set({ description: e.currentTarget.value })}
          />
        </SimpleGrid>
        <Divider label="Updates it takes" labelPosition="left" />
        <FilterFields
          filter={draft.filter}
          onChange={(filter) => set({ filter })}
          error={at('filter')}
        />
        <Text size="xs" c="dimmed">
          Now: {describeFilter(cleanFilter(draft.filter))}
        </Text>
        <RulePreview filter={cleanFilter(draft.filter)} />
        <Divider label="Update group" labelPosition="left" />
        <Radio.Group
          value={draft.groupMode}
          onChange={(v) => set({ groupMode: v === 'new-group' ? 'new-group' : 'existing-group' })}
          data-testid="rule-group-mode"
        >
          <Stack gap={6}>
            <Radio
              value="existing-group"
              label="One group that grows: each run adds what is new and updates its deployments"
              disabled={rule !== undefined}
            />
            <Radio
              value="new-group"
              label="A new group each run, deployed on its own"
              disabled={rule !== undefined}
            />
          </Stack>
        </Radio.Group>
        {draft.groupMode === 'existing-group' && (
          <Select
            label="Group"
            description="The rule makes its own (named after it) when none is chosen"
            placeholder="The rule's own group"
            data={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))}
            value={draft.groupId}
            onChange={(v) => set({ groupId: v })}
            clearable
            searchable
            disabled={rule !== undefined}
            error={at('group')}
            maw={420}
            data-testid="rule-group"
          />
        )}
        <Divider label="Target collections" labelPosition="left" />
        <Switch
          label="Phased: one collection after the other, pre-production first"
          checked={draft.phased}
          onChange={(e) => set({ phased: e.currentTarget.checked })}
          data-testid="rule-phased"
        />
        <CollectionPhases draft={draft} set={set} />
        {at('collections') && (
          <Text size="sm" c="red">
            {at('collections')}
          </Text>
        )}
        {draft.phased && (
          <SettingsFields
            declaration={PhasingOptions}
            values={draft.phasing}
            onChange={(k, v) => set({ phasing: { ...draft.phasing, [k]: v } })}
            testIdPrefix="rule-phasing"
          />
        )}
        <Divider label="Schedule" labelPosition="left" />
        <SettingsFields
          declaration={UpdateRuleScheduleOptions}
          values={draft.schedule}
          onChange={(k, v) => set({ schedule: { ...draft.schedule, [k]: v } })}
          testIdPrefix="rule"
        />
        <Divider label="Deployments it makes" labelPosition="left" />
        <SettingsFields
          declaration={UpdateRuleTemplateOptions}
          values={draft.template}
          onChange={(k, v) => set({ template: { ...draft.template, [k]: v } })}
          testIdPrefix="rule"
        />
        {save.isError && place === 'form' && (
          <Alert
            color="red"
            variant="light"
            title="Not saved"
            data-error-code={errorCode(save.error)}
          >
            {err}
          </Alert>
        )}
        <FormActions
          onCancel={() => void navigate(rule ? rulePath(rule.id) : '/software/updates?tab=rules')}
          onSubmit={() => save.mutate()}
          submitLabel={rule ? 'Save' : 'Create rule'}
          loading={save.isPending}
          missing={missing}
          testId="rule-save"
        />
      </Stack>
    </Paper>
  );
}

/** New and edit automatic deployment rule (`/software/update-rules/new`, `/:ruleId/edit`). */
export function UpdateRuleFormPage() {
  const { ruleId = '' } = useParams();
  const rule = useUpdateRule(ruleId);
  const editing = ruleId !== '';
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Software updates', to: '/software/updates' },
          { label: 'Automatic deployment rules', to: '/software/updates?tab=rules' },
          ...(editing && rule.data ? [{ label: rule.data.name, to: rulePath(rule.data.id) }] : []),
          { label: editing ? 'Edit' : 'New' },
        ]}
        title={editing ? `Edit ${rule.data?.name ?? 'rule'}` : 'New automatic deployment rule'}
        description="Its filter takes current updates into a group; each run deploys what is new to the collections."
      />
      {editing && rule.isError ? (
        <ErrorState error={rule.error} what="this rule" />
      ) : editing && !rule.data ? null : (
        <RuleForm rule={editing ? rule.data : undefined} />
      )}
    </>
  );
}
