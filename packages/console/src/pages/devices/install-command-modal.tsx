import { Alert, Button, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconInfoCircle, IconTerminal2 } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { installCommandOf } from '@steward/protocol';
import { api } from '../../api/client';
import { CopyField } from '../../components/copy-field';
import { useSession } from '../../session/session-context';

/**
 * "Install command" on the Devices page: makes a fresh single-use enrolment token and shows the
 * one-line command that downloads the site's install script, pins the site CA from the token and
 * installs the production agent version.
 */
export function InstallCommandButton() {
  const { can } = useSession();
  const [opened, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const site = useQuery({ queryKey: ['site'], queryFn: () => api.site() });
  const create = useMutation({
    mutationFn: () =>
      api.createToken({ description: 'install command (console)', maxUses: 1, expiresInHours: 24 }),
    meta: { errorTitle: 'Could not create an enrolment token' },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['enrolment-tokens'] }),
  });
  const token = create.data?.token;
  return (
    <>
      <Button
        leftSection={<IconTerminal2 size={16} />}
        disabled={!can('enrolment:write')}
        onClick={() => {
          create.reset();
          create.mutate();
          open();
        }}
        data-testid="install-command"
      >
        Add devices
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={<Text fw={600}>Install command</Text>}
        size="lg"
      >
        <Stack>
          <Text size="sm">
            Run this as root on a Linux machine to install the site's production agent version,
            enrol it and start it. The token in it is for one machine and expires in 24 hours.
          </Text>
          {token !== undefined && site.data !== undefined ? (
            <CopyField
              label="Install command"
              value={installCommandOf({
                agentUrl: site.data.agentUrl,
                caPemSha256: site.data.caPemSha256,
                token,
              })}
              testId="install-command-text"
            />
          ) : (
            <Text size="sm" c="dimmed">
              {create.isError ? 'No token was created.' : 'Creating a single-use token…'}
            </Text>
          )}
          <Alert color="gray" variant="light" icon={<IconInfoCircle size={18} />}>
            The script trusts the site only after its CA matches the fingerprint inside the token,
            and checks every package against its SHA-256. Options after the token (--prefix,
            --state-dir, --service none) go to install-agent.sh.
          </Alert>
          <Button variant="default" onClick={close} ml="auto">
            Done
          </Button>
        </Stack>
      </Modal>
    </>
  );
}
