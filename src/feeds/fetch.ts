import { NewsdeskError } from '../errors.js';

export interface FetchLimits {
  /** Whole request, headers and body, in milliseconds. */
  timeoutMs: number;
  /** Bodies larger than this are refused, stopping the download early. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Sent as Accept. */
  accept?: string;
}

export interface FetchedText {
  /** The URL after redirects. */
  url: string;
  contentType: string;
  body: string;
}

export const USER_AGENT = 'Newsdesk/0.1 (feed reader of a Discord news-quoting bot; reads each page once)';

export const DEFAULT_LIMITS: FetchLimits = {
  timeoutMs: 30_000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: USER_AGENT,
};

/**
 * GETs a URL as text with our own timeout, size cap and redirect limit (fetch's own would follow
 * 20 redirects, to any scheme, and read any size). Throws FEED_UNREACHABLE naming the URL.
 */
export async function fetchText(url: string, limits: FetchLimits): Promise<FetchedText> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: { 'user-agent': limits.userAgent, accept: limits.accept ?? '*/*' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= limits.maxRedirects) throw unreachable(url, `more than ${limits.maxRedirects} redirects`);
        current = nextUrl(url, current, location);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw unreachable(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const contentType = response.headers.get('content-type') ?? '';
      const bytes = await readCapped(url, response, limits.maxBytes);
      return { url: current, contentType, body: decode(bytes, contentType) };
    }
  } catch (error) {
    if (error instanceof NewsdeskError) throw error;
    if (signal.aborted) throw unreachable(url, `no complete answer within ${formatSeconds(limits.timeoutMs)}`, error);
    throw unreachable(url, networkReason(error), error);
  }
}

function nextUrl(original: string, current: string, location: string): string {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw unreachable(original, `a redirect to an invalid URL "${location}"`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw unreachable(original, `a redirect to a ${next.protocol} URL`);
  return next.href;
}

async function readCapped(url: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => unreachable(url, `the body is larger than ${formatBytes(maxBytes)}`);
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

function unreachable(url: string, reason: string, cause?: unknown): NewsdeskError {
  return new NewsdeskError('FEED_UNREACHABLE', `${url}: ${reason}.`, { cause });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${bytes} bytes`;
}

/**
 * Whether a URL names this machine or a private network by its literal host (localhost, loopback,
 * RFC 1918, link-local, IPv6 unique-local). Names that merely resolve there are not caught.
 */
export function isPrivateUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::') return true;
  if (/^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host.replace(/^::ffff:/, ''));
  if (!v4) return false;
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
