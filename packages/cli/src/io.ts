import type { StartServer } from './up/site-server.js';

/** Where a command writes: the process streams in production, buffers in tests. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  /** Waits for 'drain' after a write returned false (process streams; streamed exports). */
  once?: ((event: 'drain', listener: () => void) => unknown) | undefined;
}

export type InStream = NodeJS.ReadableStream & {
  isTTY?: boolean | undefined;
  setRawMode?: ((mode: boolean) => unknown) | undefined;
};

/**
 * Everything a command touches outside itself. Commands never reach for `process` directly,
 * so tests run them in-process with buffers, a fake fetch and a fake clock.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Injected into the API client; the global fetch when absent. */
  fetch?: typeof fetch | undefined;
  now(): Date;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: string) => void): () => void;
  /** Ends the process now (a second Ctrl-C while a server shuts down). */
  exit(code: number): void;
  /** Loads `startServer` from @steward/server (only the server and up commands need it). */
  loadServer?: (() => Promise<StartServer>) | undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The real process. */
export function nodeIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep,
    exit: (code) => process.exit(code),
    onInterrupt(handler) {
      const onSignal = (signal: NodeJS.Signals): void => handler(signal);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    },
  };
}

/** An AbortController that aborts on the first SIGINT/SIGTERM; `dispose` removes the handler. */
export function interruptController(io: CliIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const off = io.onInterrupt(() => controller.abort());
  return { signal: controller.signal, dispose: off };
}

/** Signals closer together than this are one Ctrl-C (the terminal's, and the same one forwarded by npm). */
const SIGNAL_BURST_MS = 1500;

/**
 * Calls `first` on the first SIGINT/SIGTERM and `again` on a later one (a second Ctrl-C while
 * shutting down), ignoring the burst of copies a Ctrl-C produces under `npm start`.
 */
export function onInterrupts(
  io: CliIo,
  handlers: { first: (signal: string) => void; again: () => void },
): () => void {
  let firstAt: number | undefined;
  return io.onInterrupt((signal) => {
    const now = io.now().getTime();
    if (firstAt === undefined) {
      firstAt = now;
      handlers.first(signal);
    } else if (now - firstAt > SIGNAL_BURST_MS) {
      handlers.again();
    }
  });
}
