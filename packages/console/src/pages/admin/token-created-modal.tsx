import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { EnrolmentToken } from '@steward/protocol';
import { CopyField } from '../../components/copy-field';

/** The token secret is in this one answer only: the site stores a hash. */
export function TokenCreatedModal({
  token,
  onClose,
}: {
  token: EnrolmentToken | null;
  onClose: () => void;
}) {
  const secret = token?.token ?? '';
  return (
    <Modal
      opened={token !== null}
      onClose={onClose}
      title={<Text fw={600}>Enrolment token created</Text>}
      size="lg"
      closeOnClickOutside={false}
    >
      <Stack gap="md" data-testid="token-created">
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} p="sm">
          <Text size="sm">
            Copy the token now: it is shown only once. The site keeps only a hash of it. If you lose
            it, revoke it and create another.
          </Text>
        </Alert>
        <CopyField label="Token" value={secret} testId="token-secret" />
        <CopyField
          label="Run on each machine (as root)"
          value={`steward-agent enroll --token ${secret}`}
          testId="token-command"
        />
        <Text size="xs" c="dimmed">
          The token carries the site address and the fingerprint of the site CA, so the agent trusts
          this site and no other. It works {token?.maxUses ?? 0} times until{' '}
          {token ? new Date(token.expiresAt).toLocaleString() : ''}.
        </Text>
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="token-created-done">
            I have copied it
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
