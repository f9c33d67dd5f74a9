/**
 * In-memory token buckets for expensive operations (detection runs, imports, reports, exports): one bucket per user
 * and one per client IP. A bucket holds `capacity` tokens and refills at `capacity / windowSeconds` per second; an
 * operation takes one token from each. Per process: a server behind a load balancer limits per instance.
 */
export interface RateLimitSettings {
  /** Expensive operations a signed-in user may start per window (burst = the whole window's allowance). */
  perUser: number;
  /** Expensive operations one IP address may start per window (several users behind one NAT share it). */
  perIp: number;
  windowSeconds: number;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: RateLimitSettings, private readonly now: () => number = Date.now) {}

  /**
   * Takes one token from every bucket named, or none when any is empty. Returns 0 when allowed, otherwise the
   * seconds until the emptiest bucket has a token again.
   */
  take(keys: { key: string; capacity: number }[]): number {
    const t = this.now();
    let wait = 0;
    const states = keys.map(({ key, capacity }) => {
      const rate = capacity / (this.settings.windowSeconds * 1000);
      const b = this.buckets.get(key) ?? { tokens: capacity, at: t };
      const tokens = Math.min(capacity, b.tokens + (t - b.at) * rate);
      if (tokens < 1) wait = Math.max(wait, Math.ceil((1 - tokens) / rate / 1000));
      return { key, tokens };
    });
    if (wait > 0) return wait;
    for (const s of states) this.buckets.set(s.key, { tokens: s.tokens - 1, at: t });
    if (this.buckets.size > 50_000) this.sweep(t);
    return 0;
  }

  /** Forgets full buckets (they carry no state beyond "full"). */
  private sweep(t: number): void {
    for (const [key, b] of this.buckets) {
      if (t - b.at > this.settings.windowSeconds * 1000) this.buckets.delete(key);
    }
  }

  /** Checks one expensive operation for a user (null = anonymous) and an IP. */
  check(userId: number | null, ip: string | undefined): number {
    const keys = [{ key: `ip:${ip ?? '?'}`, capacity: this.settings.perIp }];
    if (userId !== null) keys.push({ key: `user:${userId}`, capacity: this.settings.perUser });
    return this.take(keys);
  }
}
