import { Button, Group, Paper, TextInput } from '@mantine/core';
import { IconPlus, IconSearch, IconStairsUp } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/page-header';
import { useSession } from '../../session/session-context';
import { DeploymentTable } from './deployment-table';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';

/** Software Library › Deployments. */
export function DeploymentListPage() {
  const { can } = useSession();
  const [search, setSearch] = useState('');
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    can('deployments:write') && (
      <Button
        component={Link}
        to="/deployments/new"
        leftSection={<IconPlus size={16} />}
        data-testid={testId}
      >
        New deployment
      </Button>
    );
  return (
    <>
      <PageHeader
        title="Deployments"
        description="Programs deployed to collections, with their schedules and how every device is doing."
        actions={
          <Group gap="xs">
            <Button
              component={Link}
              to="/phased-deployments"
              variant="default"
              leftSection={<IconStairsUp size={16} />}
            >
              Phased deployments
            </Button>
            <ExportButton op={ops.exports.deployments} testId="deployment-export" />
            {newButton('new-deployment')}
          </Group>
        }
      />
      <Paper p="md">
        <TextInput
          placeholder="Search by name, program, package or collection"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={380}
          mb="sm"
          data-testid="deployment-search"
        />
        <DeploymentTable search={search} emptyAction={newButton()} />
      </Paper>
    </>
  );
}
