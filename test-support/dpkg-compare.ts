import { execFileSync } from 'node:child_process';

/**
 * dpkg's verdict on each `[a, op, b]` (`op` one of lt, eq, gt), from one shell rather than one
 * Node child process per pair (thousands of spawns take far longer). Versions holding a single
 * quote are refused: single-quoting is only exact without them.
 */
export function dpkgAgrees(checks: readonly (readonly [string, string, string])[]): boolean[] {
  for (const [a, , b] of checks) {
    if (a.includes("'") || b.includes("'")) throw new Error(`cannot quote version ${a} / ${b}`);
  }
  const script = checks
    .map(([a, op, b]) => `dpkg --compare-versions '${a}' ${op} '${b}'; echo $?`)
    .join('\n');
  const out = execFileSync('sh', ['-s'], {
    input: script,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .trim()
    .split('\n')
    .map((code) => code === '0');
}
