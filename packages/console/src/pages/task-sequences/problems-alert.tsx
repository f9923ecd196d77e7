import { Alert, Code, List, Text } from '@mantine/core';
import { ApiError } from '@steward/protocol';

/** The problems list an API error carries in its details (`{ problems: string[] }`), if any. */
export function problemsOf(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const d: unknown = error.details;
  if (typeof d !== 'object' || d === null) return [];
  const p: unknown = Reflect.get(d, 'problems');
  return Array.isArray(p) ? p.map(String) : [];
}

/** A refused save: the stable code, the site's message and every problem it named. */
export function ProblemsAlert(props: { error: unknown; title: string; testId: string }) {
  const problems = problemsOf(props.error);
  const code = props.error instanceof ApiError ? props.error.code : 'UNKNOWN';
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <Alert color="red" title={props.title} data-testid={props.testId} data-code={code}>
      <Text size="sm">
        <Code>{code}</Code> {message}
      </Text>
      {problems.length > 0 && (
        <List size="sm" mt="xs">
          {problems.map((p) => (
            <List.Item key={p}>{p}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
