#!/usr/bin/env node
// The baseline of bench:content: a bare Node HTTPS server that streams one file with
// fs.createReadStream, nothing else (no auth, no routing, no framework). Prints its port on stdout.
//   node bench/lib/static-file-server.mjs FILE CERT_PEM KEY_PEM
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';

const [file, certFile, keyFile] = process.argv.slice(2);
const size = statSync(file).size;
const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (req, res) => {
    res.writeHead(200, {
      'content-length': String(size),
      'content-type': 'application/octet-stream',
    });
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  },
);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
