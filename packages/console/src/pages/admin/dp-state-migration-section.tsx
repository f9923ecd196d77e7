import { Anchor, Paper, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { DpStateMigrationOptions, ops } from '@steward/protocol';
import { api } from '../../api/client';
import { DeclaredSettingsForm } from '../../components/declared-settings-form';

/**
 * The DP page's state migration point section (issue 11, ADR 0096): the role's settings,
 * rendered from their declaration, and a link to the user-state records.
 */
export function DpStateMigrationSection({ dpId }: { dpId: string }) {
  return (
    <Paper p="md" data-testid="dp-state-migration">
      <Title order={4} mb="sm">
        State migration point
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Keeps user state captured by task sequences, encrypted with a key only the owning run gets.{' '}
        <Anchor component={Link} to="/software/user-state">
          User-state records
        </Anchor>
      </Text>
      <DeclaredSettingsForm
        declaration={DpStateMigrationOptions}
        queryKey={['dp-state-migration', dpId]}
        load={() => api.call(ops.dpStateMigration.get, { params: { id: dpId } })}
        save={(body) => api.call(ops.dpStateMigration.update, { params: { id: dpId }, body })}
        permission="software:write"
        saveLabel="Save state migration point"
        savedTitle="State migration point saved"
        savedMessage="The DP applies it at its next poll"
        failedTitle="State migration point not saved"
        testIdPrefix="dp-state-migration"
      />
    </Paper>
  );
}
