import { Stack, TextInput } from '@mantine/core';
import { DeploymentOptions } from '@steward/protocol';
import { SettingsFields } from '../../components/settings-fields';
import type { WizardForm } from './wizard-model';
import type { StepProps } from './wizard-pick-steps';

/**
 * Step 4: the deployment's name, then how devices run it: every deployment option, rendered
 * from the protocol's declaration (the phased-deployment form renders the same one).
 */
export function BehaviourStep({ form, set, errors }: StepProps) {
  return (
    <Stack gap="md" maw={720}>
      <TextInput
        label="Deployment name"
        description="Empty: “program to collection”"
        value={form.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        maxLength={200}
        error={errors.name}
        data-testid="wizard-name"
        maw={350}
      />
      <SettingsFields
        declaration={DeploymentOptions}
        values={form}
        // WizardForm extends DeploymentOptions, so an option's value is the form field's value;
        // TypeScript does not resolve the indexed types through the generic key.
        // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
        onChange={(k, v) => set(k, v as WizardForm[typeof k])}
        conditions={{ required: form.purpose === 'required' }}
        errors={errors}
        testIdPrefix="wizard"
      />
    </Stack>
  );
}
