import { Alert, Button, Group, Modal, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { DistributionPointRegistration } from '@steward/protocol';
import { useState } from 'react';
import { CopyField } from '../../components/copy-field';

/** The command the DP machine runs (the same text the CLI prints). */
export function dpServerCommand(token: string, data: string, publicUrl: string): string {
  return [
    'steward server --roles dp',
    `--data ${data || '/var/lib/steward-dp'}`,
    `--dp-token ${token}`,
    `--public-url ${publicUrl || 'https://HOST:8444'}`,
  ].join(' ');
}

/** Shown once after creating a DP or renewing its token: the token and the exact command. */
export function DpRegistrationModal(props: {
  registration: DistributionPointRegistration | null;
  onClose: () => void;
}) {
  const r = props.registration;
  const [data, setData] = useState('/var/lib/steward-dp');
  const [publicUrl, setPublicUrl] = useState('https://HOST:8444');
  return (
    <Modal
      opened={r !== null}
      onClose={props.onClose}
      title={<Text fw={600}>Register {r?.distributionPoint.name}</Text>}
      size="xl"
      closeOnClickOutside={false}
    >
      {r && (
        <Stack gap="md" data-testid="dp-registration">
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} p="sm">
            <Text size="sm">
              The registration token is shown only now. It works once, until{' '}
              {new Date(r.expiresAt).toLocaleString()}; renew it from the list if it expires.
            </Text>
          </Alert>
          <CopyField label="Registration token" value={r.registrationToken} testId="dp-token" />
          <SimpleGrid cols={2}>
            <TextInput
              label="Data directory on the DP"
              value={data}
              onChange={(e) => setData(e.currentTarget.value)}
            />
            <TextInput
              label="URL clients use to reach the DP"
              description="The DP’s address and its agent port"
              value={publicUrl}
              onChange={(e) => setPublicUrl(e.currentTarget.value)}
              data-testid="dp-public-url"
            />
          </SimpleGrid>
          <CopyField
            label="Run on the distribution point machine"
            value={dpServerCommand(r.registrationToken, data, publicUrl)}
            testId="dp-command"
          />
          <Text size="xs" c="dimmed">
            The DP needs no database: it registers over HTTPS with this token (which pins the site
            CA), receives a certificate from the site, then pulls the content assigned to it and
            reports its state. It shows as online once it has registered.
          </Text>
          <Group justify="flex-end">
            <Button onClick={props.onClose} data-testid="dp-registration-done">
              I have copied it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
