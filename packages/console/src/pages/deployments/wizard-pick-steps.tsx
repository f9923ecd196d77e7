import { Alert, Anchor, Badge, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { CollectionSelect, useCollections } from '../../components/collection-select';
import { KeyValueTable } from '../../components/key-value-table';
import { RatioBar } from '../../components/ratio-bar';
import { usePackages, usePrograms } from '../software/queries';
import type { WizardErrors, WizardForm } from './wizard-model';

export interface StepProps {
  form: WizardForm;
  set: <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => void;
  errors: WizardErrors;
}

/** Step 1: which program, and whether its content can reach clients. */
export function ProgramStep({
  form,
  set,
  errors,
  packageFilter,
}: StepProps & { packageFilter?: string }) {
  const programs = usePrograms();
  const packages = usePackages();
  const list = (programs.data ?? []).filter((p) => !packageFilter || p.packageId === packageFilter);
  const groups = new Map<string, { value: string; label: string; disabled?: boolean }[]>();
  for (const p of list) {
    const items = groups.get(p.packageName) ?? [];
    items.push({ value: p.id, label: `${p.name}${p.disabled ? ' (disabled)' : ''}` });
    groups.set(p.packageName, items);
  }
  const program = programs.data?.find((p) => p.id === form.programId);
  const pkg = packages.data?.find((p) => p.id === program?.packageId);
  return (
    <Stack gap="md">
      <Select
        label="Program"
        description="What the deployment runs; programs belong to packages in the Software Library"
        placeholder="Pick a program"
        data={[...groups].map(([group, items]) => ({ group, items }))}
        value={form.programId}
        onChange={(v) => set('programId', v)}
        searchable
        nothingFoundMessage="No program matches"
        error={errors.programId}
        data-testid="wizard-program"
        maw={520}
      />
      {program && (
        <Paper p="sm" withBorder data-testid="wizard-program-facts">
          <KeyValueTable
            labelWidth={170}
            rows={[
              [
                'Package',
                <Anchor
                  component={Link}
                  to={`/software/packages/${encodeURIComponent(program.packageId)}`}
                  size="sm"
                >
                  {program.packageName}
                </Anchor>,
              ],
              ['Command line', <Text className="steward-mono">{program.commandLine}</Text>],
              ['Run as', program.runAs === 'root' ? 'root' : 'the logged-on user'],
              ['Maximum run time', `${program.maxRunMinutes} minutes`],
              [
                'Content',
                pkg?.currentVersion ? (
                  <Group gap="sm">
                    <Badge variant="light">v{pkg.currentVersion.number}</Badge>
                    <RatioBar
                      done={pkg.dpInstalled}
                      total={pkg.dpTargeted}
                      w={180}
                      label="DPs installed of targeted"
                    />
                  </Group>
                ) : (
                  'no content uploaded'
                ),
              ],
            ]}
          />
        </Paper>
      )}
      {program?.disabled && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          This program is disabled: the deployment is created but nothing runs until the program is
          enabled again.
        </Alert>
      )}
      {pkg && (pkg.currentVersion === null || pkg.dpInstalled === 0) && (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconInfoCircle size={18} />}
          data-testid="wizard-content-warning"
        >
          {pkg.currentVersion === null
            ? 'The package has no content yet: devices will wait for content.'
            : 'No distribution point holds the content yet: devices will wait for content until one does.'}{' '}
          <Anchor
            component={Link}
            to={`/software/packages/${encodeURIComponent(pkg.id)}?tab=content`}
            size="sm"
          >
            Content status
          </Anchor>
        </Alert>
      )}
    </Stack>
  );
}

/** Step 2: which collection. */
export function CollectionStep({ form, set, errors }: StepProps) {
  const collections = useCollections();
  const c = collections.data?.find((x) => x.id === form.collectionId);
  return (
    <Stack gap="md">
      <CollectionSelect
        label="Collection"
        description="Devices that are or become members receive the deployment"
        placeholder="Pick a collection"
        value={form.collectionId}
        onChange={(v) => set('collectionId', v)}
        error={errors.collectionId}
        data-testid="wizard-collection"
        maw={520}
      />
      {c && (
        <Text size="sm" c="dimmed" data-testid="wizard-collection-members">
          {c.memberCount.toLocaleString()} device{c.memberCount === 1 ? '' : 's'} now
          {c.description ? ` · ${c.description}` : ''}
        </Text>
      )}
    </Stack>
  );
}
