/**
 * An async iterator whose `return()` (a client unsubscribing) aborts the generator's signal
 * first, so a generator waiting for news stops at once instead of at its next wake-up.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = start(controller.signal);
  return {
    next: () => generator.next(),
    return(value?: unknown) {
      controller.abort();
      return generator.return(value as T);
    },
    throw(error?: unknown) {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
