/** Small network helpers the VM tests share: a free loopback port, an HTTPS download. */
import { writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 now (the kernel's pick), e.g. for the site's agent listener. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GET over HTTPS into a file (the site's certificate is not under test here; hashes are). */
export function downloadTo(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: ${String(res.statusCode)}`));
        else {
          writeFileSync(path, Buffer.concat(chunks));
          resolve();
        }
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}
