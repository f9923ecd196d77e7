import {
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import type { RerunBehaviour } from '@steward/protocol';
import type { ChangeEvent } from 'react';
import type { WizardForm } from './wizard-model';
import type { StepProps } from './wizard-pick-steps';

/** The form's on/off fields, each bound to a switch. */
type WizardFlag = {
  [K in keyof WizardForm]: WizardForm[K] extends boolean ? K : never;
}[keyof WizardForm];

export const RERUN_OPTIONS: { value: RerunBehaviour; label: string }[] = [
  { value: 'never', label: 'Never rerun' },
  { value: 'always', label: 'Always rerun' },
  { value: 'if-failed', label: 'Rerun if failed' },
  { value: 'if-succeeded', label: 'Rerun if succeeded' },
];

export function rerunLabel(r: RerunBehaviour): string {
  return RERUN_OPTIONS.find((o) => o.value === r)?.label ?? r;
}

/** Step 4: how devices run it: rerun, content, boundaries, maintenance windows, postponing. */
export function BehaviourStep({ form, set, errors }: StepProps) {
  const required = form.purpose === 'required';
  const toggle = (k: WizardFlag) => ({
    checked: form[k],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(k, e.currentTarget.checked),
  });
  return (
    <Stack gap="md" maw={720}>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <TextInput
          label="Deployment name"
          description="Empty: “program to collection”"
          value={form.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          maxLength={200}
          error={errors.name}
          data-testid="wizard-name"
        />
        <Select
          label="Rerun behaviour"
          description="When a device that already ran it gets a new run"
          data={RERUN_OPTIONS}
          value={form.rerun}
          onChange={(v) =>
            set('rerun', RERUN_OPTIONS.find((o) => o.value === v)?.value ?? 'if-failed')
          }
          allowDeselect={false}
          error={errors.rerun}
          data-testid="wizard-rerun"
        />
      </SimpleGrid>
      <Radio.Group
        label="Content"
        value={form.contentMode}
        onChange={(v) => set('contentMode', v === 'from-dp' ? 'from-dp' : 'download')}
        error={errors.contentMode}
      >
        <Stack gap={6} mt={4}>
          <Radio
            value="download"
            label="Download content and run it locally (kept in the client cache)"
          />
          <Radio
            value="from-dp"
            label="Run from the distribution point (fetched for the run only)"
          />
        </Stack>
      </Radio.Group>
      <Stack gap="xs">
        {required && (
          <Switch
            label="Make available before the deadline: clients pre-download the content"
            {...toggle('preDownload')}
            data-testid="wizard-pre-download"
          />
        )}
        <Switch
          label="Run over a slow or unreliable boundary"
          description="Off: devices in a slow boundary group wait for a fast connection"
          {...toggle('runOverSlowBoundary')}
        />
        <Switch
          label="Allow a fallback distribution point"
          description="Neighbour and fallback DPs when the device’s own have no content"
          {...toggle('allowFallback')}
        />
        <Switch label="Run outside maintenance windows" {...toggle('overrideMaintenanceWindows')} />
        <Switch
          label="Enabled"
          description="A disabled deployment is kept but not offered or run"
          {...toggle('enabled')}
        />
      </Stack>
      {required && (
        <NumberInput
          label="Users may postpone a required run by up to"
          description="From the Software Center; 0 = not at all"
          suffix=" minutes"
          min={0}
          max={43200}
          w={320}
          value={form.maxPostponeMinutes}
          onChange={(v) => set('maxPostponeMinutes', typeof v === 'number' ? Math.trunc(v) : 0)}
          error={errors.maxPostponeMinutes}
          data-testid="wizard-max-postpone"
        />
      )}
      <Text size="xs" c="dimmed">
        Maintenance windows are set on collections (Collections › a collection › Maintenance
        windows).
      </Text>
    </Stack>
  );
}
