import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ErrorCode } from '@steward/protocol';

/** The account's credentials, opened from their sealed form only for the connection. */
export type SshAuth =
  | { kind: 'key'; privateKey: string; passphrase?: string | undefined }
  | { kind: 'password'; password: string };

/** The key a host offered: its type and `SHA256:<base64>` fingerprint (as ssh-keygen -l). */
export interface OfferedHostKey {
  keyType: string;
  fingerprint: string;
}

/** A push step that failed, with the error code the target records. */
export class PushStepError extends Error {
  override name = 'PushStepError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Retrying cannot help (an unsupported OS): the target fails at once. */
    readonly permanent = false,
  ) {
    super(message);
  }
}

export function hostKeyOf(key: Buffer): OfferedHostKey {
  // The wire form starts with the key type as an SSH string: uint32 length, then the name.
  const len = key.length >= 4 ? key.readUInt32BE(0) : 0;
  const keyType = len > 0 && len < 64 ? key.subarray(4, 4 + len).toString('latin1') : 'unknown';
  const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
  return { keyType, fingerprint };
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const OUTPUT_LIMIT = 256 * 1024;

/**
 * One SSH connection to a push target (ssh2). The host key is checked during the handshake by
 * `acceptKey` (trust on first use is the caller's: it answers from the recorded key), so a
 * changed key stops the connection before any credential is sent.
 */
export class SshSession {
  private constructor(private readonly client: Client) {}

  static connect(opts: {
    host: string;
    port: number;
    user: string;
    auth: SshAuth;
    timeoutMs: number;
    acceptKey: (key: OfferedHostKey) => boolean;
    signal?: AbortSignal | undefined;
  }): Promise<{ session: SshSession; key: OfferedHostKey }> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let offered: OfferedHostKey | undefined;
      let keyRefused = false;
      let settled = false;
      const finish = (err: PushStepError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err || !offered) {
          client.end();
          client.destroy();
          reject(
            err ?? new PushStepError(ErrorCode.PUSH_SESSION_FAILED, 'no host key was offered'),
          );
        } else resolve({ session: new SshSession(client), key: offered });
      };
      const onAbort = (): void =>
        finish(new PushStepError(ErrorCode.PUSH_SESSION_FAILED, 'the site server is stopping'));
      opts.signal?.addEventListener('abort', onAbort);
      // readyTimeout covers the handshake; this one also covers a host that never answers TCP.
      const timer = setTimeout(
        () =>
          finish(
            new PushStepError(
              ErrorCode.PUSH_UNREACHABLE,
              `no SSH session with ${opts.host}:${opts.port} within ${opts.timeoutMs / 1000} s`,
            ),
          ),
        opts.timeoutMs,
      );
      client.on('ready', () => finish(undefined));
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (keyRefused) return; // reported by the verifier's caller with the fingerprints
        if (err.level === 'client-authentication')
          finish(
            new PushStepError(
              ErrorCode.PUSH_AUTH_FAILED,
              `${opts.host} refused the credentials of user "${opts.user}"`,
            ),
          );
        else if (err.level === 'client-timeout')
          finish(
            new PushStepError(ErrorCode.PUSH_UNREACHABLE, `${opts.host}: handshake timed out`),
          );
        else if (err.level === 'client-socket' || err.code !== undefined)
          finish(
            new PushStepError(
              ErrorCode.PUSH_UNREACHABLE,
              `cannot reach ${opts.host}:${opts.port}: ${err.code ?? err.message}`,
            ),
          );
        else
          finish(new PushStepError(ErrorCode.PUSH_SESSION_FAILED, `${opts.host}: ${err.message}`));
      });
      client.on('close', () =>
        finish(
          new PushStepError(
            keyRefused ? ErrorCode.PUSH_HOST_KEY_CHANGED : ErrorCode.PUSH_UNREACHABLE,
            keyRefused
              ? `${opts.host} offered host key ${offered?.fingerprint ?? '?'}, not the recorded one`
              : `${opts.host}:${opts.port} closed the connection`,
          ),
        ),
      );
      const config: ConnectConfig = {
        host: opts.host,
        port: opts.port,
        username: opts.user,
        readyTimeout: opts.timeoutMs,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          offered = hostKeyOf(key);
          const ok = opts.acceptKey(offered);
          keyRefused = !ok;
          return ok;
        },
      };
      if (opts.auth.kind === 'key') {
        config.privateKey = opts.auth.privateKey;
        if (opts.auth.passphrase !== undefined) config.passphrase = opts.auth.passphrase;
      } else config.password = opts.auth.password;
      try {
        client.connect(config);
      } catch (err) {
        // ssh2 throws synchronously on a key it cannot parse (or a wrong passphrase).
        finish(
          new PushStepError(
            ErrorCode.PUSH_AUTH_FAILED,
            `the account's private key cannot be used: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
      }
    });
  }

  /**
   * Runs a command (through the remote user's shell); output beyond 256 KiB is cut. With
   * `stdin`, its bytes are the command's standard input (`onStdinDone` once all are sent): a
   * file goes over in the same channel as the command that uses it, with no SFTP round trips.
   */
  exec(
    command: string,
    timeoutMs: number,
    stdin?: { stream: Readable; onDone?: () => void },
  ): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
        if (err) {
          reject(new PushStepError(ErrorCode.PUSH_SESSION_FAILED, `exec failed: ${err.message}`));
          return;
        }
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => {
          stream.close();
          reject(
            new PushStepError(
              ErrorCode.PUSH_SESSION_FAILED,
              `a command did not finish within ${timeoutMs / 1000} s`,
            ),
          );
        }, timeoutMs);
        stream.on('data', (d: Buffer) => {
          if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8');
        });
        stream.stderr.on('data', (d: Buffer) => {
          if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8');
        });
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
        });
        if (stdin) {
          stdin.stream.once('error', (e: Error) => {
            stream.close();
            reject(
              new PushStepError(ErrorCode.PUSH_COPY_FAILED, `reading the package: ${e.message}`),
            );
          });
          stdin.stream.once('end', () => stdin.onDone?.());
          // A command that exits before reading everything closes the channel: its exit code says why.
          stream.on('error', () => undefined);
          stdin.stream.pipe(stream);
        }
      });
    });
  }

  /** Copies a local file to `remotePath` over SFTP. */
  put(localPath: string, remotePath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => {
        if (err) {
          reject(new PushStepError(ErrorCode.PUSH_COPY_FAILED, `no SFTP channel: ${err.message}`));
          return;
        }
        sftp.fastPut(localPath, remotePath, (putErr) => {
          sftp.end();
          if (putErr)
            reject(
              new PushStepError(
                ErrorCode.PUSH_COPY_FAILED,
                `copying to ${remotePath} failed: ${putErr.message}`,
              ),
            );
          else resolve();
        });
      });
    });
  }

  close(): void {
    this.client.end();
  }
}
