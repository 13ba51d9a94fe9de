/**
 * Per-user cooldown and per-channel rate limit, with an injectable clock. Pure bookkeeping: the
 * caller decides what to tell the user.
 *
 * - A user may start one question every `userCooldownMs` (0: no cooldown).
 * - A channel gets at most `channelPerMinute` answers in any 60-second window (0: no limit).
 */
export type LimitResult =
  | { ok: true }
  | {
      ok: false;
      scope: 'user' | 'channel';
      /** When the user may try again (ms since the epoch, per the injected clock). */
      retryAt: number;
      /**
       * True for the first refusal of that key since its last success, not counting refusals told
       * privately: a public notice is worth posting once per window, not on every message.
       */
      first: boolean;
    };

export interface LimiterOptions {
  userCooldownMs: number;
  channelPerMinute: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;
const PRUNE_EVERY = 1000;

export class RateLimiter {
  private readonly users = new Map<string, { until: number; warned: boolean }>();
  private readonly channels = new Map<string, { times: number[]; warned: boolean }>();
  private readonly now: () => number;
  private takes = 0;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Checks both limits and, when both allow it, counts the question against them. `notice` says how
   * a refusal will be told: 'public' (a message in the channel) marks the key as told; 'private'
   * (an ephemeral reply) does not.
   */
  take(userId: string, channelId: string | null, notice: 'public' | 'private' = 'public'): LimitResult {
    const tell = notice === 'public';
    const now = this.now();
    if (++this.takes % PRUNE_EVERY === 0) this.prune(now);

    const user = this.users.get(userId);
    if (this.options.userCooldownMs > 0 && user && user.until > now) {
      const first = !user.warned;
      if (tell) user.warned = true;
      return { ok: false, scope: 'user', retryAt: user.until, first };
    }

    const max = this.options.channelPerMinute;
    const channel = channelId === null ? undefined : this.channels.get(channelId);
    if (channel) channel.times = channel.times.filter((t) => t > now - WINDOW_MS);
    if (max > 0 && channel && channel.times.length >= max) {
      const first = !channel.warned;
      if (tell) channel.warned = true;
      return { ok: false, scope: 'channel', retryAt: channel.times[0]! + WINDOW_MS, first };
    }

    if (this.options.userCooldownMs > 0) this.users.set(userId, { until: now + this.options.userCooldownMs, warned: false });
    if (max > 0 && channelId !== null) {
      const entry = channel ?? { times: [], warned: false };
      entry.times.push(now);
      entry.warned = false;
      this.channels.set(channelId, entry);
    }
    return { ok: true };
  }

  private prune(now: number): void {
    for (const [id, user] of this.users) if (user.until <= now) this.users.delete(id);
    for (const [id, channel] of this.channels) if (channel.times.every((t) => t <= now - WINDOW_MS)) this.channels.delete(id);
  }
}
