/**
 * Setup of every unit test file. The unit project runs its files without isolation (ADR 0090:
 * a worker process imports the modules once for all its files, where re-importing them per file
 * was ~half of the stage), so process-wide state that code run in-process changes is put back
 * after each file: the umask (`steward server` and `rotate-master-key` set 077 for the files
 * they write).
 */
import { afterAll } from 'vitest';

const umask = process.umask(0o022);
process.umask(umask);

afterAll(() => {
  process.umask(umask);
});
