import { createConnection } from 'node:net';
import { AgentError } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import { isErrnoException } from '../state/atomic-file.js';
import {
  CenterResponse,
  centerSocketPath,
  MAX_CENTER_LINE_BYTES,
  type CenterRequest,
} from './center-protocol.js';

const DEFAULT_TIMEOUT_MS = 30_000;

function connectError(err: unknown, path: string): AgentError {
  if (isErrnoException(err) && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED'))
    return new AgentError(
      'AGENT_NOT_RUNNING',
      `the agent service is not running (no Software Center at ${path}); start it with "systemctl start steward-agent" or "steward-agent run"`,
    );
  if (isErrnoException(err) && err.code === 'EACCES')
    return new AgentError('CENTER_DENIED', `no permission to reach the Software Center at ${path}`);
  return new AgentError(
    'CENTER_UNREACHABLE',
    `the Software Center at ${path} did not answer: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/** One request to the running agent's Software Center; the answer is checked like any input. */
export function centerRequest(
  stateDir: string,
  request: CenterRequest,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<CenterResponse> {
  const path = centerSocketPath(stateDir);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = '';
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(new AgentError('CENTER_TIMEOUT', `the Software Center did not answer in time`)),
        ),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('error', (err) => settle(() => reject(connectError(err, path))));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 16 * MAX_CENTER_LINE_BYTES) {
        settle(() => reject(new AgentError('BAD_RESPONSE', 'answer too large')));
        return;
      }
      const newline = buffer.indexOf('\n');
      if (newline < 0) return undefined;
      const line = buffer.slice(0, newline);
      settle(() => {
        try {
          const what = 'the Software Center answer';
          resolve(parseWith(CenterResponse, parseJsonText(line, what), what));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    socket.on('end', () =>
      settle(() => reject(new AgentError('BAD_RESPONSE', 'the Software Center closed early'))),
    );
  });
}
