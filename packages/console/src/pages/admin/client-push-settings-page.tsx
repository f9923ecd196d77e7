import { Paper } from '@mantine/core';
import { ClientPushSettingsOptions, ops } from '@steward/protocol';
import { api } from '../../api/client';
import { SettingsFields } from '../../components/settings-fields';
import { SettingsPage } from '../../components/settings-page';
import { useSession } from '../../session/session-context';

/** Client push settings: sessions at once, retries, thresholds (from the protocol declaration). */
export function ClientPushSettingsPage() {
  const { can } = useSession();
  const writable = can('enrolment:write');
  return (
    <SettingsPage
      title="Client push settings"
      description="How the site pushes the agent over SSH: sessions at once, retries, thresholds."
      what="the client push settings"
      queryKey="client-push-settings"
      load={() => api.call(ops.clientPush.getSettings, {})}
      save={(s) => api.call(ops.clientPush.updateSettings, { body: s })}
      savedMessage="Client push settings saved."
      writable={writable}
      testId="client-push-settings"
      skeletonLines={6}
    >
      {(draft, setDraft) => (
        <Paper p="md">
          <SettingsFields
            declaration={ClientPushSettingsOptions}
            values={draft}
            onChange={(k, v) => setDraft({ ...draft, [k]: v })}
            disabled={!writable}
            testIdPrefix="client-push-setting"
          />
        </Paper>
      )}
    </SettingsPage>
  );
}
