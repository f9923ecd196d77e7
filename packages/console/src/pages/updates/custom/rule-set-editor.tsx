import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import {
  CUSTOM_RULE_COMMAND_TIMEOUT,
  CUSTOM_RULES_MAX,
  type DetectionRule,
  type DetectionRuleKind,
  type RuleSet,
} from '@steward/protocol';
import { RULE_KIND_LABEL } from './custom-update-labels';
import { emptyRule } from './custom-update-model';

const KINDS: readonly DetectionRuleKind[] = ['package', 'file-exists', 'file-sha256', 'command'];

function RuleFields(props: {
  rule: DetectionRule;
  onChange: (r: DetectionRule) => void;
  testId: string;
}) {
  const { rule: r, onChange, testId } = props;
  switch (r.kind) {
    case 'package':
      return (
        <>
          <TextInput
            placeholder="acme-agent"
            aria-label="Package"
            value={r.package}
            onChange={(e) => onChange({ ...r, package: e.currentTarget.value.trim() })}
            w={200}
            data-testid={`${testId}-package`}
          />
          <TextInput
            placeholder="at least 2.1-1"
            aria-label="Minimum version"
            value={r.minVersion}
            onChange={(e) => onChange({ ...r, minVersion: e.currentTarget.value.trim() })}
            w={150}
            data-testid={`${testId}-version`}
          />
          <TextInput
            placeholder="any arch"
            aria-label="Architecture"
            value={r.architecture ?? ''}
            onChange={(e) => onChange({ ...r, architecture: e.currentTarget.value.trim() })}
            w={110}
            data-testid={`${testId}-arch`}
          />
        </>
      );
    case 'file-exists':
      return (
        <TextInput
          placeholder="/opt/acme/VERSION"
          aria-label="Path"
          value={r.path}
          onChange={(e) => onChange({ ...r, path: e.currentTarget.value })}
          style={{ flex: 1 }}
          data-testid={`${testId}-path`}
        />
      );
    case 'file-sha256':
      return (
        <>
          <TextInput
            placeholder="/opt/acme/bin/acme"
            aria-label="Path"
            value={r.path}
            onChange={(e) => onChange({ ...r, path: e.currentTarget.value })}
            w={240}
            data-testid={`${testId}-path`}
          />
          <TextInput
            placeholder="SHA-256, 64 hex digits"
            aria-label="SHA-256"
            value={r.sha256}
            onChange={(e) => onChange({ ...r, sha256: e.currentTarget.value.trim().toLowerCase() })}
            style={{ flex: 1 }}
            ff="monospace"
            data-testid={`${testId}-sha256`}
          />
        </>
      );
    case 'command':
      return (
        <>
          <TextInput
            placeholder="acme --version | grep -q 2.1"
            aria-label="Command"
            value={r.command}
            onChange={(e) => onChange({ ...r, command: e.currentTarget.value })}
            style={{ flex: 1 }}
            ff="monospace"
            data-testid={`${testId}-command`}
          />
          <NumberInput
            aria-label="Exit code"
            prefix="exits "
            min={0}
            max={255}
            allowDecimal={false}
            value={r.exitCode ?? 0}
            onChange={(v) => onChange({ ...r, exitCode: typeof v === 'number' ? v : 0 })}
            w={100}
            data-testid={`${testId}-exit`}
          />
          <NumberInput
            aria-label="Timeout"
            suffix=" s"
            min={CUSTOM_RULE_COMMAND_TIMEOUT.minimum}
            max={CUSTOM_RULE_COMMAND_TIMEOUT.maximum}
            allowDecimal={false}
            value={r.timeoutSeconds ?? CUSTOM_RULE_COMMAND_TIMEOUT.default}
            onChange={(v) =>
              onChange({
                ...r,
                timeoutSeconds: typeof v === 'number' ? v : CUSTOM_RULE_COMMAND_TIMEOUT.default,
              })
            }
            w={90}
            data-testid={`${testId}-timeout`}
          />
        </>
      );
  }
}

/**
 * A rule set (detection or applicability): all or any of up to CUSTOM_RULES_MAX rules, each a
 * package version, a file, a file's hash or a command's exit code, as the protocol allows.
 */
export function RuleSetEditor(props: {
  value: RuleSet;
  onChange: (v: RuleSet) => void;
  testId: string;
  error?: string | undefined;
}) {
  const { value, onChange, testId } = props;
  const setAt = (i: number, r: DetectionRule) =>
    onChange({ ...value, rules: value.rules.map((x, j) => (j === i ? r : x)) });
  return (
    <Stack gap={6} data-testid={testId}>
      <Select
        data={[
          { value: 'all', label: 'All of these rules hold' },
          { value: 'any', label: 'Any of these rules holds' },
        ]}
        value={value.match}
        onChange={(v) => onChange({ ...value, match: v === 'any' ? 'any' : 'all' })}
        allowDeselect={false}
        w={240}
        data-testid={`${testId}-match`}
      />
      {value.rules.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" data-testid={`${testId}-rule`}>
          <Select
            data={KINDS.map((k) => ({ value: k, label: RULE_KIND_LABEL[k] }))}
            value={r.kind}
            onChange={(v) => {
              const kind = KINDS.find((k) => k === v);
              if (kind && kind !== r.kind) setAt(i, emptyRule(kind));
            }}
            allowDeselect={false}
            w={190}
            data-testid={`${testId}-kind-${i}`}
          />
          <RuleFields rule={r} onChange={(n) => setAt(i, n)} testId={`${testId}-${i}`} />
          <ActionIcon
            variant="subtle"
            color="gray"
            disabled={value.rules.length === 1}
            onClick={() => onChange({ ...value, rules: value.rules.filter((_, j) => j !== i) })}
            aria-label="Remove rule"
          >
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ))}
      {props.error && (
        <Text size="sm" c="red" data-testid={`${testId}-error`}>
          {props.error}
        </Text>
      )}
      <Group>
        <Button
          variant="subtle"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={value.rules.length >= CUSTOM_RULES_MAX}
          onClick={() => onChange({ ...value, rules: [...value.rules, emptyRule('file-exists')] })}
          data-testid={`${testId}-add`}
        >
          Add rule
        </Button>
      </Group>
    </Stack>
  );
}
