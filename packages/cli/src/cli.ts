import { nodeIo } from './io.js';
import { runCli } from './program.js';

// `steward device list | head`: a closed pipe ends the command quietly, as for other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), nodeIo());
// Exit once the output is flushed: fetch's keep-alive sockets would otherwise hold the process
// for seconds after the work is done (e.g. after Ctrl-C on `status list --follow`).
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
