/**
 * Runs `pass` one at a time. A call while a pass runs gets that pass's promise and asks for
 * exactly one more pass after it, so a burst of triggers costs at most two passes and none is
 * lost. `pass` may also return true to ask for another (more work is waiting).
 */
export function singleFlight(pass: () => Promise<boolean | undefined>) {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          if (await pass()) again = true;
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  /** Resolves when no pass is running (without starting one). */
  const idle = (): Promise<void> => running ?? Promise.resolve();
  return Object.assign(run, { idle });
}
