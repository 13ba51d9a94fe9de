import { randomBytes } from 'node:crypto';

/**
 * Short-lived state behind buttons (an answer's further passages, a headline list), keyed by a
 * random id that goes into the custom id. In memory: after a restart or `ttlMs`, the buttons
 * answer EXPIRED. Bounded: the oldest entries go first when `max` is reached.
 */
export class SessionStore<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: { ttlMs: number; max: number; now?: () => number }) {
    this.ttlMs = options.ttlMs;
    this.max = options.max;
    this.now = options.now ?? Date.now;
  }

  /** Stores `value` and returns its id: 8 characters of [A-Za-z0-9_-]. */
  put(value: T): string {
    this.prune();
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    let id: string;
    do id = randomBytes(6).toString('base64url');
    while (this.entries.has(id));
    this.entries.set(id, { value, expires: this.now() + this.ttlMs });
    return id;
  }

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    // Insertion order is expiry order (fixed TTL), so stop at the first live entry.
    for (const [id, entry] of this.entries) {
      if (entry.expires > now) break;
      this.entries.delete(id);
    }
  }
}
