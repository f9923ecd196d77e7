import { Paper, SimpleGrid, Stack, TagsInput, Text } from '@mantine/core';
import { ClientSettingsOptions, settingEntries, type SettingField } from '@steward/protocol';
import { api } from '../../api/client';
import { SettingInput } from '../../components/settings-fields';
import { SettingsPage } from '../../components/settings-page';
import { useSession } from '../../session/session-context';
import { ClientSettingsObjectsPanel } from './client-settings-objects';

/** The declared fields of one kind: the schedules (durations) or the limits (numbers). */
const fieldsOf = (render: SettingField['render']) =>
  settingEntries(ClientSettingsOptions).filter(({ field }) => field.render === render);

/** The schedules and limits every agent receives in its policy. */
export function ClientSettingsPage() {
  const { can } = useSession();
  const writable = can('devices:write');
  return (
    <>
      <SettingsPage
        title="Client settings"
        description="Schedules and limits every agent receives in its policy, unless a client settings object of one of its collections sets a value (below)."
        what="the client settings"
        queryKey="client-settings"
        load={() => api.getClientSettings()}
        save={(s) => api.updateClientSettings(s)}
        savedMessage="Client settings saved; agents apply them with their next policy."
        writable={writable}
        testId="client-settings"
        skeletonLines={6}
      >
        {(draft, setDraft) => {
          // The declared fields of one render kind, each an input bound to the draft.
          const inputs = (kind: 'duration' | 'number' | 'select' | 'text') =>
            fieldsOf(kind).map(({ key, field }) => (
              <SettingInput
                key={key}
                field={field}
                value={draft[key]}
                disabled={!writable}
                onChange={(v) =>
                  (typeof v === 'number' || typeof v === 'string') &&
                  setDraft({ ...draft, [key]: v })
                }
                testId={`setting-${key}`}
              />
            ));
          return (
            <Stack gap="md">
              <Paper p="md">
                <Text fw={600} mb="sm">
                  Schedules
                </Text>
                <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
                  {inputs('duration')}
                </SimpleGrid>
              </Paper>
              <Paper p="md">
                <Text fw={600} mb="sm">
                  Software inventory and reporting
                </Text>
                <Stack gap="md">
                  <TagsInput
                    label="Software scan paths"
                    description="Directories scanned for executable files; press Enter after each path"
                    value={draft.softwareScanPaths}
                    onChange={(softwareScanPaths) => setDraft({ ...draft, softwareScanPaths })}
                    disabled={!writable}
                    clearable
                  />
                  <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
                    {inputs('number')}
                  </SimpleGrid>
                </Stack>
              </Paper>
              <Paper p="md">
                <Text fw={600} mb="sm">
                  Checks, roles and restarts
                </Text>
                <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
                  {inputs('select')}
                  {inputs('text')}
                </SimpleGrid>
              </Paper>
            </Stack>
          );
        }}
      </SettingsPage>
      <ClientSettingsObjectsPanel writable={writable} />
    </>
  );
}
