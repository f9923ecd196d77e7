import { spawn, type ChildProcess } from 'node:child_process';
import type { RunPaths } from './run-record.js';

/**
 * The shell that owns a run. It records its own pid (= process group id, it leads a new session),
 * runs the command line in the working directory with output appended to `output.log`, then
 * writes the exit status to `exit.tmp` and renames it to `exit`: the outcome reaches the disk
 * whether or not the agent is still alive, and a half-written status is never read.
 *
 * Arguments: $1 run dir, $2 working dir, $3 user ('' = as the agent), $4 command line.
 */
export const WRAPPER_SCRIPT = [
  'run_dir=$1; work_dir=$2; run_user=$3; command_line=$4',
  'echo $$ > "$run_dir/pid.tmp" && mv -f "$run_dir/pid.tmp" "$run_dir/pid"',
  'finish() { printf \'%s\\n\' "$1" > "$run_dir/exit.tmp" && mv -f "$run_dir/exit.tmp" "$run_dir/exit"; exit 0; }',
  'cd "$work_dir" 2>>"$run_dir/output.log" || finish 126',
  'if [ -n "$run_user" ]; then',
  '  runuser -u "$run_user" -- /bin/sh -c "$command_line" </dev/null >>"$run_dir/output.log" 2>&1',
  'else',
  '  /bin/sh -c "$command_line" </dev/null >>"$run_dir/output.log" 2>&1',
  'fi',
  'finish $?',
].join('\n');

export const RUN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The small, clean environment a program gets (nothing of the agent's own leaks into it). */
export function runEnvironment(o: {
  home: string;
  deploymentId: string;
  packageDir: string;
  lang?: string | undefined;
}): Record<string, string> {
  return {
    PATH: RUN_PATH,
    HOME: o.home,
    LANG: o.lang ?? 'C.UTF-8',
    STEWARD_DEPLOYMENT_ID: o.deploymentId,
    STEWARD_PACKAGE_DIR: o.packageDir,
  };
}

/** Spawns the wrapper as the leader of a new session and process group (setsid). */
export function spawnWrapper(o: {
  paths: RunPaths;
  workDir: string;
  user: string | undefined;
  commandLine: string;
  env: Record<string, string>;
}): ChildProcess {
  const child = spawn(
    '/bin/sh',
    ['-c', WRAPPER_SCRIPT, 'steward-run', o.paths.dir, o.workDir, o.user ?? '', o.commandLine],
    { detached: true, stdio: 'ignore', env: o.env, cwd: o.paths.dir },
  );
  // The agent must be able to exit (or crash) without waiting for, or taking down, the program.
  child.unref();
  return child;
}
