/**
 * Component custom ids: `<command>:<action>[:<arg>…]`, at most 100 characters. The first part names
 * the command module whose `component` handler runs, so routing needs no table.
 *
 *   ask:more:<session>:<offset>                          next passages of an answer (ephemeral)
 *   ask:vote:<session>:up|down                          a vote on an answer (ephemeral ack)
 *   source:show:<docId>:<start>:<end>                    the document behind a passage (ephemeral)
 *   source:page:<docId>:<page>:<owner>[:<start>:<end>]   page through a document (owner only)
 *   headlines:page:<session>:<page>                      page through headlines (owner in session)
 */
import { LIMITS } from './text.js';

export interface CustomId {
  command: string;
  action: string;
  args: string[];
}

export function customId(command: string, action: string, ...args: Array<string | number>): string {
  const parts = [command, action, ...args.map(String)];
  if (parts.some((p) => p.includes(':'))) throw new Error(`custom id parts may not contain ":": ${parts.join(' ')}`);
  const id = parts.join(':');
  if (id.length > LIMITS.customId) throw new Error(`custom id longer than ${LIMITS.customId} characters: ${id}`);
  return id;
}

export function parseCustomId(id: string): CustomId {
  const [command = '', action = '', ...args] = id.split(':');
  return { command, action, args };
}

/** A non-negative integer argument, or null. */
export function intArg(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return null;
  return Number(value);
}
