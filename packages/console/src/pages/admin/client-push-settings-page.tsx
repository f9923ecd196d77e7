import { Paper, Select, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ClientPushSettingsOptions, ops } from '@steward/protocol';
import { api } from '../../api/client';
import { SettingsFields } from '../../components/settings-fields';
import { SettingsPage } from '../../components/settings-page';
import { useSession } from '../../session/session-context';

/**
 * Client push settings: sessions at once, retries, thresholds, automatic site-wide push (from
 * the protocol declaration), and the push account automatic push uses.
 */
export function ClientPushSettingsPage() {
  const { can } = useSession();
  const writable = can('enrolment:write');
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
  });
  return (
    <SettingsPage
      title="Client push settings"
      description="How the site pushes the agent over SSH: sessions at once, retries, thresholds, and automatic site-wide push."
      what="the client push settings"
      queryKey="client-push-settings"
      load={() => api.call(ops.clientPush.getSettings, {})}
      save={(s) => api.call(ops.clientPush.updateSettings, { body: s })}
      savedMessage="Client push settings saved."
      writable={writable}
      testId="client-push-settings"
      skeletonLines={7}
    >
      {(draft, setDraft) => (
        <Paper p="md">
          <Stack gap="md">
            <SettingsFields
              declaration={ClientPushSettingsOptions}
              values={draft}
              onChange={(k, v) => setDraft({ ...draft, [k]: v })}
              disabled={!writable}
              testIdPrefix="client-push-setting"
            />
            <Select
              label="Automatic push account"
              description="The push account automatic site-wide push connects with (required to turn it on)"
              data={(accounts.data ?? []).map((a) => ({
                value: a.id,
                label: `${a.name} (${a.user})`,
              }))}
              value={draft.automaticPushAccountId}
              onChange={(v) => setDraft({ ...draft, automaticPushAccountId: v })}
              clearable
              disabled={!writable}
              data-testid="client-push-setting-automaticPushAccountId"
            />
          </Stack>
        </Paper>
      )}
    </SettingsPage>
  );
}
