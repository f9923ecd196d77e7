import { Paper } from '@mantine/core';
import { SiteSettingsOptions } from '@steward/protocol';
import { api } from '../../api/client';
import { SettingsFields } from '../../components/settings-fields';
import { SettingsPage } from '../../components/settings-page';
import { useSession } from '../../session/session-context';

/**
 * Site-wide settings: the activity threshold and how long status messages are kept, rendered
 * from the protocol's declaration (labels, limits, units).
 */
export function SiteSettingsPage() {
  const { can } = useSession();
  const writable = can('devices:write');
  return (
    <SettingsPage
      title="Site settings"
      description="Settings of the site server itself."
      what="the site settings"
      queryKey="site-settings"
      load={() => api.getSiteSettings()}
      save={(s) => api.updateSiteSettings(s)}
      savedMessage="Site settings saved."
      writable={writable}
      testId="site-settings"
      skeletonLines={2}
    >
      {(draft, setDraft) => (
        <Paper p="md">
          <SettingsFields
            declaration={SiteSettingsOptions}
            values={draft}
            onChange={(k, v) => setDraft({ ...draft, [k]: v })}
            disabled={!writable}
            testIdPrefix="site-setting"
          />
        </Paper>
      )}
    </SettingsPage>
  );
}
