import {
  ActionIcon,
  Alert,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Text,
  Tooltip,
  CopyButton,
} from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { EnrolmentToken } from '@steward/protocol';

function CopyField({ value, label, testId }: { value: string; label: string; testId: string }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Code
          block
          style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
          data-testid={testId}
        >
          {value}
        </Code>
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon
                variant={copied ? 'filled' : 'default'}
                color={copied ? 'teal' : undefined}
                size="lg"
                onClick={copy}
                aria-label={`Copy ${label}`}
                data-testid={`${testId}-copy`}
              >
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}

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
