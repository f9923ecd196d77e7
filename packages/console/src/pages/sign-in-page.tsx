import {
  Alert,
  Box,
  Button,
  Center,
  Code,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconLogin2 } from '@tabler/icons-react';
import { ErrorCode } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { errorCode, errorMessage } from '../api/errors';
import { StewardLogo } from '../layout/steward-logo';
import { ThemeToggle } from '../layout/app-header';
import { useSession } from '../session/session-context';

function explain(error: unknown): string {
  switch (errorCode(error)) {
    case ErrorCode.INVALID_CREDENTIALS:
      return 'The user name or password is incorrect.';
    case ErrorCode.LOGIN_RATE_LIMITED:
      return 'Too many sign-in attempts. Wait a minute and try again.';
    case 'UNREACHABLE':
      return 'The site server cannot be reached. Check that it is running.';
    default:
      return errorMessage(error);
  }
}

export function SignInPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/devices';

  if (session.signedIn && session.user) return <Navigate to={target} replace />;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(userName.trim(), password);
      void navigate(target, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box mih="100vh" bg="var(--steward-page-bg)" pos="relative">
      <Box pos="absolute" top={16} right={16}>
        <ThemeToggle />
      </Box>
      <Center mih="100vh" p="md">
        <Stack w={380} gap="lg">
          <Group gap={10} justify="center">
            <StewardLogo size={38} />
            <Title order={1} fz={28}>
              Steward
            </Title>
          </Group>
          <Paper
            p="xl"
            shadow="sm"
            component="form"
            onSubmit={(e: SubmitEvent) => void submit(e)}
            data-testid="sign-in-form"
          >
            <Stack gap="md">
              <div>
                <Title order={2} fz={18}>
                  Sign in
                </Title>
                <Text size="sm" c="dimmed">
                  to the site's administration console
                </Text>
              </div>
              {error !== null && (
                <Alert
                  color="red"
                  variant="light"
                  icon={<IconAlertCircle size={18} />}
                  data-testid="sign-in-error"
                >
                  <Text size="sm">{explain(error)}</Text>
                  <Code fz="xs">{errorCode(error)}</Code>
                </Alert>
              )}
              <TextInput
                label="User name"
                autoComplete="username"
                autoFocus
                required
                value={userName}
                onChange={(e) => setUserName(e.currentTarget.value)}
                data-testid="sign-in-user"
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                data-testid="sign-in-password"
              />
              <Button
                type="submit"
                loading={busy}
                fullWidth
                leftSection={<IconLogin2 size={16} />}
                data-testid="sign-in-submit"
              >
                Sign in
              </Button>
            </Stack>
          </Paper>
          <Text size="xs" c="dimmed" ta="center">
            The first administrator is created by <Code fz="xs">steward up</Code>; others are added
            under Administration › Users.
          </Text>
        </Stack>
      </Center>
    </Box>
  );
}
