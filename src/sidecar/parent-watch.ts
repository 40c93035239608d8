/**
 * The sidecar lives exactly as long as its kernel. Two signals, either one enough:
 * its stdin reaches EOF (the kernel's end of the pipe closed, which the OS does even on
 * SIGKILL), or the parent pid it was started by is no longer its parent (re-parented to init or
 * a subreaper) or no longer exists.
 */

/** Options of {@link watchParent}. */
export interface ParentWatchOptions {
  /** The pid the shim passed (`--parent-pid`); checked against `process.ppid` too. */
  readonly parentPid: number;
  readonly intervalMs?: number;
  readonly onGone: (reason: string) => void;
}

/** Start watching; returns a function that stops. */
export function watchParent(options: ParentWatchOptions): () => void {
  const timer = setInterval(() => {
    const reason = parentGone(options.parentPid);
    if (reason !== null) {
      clearInterval(timer);
      options.onGone(reason);
    }
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

function parentGone(parentPid: number): string | null {
  if (process.ppid !== parentPid)
    return `parent ${parentPid} is gone (ppid is now ${process.ppid})`;
  try {
    process.kill(parentPid, 0);
    return null;
  } catch (error) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? `parent ${parentPid} exited` : null;
  }
}
