/** Other processes, as the output folder's lock, its abandoned staging folders and old browser profiles see them. */

/** The largest process id a system can have (Linux's pid_max is at most 2^22; kill() takes a 32-bit int). */
const MAX_PID = 2 ** 31 - 1;

/**
 * Whether the process `pid` exists, by sending it no signal (signal 0). EPERM means it exists but belongs
 * to another user. Anything that is not a process id of one process (0 is our own process group, -1 every
 * process we may signal, -n the group n) is no process: a lock file holding one is a broken one.
 */
export function isAlive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid > MAX_PID) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
