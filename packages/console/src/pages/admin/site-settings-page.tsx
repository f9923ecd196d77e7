import { Alert, Button, NumberInput, Paper, SimpleGrid } from '@mantine/core';
import { IconDeviceFloppy, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SiteSettings } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';

const FIELDS: {
  key: keyof SiteSettings;
  label: string;
  description: string;
  min: number;
  max: number;
}[] = [
  {
    key: 'activeThresholdDays',
    label: 'Active threshold (days)',
    description: 'Days without contact after which a device counts as inactive',
    min: 1,
    max: 365,
  },
  {
    key: 'statusMessageRetentionDays',
    label: 'Status-message retention (days)',
    description: 'Older status messages are deleted every hour',
    min: 1,
    max: 3650,
  },
];

/** Site-wide settings: the activity threshold and how long status messages are kept. */
export function SiteSettingsPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['site-settings'], queryFn: () => api.getSiteSettings() });
  const [draft, setDraft] = useState<SiteSettings | null>(null);
  useEffect(() => {
    if (settings.data && draft === null) setDraft(settings.data);
  }, [settings.data, draft]);
  const save = useMutation({
    mutationFn: (s: SiteSettings) => api.updateSiteSettings(s),
    meta: { errorTitle: 'Could not save the site settings' },
    onSuccess: (s) => {
      queryClient.setQueryData(['site-settings'], s);
      setDraft(s);
      notifySuccess('Site settings saved.');
    },
  });
  const writable = can('devices:write');
  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(settings.data);

  return (
    <>
      <PageHeader
        title="Site settings"
        description="Settings of the site server itself."
        actions={
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            disabled={!dirty || !writable}
            loading={save.isPending}
            onClick={() => draft && save.mutate(draft)}
            data-testid="site-settings-save"
          >
            Save
          </Button>
        }
      />
      {settings.isError ? (
        <ErrorState error={settings.error} what="the site settings" />
      ) : !draft ? (
        <Paper p="md">
          <BlockSkeleton lines={2} />
        </Paper>
      ) : (
        <Paper p="md">
          {!writable && (
            <Alert color="gray" variant="light" mb="md" icon={<IconInfoCircle size={18} />}>
              Your role can read the site settings but not change them.
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {FIELDS.map((f) => (
              <NumberInput
                key={f.key}
                label={f.label}
                description={f.description}
                min={f.min}
                max={f.max}
                allowDecimal={false}
                value={draft[f.key]}
                disabled={!writable}
                onChange={(v) => typeof v === 'number' && setDraft({ ...draft, [f.key]: v })}
                data-testid={`site-setting-${f.key}`}
              />
            ))}
          </SimpleGrid>
        </Paper>
      )}
    </>
  );
}
