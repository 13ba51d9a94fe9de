/**
 * Progress edits, at most one per `intervalMs` and one at a time, in order; the latest text wins.
 * `finish()` waits for the edits in flight and drops any pending one, so a final edit sent after it
 * is never overwritten by a stale progress line.
 */
export interface ThrottledEdits {
  push(text: string): void;
  finish(): Promise<void>;
}

export function throttledEdits(
  edit: (text: string) => Promise<unknown>,
  intervalMs: number,
  onError: (error: unknown) => void = () => {},
  now: () => number = Date.now,
): ThrottledEdits {
  let last = -Infinity;
  let pending: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  const flush = () => {
    timer = null;
    if (closed || pending === null) return;
    const text = pending;
    pending = null;
    last = now();
    chain = chain.then(() => edit(text)).catch(onError);
  };

  return {
    push(text) {
      if (closed) return;
      pending = text;
      if (timer) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    async finish() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
    },
  };
}
