import { createServer } from 'node:net';
import { CliError } from '../errors.js';
import { isErrno } from '../session.js';

export interface ListenFlag {
  /** e.g. --admin-listen */
  flag: string;
  host: string;
  port: number;
  /** Started by `npm start`: the fix is `npm start -- <flag> <value>`. */
  viaNpmStart?: boolean;
}

/** Resolves to the error code when host:port cannot be bound (EADDRINUSE, EACCES, ...), else undefined. */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err) =>
      resolve(
        isErrno(err, 'EADDRINUSE') ? 'EADDRINUSE' : isErrno(err, 'EACCES') ? 'EACCES' : 'EUNKNOWN',
      ),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export function portInUseError(listen: ListenFlag, code = 'EADDRINUSE'): CliError {
  const where = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  const alternative = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port === 8080 ? 8081 : listen.port + 1}`;
  const fix = `${listen.viaNpmStart === true ? 'npm start -- ' : ''}${listen.flag} ${alternative}`;
  if (code === 'EACCES') {
    return new CliError(
      'PORT_NOT_ALLOWED',
      `not allowed to listen on ${where}; choose another port with ${fix}`,
    );
  }
  return new CliError(
    'PORT_IN_USE',
    `${where} is already in use (another Steward, or another program); choose another port with ${fix}`,
  );
}

/** Fails early with a clear message when a fixed port is taken. Port 0 (any) is never checked. */
export async function ensurePortsFree(listens: readonly ListenFlag[]): Promise<void> {
  for (const listen of listens) {
    if (listen.port === 0) continue;
    const problem = await probePort(listen.host, listen.port);
    if (problem === 'EADDRINUSE' || problem === 'EACCES') throw portInUseError(listen, problem);
  }
}

/** Maps a bind failure thrown by the server to the flag that would fix it. */
export function explainListenError(err: unknown, listens: readonly ListenFlag[]): unknown {
  if (!isErrno(err, 'EADDRINUSE') && !isErrno(err, 'EACCES')) return err;
  const port =
    typeof err === 'object' && err !== null && 'port' in err && typeof err.port === 'number'
      ? err.port
      : undefined;
  const listen = listens.find((l) => l.port === port) ?? listens[0];
  if (listen === undefined) return err;
  return portInUseError(listen, isErrno(err, 'EACCES') ? 'EACCES' : 'EADDRINUSE');
}
