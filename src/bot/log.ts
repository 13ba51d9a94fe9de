import type { LogFields } from './context.js';

/**
 * A structured logger: one JSON object per line, with a timestamp. Secrets (the bot token) and
 * interaction/webhook tokens in URLs are replaced, whatever field they end up in.
 */
export function structuredLog(
  write: (line: string) => void,
  secrets: ReadonlyArray<string | null | undefined>,
  now: () => number = Date.now,
): (fields: LogFields) => void {
  const hidden = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return (fields) => {
    let line: string;
    try {
      line = JSON.stringify({ time: new Date(now()).toISOString(), ...fields });
    } catch {
      line = JSON.stringify({ time: new Date(now()).toISOString(), event: String(fields.event ?? 'log'), error: 'unserializable log fields' });
    }
    write(redact(line, hidden));
  };
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.replace(/(webhooks|interactions)\/(\d+)\/[\w.-]{20,}/g, '$1/$2/[redacted]');
}
