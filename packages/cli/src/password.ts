import { CliError, usageError } from './errors.js';
import type { CliIo, InStream } from './io.js';
import { graphemes } from './output/terminal-text.js';

/** Reads all of stdin as text. */
export async function readStdin(stdin: InStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** The password piped on stdin: its first line, without the line ending (`echo pw | steward login`). */
export async function readPasswordFromStdin(stdin: InStream): Promise<string> {
  const text = await readStdin(stdin);
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw usageError('--password-stdin: nothing was read from stdin');
  return first;
}

/**
 * Where a command gets a password: stdin with --password-stdin; otherwise a prompt without echo
 * when stdin is a terminal. Passwords are never taken from a flag (they would show in `ps`).
 */
export async function obtainPassword(
  io: CliIo,
  opts: { fromStdin: boolean; prompt: string; confirm?: boolean },
): Promise<string> {
  if (opts.fromStdin) return readPasswordFromStdin(io.stdin);
  if (io.stdin.isTTY !== true || io.stdin.setRawMode === undefined) {
    throw usageError(
      'no password: pipe it with --password-stdin (stdin is not a terminal to prompt on)',
    );
  }
  const password = await promptHidden(io, opts.prompt);
  if (password === '') throw usageError('empty password');
  if (opts.confirm === true) {
    const again = await promptHidden(io, 'Repeat the password: ');
    if (again !== password) throw usageError('the passwords do not match');
  }
  return password;
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C aborts. */
export function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  const setRaw = stdin.setRawMode;
  if (setRaw === undefined) return Promise.reject(usageError('stdin is not a terminal'));
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error): void => {
      stdin.removeListener('data', onData);
      setRaw.call(stdin, false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer | string): void => {
      for (const ch of typeof data === 'string' ? data : data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          return;
        }
        if (ch === '\u0003') {
          finish(new CliError('CANCELLED', 'cancelled', 1));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = graphemes(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    setRaw.call(stdin, true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
