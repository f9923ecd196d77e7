import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { CliIo, OutStream } from '../io.js';
import { formatDuration } from './format.js';
import { toTerminal } from './terminal-text.js';

/**
 * Progress of a long operation, on stderr so stdout stays clean. On a terminal: a bar (when the
 * number of steps is known) or a spinner line; otherwise one plain line per change of stage.
 */
export interface Progress {
  /** Moves to a stage; `value` counts steps done when the total is known. */
  update(stage: string, value?: number): void;
  /** Prints a line (to stderr, or `to`) above the bar/spinner without breaking it. */
  log(line: string, to?: OutStream): void;
  /** Removes the bar/spinner and prints `final` when given. */
  stop(final?: string): void;
}

export interface ProgressOptions {
  title: string;
  /** Number of steps; a spinner when absent. */
  total?: number;
}

export function createProgress(io: CliIo, opts: ProgressOptions): Progress {
  const stream = io.stderr;
  // Titles and stages name things from the site (packages, devices): no raw control characters.
  const title = toTerminal(opts.title);
  if (stream.isTTY === true && stream instanceof Writable) {
    return opts.total === undefined
      ? spinner(io, stream, title)
      : bar(io, stream, title, opts.total);
  }
  return plain(io, title);
}

function plain(io: CliIo, title: string): Progress {
  const started = io.now().getTime();
  let last = '';
  return {
    update(stage) {
      if (stage === last) return;
      last = stage;
      io.stderr.write(
        toTerminal(`${title}: ${stage} (${formatDuration(io.now().getTime() - started)})\n`),
      );
    },
    log(line, to = io.stderr) {
      to.write(toTerminal(`${line}\n`));
    },
    stop(final) {
      if (final !== undefined) io.stderr.write(toTerminal(`${final}\n`));
    },
  };
}

function bar(io: CliIo, stream: Writable, title: string, total: number): Progress {
  const b = new cliProgress.SingleBar(
    {
      stream,
      format: `${title} [{bar}] {stage} | {duration_formatted}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { stage: 'starting' });
  return {
    update(stage, value) {
      b.update(value ?? b.getProgress() * total, { stage: toTerminal(stage) });
    },
    log(line, to = io.stderr) {
      stream.write('\r\u001b[K');
      to.write(toTerminal(`${line}\n`));
      b.render();
    },
    stop(final) {
      b.stop();
      if (final !== undefined) io.stderr.write(toTerminal(`${final}\n`));
    },
  };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function spinner(io: CliIo, stream: Writable, title: string): Progress {
  const started = io.now().getTime();
  let stage = 'starting';
  let frame = 0;
  const draw = (): void => {
    const elapsed = formatDuration(io.now().getTime() - started);
    stream.write(
      `\r\u001b[K${toTerminal(`${FRAMES[frame % FRAMES.length] ?? ''} ${title}: ${stage} (${elapsed})`)}`,
    );
    frame += 1;
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  draw();
  return {
    update(next) {
      stage = next;
      draw();
    },
    log(line, to = io.stderr) {
      stream.write('\r\u001b[K');
      to.write(toTerminal(`${line}\n`));
      draw();
    },
    stop(final) {
      clearInterval(timer);
      stream.write('\r\u001b[K');
      if (final !== undefined) io.stderr.write(toTerminal(`${final}\n`));
    },
  };
}
