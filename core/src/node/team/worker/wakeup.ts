/** A sleep that something can cut short: the worker waits on it for work or its poll interval. */
export class Wakeup {
  private pending: (() => void) | undefined;
  private woken = false;

  /** Ends the current (or the next) wait. */
  wake(): void {
    this.woken = true;
    this.pending?.();
  }

  /** Resolves after `ms`, or sooner when woken (at once if woken since the last wait). */
  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      const self = this;
      function finish(): void {
        clearTimeout(timer);
        self.pending = undefined;
        self.woken = false;
        resolve();
      }
      this.pending = finish;
    });
  }
}
