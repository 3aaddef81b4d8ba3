/**
 * How long a client must have sent nothing (and be waiting for nothing) before quiet work runs. An editor sends
 * its first requests right after the `initialize` answer; they go first.
 */
export const QUIET_MS = 25;

/**
 * Work that only saves a later request some time (loading a native binding, creating a directory): it runs once
 * the client has been quiet for `quietMs`, i.e. nothing in flight and no request received or answered during the
 * whole wait (the wait starts over otherwise), and never after `close()`. It must not run while a request waits
 * for the CPU. Quiet counts from the last answer, not only from the last request: a client sends its next request
 * right after an answer, and a timer may fire before that request has been read.
 */
export class QuietWork {
  private activity = 0;
  private closed = false;

  constructor(
    /** True while a request of this client is being handled. */
    private readonly busy: () => boolean,
    private readonly quietMs = QUIET_MS,
  ) {}

  /** A request was received or answered. */
  noteActivity(): void {
    this.activity += 1;
  }

  /** The client left: pending tasks are dropped. */
  close(): void {
    this.closed = true;
  }

  /** Runs `task` once, at the first quiet moment (see the class comment). Timers never keep the process alive. */
  run(task: () => void): void {
    let seen = this.activity;
    const check = (): void => {
      if (this.closed) return;
      if (!this.busy() && this.activity === seen) {
        task();
        return;
      }
      seen = this.activity;
      setTimeout(check, this.quietMs).unref();
    };
    setTimeout(check, this.quietMs).unref();
  }
}
