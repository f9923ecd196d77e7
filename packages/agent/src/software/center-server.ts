import { chmod, stat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { AgentError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseJsonText, parseWith } from '../parse.js';
import { isErrnoException } from '../state/atomic-file.js';
import {
  CenterRequest,
  centerError,
  centerSocketPath,
  MAX_CENTER_LINE_BYTES,
  type CenterResponse,
} from './center-protocol.js';

export interface CenterHandler {
  handle(request: CenterRequest): Promise<CenterResponse>;
}

/** Parses and validates one request line; every field is checked before anything acts on it. */
export function parseCenterLine(line: string): CenterRequest | CenterResponse {
  try {
    const value = parseJsonText(line, 'the request', 'BAD_REQUEST');
    return parseWith(CenterRequest, value, 'the request', 'BAD_REQUEST');
  } catch (err) {
    if (err instanceof AgentError) return centerError('BAD_REQUEST', err.message);
    throw err;
  }
}

function isRequest(v: CenterRequest | CenterResponse): v is CenterRequest {
  return 'op' in v;
}

/**
 * The agent service's end of the Software Center socket (`<state>/center.sock`, mode 0666 so
 * every local user can ask). The state directory gets search permission for others (0711: no
 * listing, no reading; every file in it stays 0600) so the socket can be reached at all.
 */
export class CenterServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly path: string,
  ) {}

  static async listen(
    stateDir: string,
    handler: CenterHandler,
    log: Logger,
  ): Promise<CenterServer> {
    const path = centerSocketPath(stateDir);
    // The state lock is held: a socket file left here belongs to a dead agent.
    await unlink(path).catch((err: unknown) => {
      if (!isErrnoException(err) || err.code !== 'ENOENT') throw err;
    });
    const server = createServer();
    const center = new CenterServer(server, path);
    server.on('connection', (socket) => center.serve(socket, handler, log));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.warn(`software center socket: ${errorMessage(err)}`));
    await chmod(path, 0o666);
    const dirMode = (await stat(stateDir)).mode & 0o777;
    if ((dirMode & 0o011) !== 0o011) await chmod(stateDir, dirMode | 0o011);
    return center;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await unlink(this.path).catch(() => undefined);
  }

  private serve(socket: Socket, handler: CenterHandler, log: Logger): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let buffer = '';
    // Lines are answered in order, one at a time.
    let chain = Promise.resolve();
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (Buffer.byteLength(buffer) > MAX_CENTER_LINE_BYTES && !buffer.includes('\n')) {
        socket.end(JSON.stringify(centerError('BAD_REQUEST', 'request too large')) + '\n');
        buffer = '';
        return;
      }
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') continue;
        chain = chain.then(async () => {
          const parsed = parseCenterLine(line);
          let response: CenterResponse;
          try {
            response = isRequest(parsed) ? await handler.handle(parsed) : parsed;
          } catch (err) {
            log.error(`software center request failed: ${errorMessage(err)}`);
            response = centerError('INTERNAL', errorMessage(err));
          }
          if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
        });
      }
    });
  }
}
