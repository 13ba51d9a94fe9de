/**
 * A fake Discord for end-to-end bot tests: REST (node:http) and gateway (ws) on one loopback port,
 * good enough for the real discord.js 14 client to log in, receive events and answer them.
 *
 *   const fake = await startFakeDiscord();
 *   const client = new Client({ intents, partials: [Partials.Channel], rest: fake.restOptions });
 *   await fake.login(client);                       // clientReady, in a few ms
 *   const i = fake.slashCommand('ask', { question: 'What happened?' });
 *   const edit = await i.waitForEdit();              // PATCH .../messages/@original
 *   await client.destroy(); await fake.close();      // client first, or it reconnects
 *
 * Everything the client sends over REST is recorded in `calls` (decoded path, query, parsed body,
 * files, headers, and what the fake answered). Frames are plain JSON (the client accepts text frames
 * even when it asked for compression). It models the Discord behaviour bots trip over: interaction
 * tokens that can be acknowledged once, `@original` that only exists after a response, the
 * 2000-character content limit and embed limits, replies to unknown messages, empty messages,
 * intents (no MESSAGE_CONTENT intent: guild message content is blanked unless the bot is mentioned),
 * DMs that need `Partials.Channel`, and echoes of the bot's own messages as MESSAGE_CREATE.
 * Sharded clients (`shard: [id, count]` in IDENTIFY) each get their own guilds' events, routed as
 * Discord does: `(guild_id >> 22) % count`, DMs to shard 0; `addGuild({ onShard })` makes a guild
 * for a given shard, and `recommendedShards` is what GET /gateway/bot recommends.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type {
  APIApplicationCommandInteractionDataOption,
  APIChannel,
  APIMessage,
  APIUser,
  Client,
} from 'discord.js';

// ---------------------------------------------------------------------------------------------
// Snowflakes

const DISCORD_EPOCH = 1420070400000n;
let lastTimestamp = 0n;
let increment = 0n;

/** A snowflake for a given time: `(ms since 2015) << 22 | worker 1 | increment`. */
export function snowflakeAt(ms: number, inc = 0): string {
  return (((BigInt(ms) - DISCORD_EPOCH) << 22n) | (1n << 17n) | (BigInt(inc) & 0xfffn)).toString();
}

/** A new, unique, increasing 19-digit snowflake for "now". */
export function snowflake(): string {
  let ts = BigInt(Date.now()) - DISCORD_EPOCH;
  if (ts <= lastTimestamp) {
    ts = lastTimestamp;
    increment += 1n;
    if (increment > 0xfffn) {
      ts += 1n;
      increment = 0n;
    }
  } else {
    increment = 0n;
  }
  lastTimestamp = ts;
  return ((ts << 22n) | (1n << 17n) | increment).toString();
}

/** The shard Discord sends a guild's events to: `(guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** The time a snowflake was made, as an ISO string. */
export function snowflakeTime(id: string): string {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH)).toISOString();
}

const FIXED = Date.UTC(2024, 0, 15, 12, 0, 0);
const FIXED_IDS = {
  application: snowflakeAt(FIXED, 1),
  guild: snowflakeAt(FIXED + 1000, 2),
  channel: snowflakeAt(FIXED + 2000, 3),
  user: snowflakeAt(FIXED + 3000, 4),
  botRole: snowflakeAt(FIXED + 4000, 5),
  otherUser: snowflakeAt(FIXED + 5000, 6),
};

// ---------------------------------------------------------------------------------------------
// Constants

export const API_PREFIX = '/api/v10';
const NONCE_WINDOW_MS = 5 * 60_000;

/** Gateway intent bits the fake looks at. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

const Perm = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
};
const EVERYONE_PERMISSIONS =
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.Connect |
  Perm.Speak |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.SendMessagesInThreads;
const BOT_PERMISSIONS =
  EVERYONE_PERMISSIONS | Perm.ManageMessages | Perm.MentionEveryone | Perm.ManageThreads | Perm.CreatePrivateThreads;

const MessageFlag = { Ephemeral: 1 << 6, Loading: 1 << 7 };
const ChannelType = { GuildText: 0, DM: 1, AnnouncementThread: 10, PublicThread: 11, PrivateThread: 12 };
const THREAD_TYPES = new Set([ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread]);

// ---------------------------------------------------------------------------------------------
// Public types

/* eslint-disable @typescript-eslint/no-explicit-any -- payloads are arbitrary JSON; tests read them freely */
/** Arbitrary JSON object as the fake stores and sends it. */
export type Json = Record<string, any>;

export interface FakeFile {
  /** Form field name, e.g. `files[0]`. */
  field: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/** One REST request the client made, and what the fake answered. */
export interface Call {
  /** Increases by one for every call over the fake's lifetime (not reset by clearCalls). */
  seq: number;
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  /** Decoded path without query, e.g. `/api/v10/webhooks/APP/TOKEN/messages/@original`. */
  path: string;
  /** `path` without the `/api/v10` prefix. */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the parsed `payload_json` part of a multipart body; null if none. */
  body: any;
  /** Files of a multipart body (discord.js sends multipart only when files are attached). */
  files: FakeFile[];
  headers: IncomingHttpHeaders;
  /** HTTP status the fake answered with. */
  status: number;
  /** JSON the fake answered with (null for 204). */
  response: any;
}

export type CallMatcher =
  | ((call: Call) => boolean)
  | { method?: string; path?: string | RegExp; route?: string | RegExp };

export interface GatewayFrame {
  at: number;
  op: number;
  d: any;
}

export interface DispatchRecord {
  at: number;
  t: string;
  s: number;
  d: Json;
}

export type OptionValue = string | number | boolean;
/** Options either as `{ name: value }` (types taken from registered commands, else inferred) or raw API options. */
export type SlashOptions = Record<string, OptionValue> | APIApplicationCommandInteractionDataOption[];

export interface InteractionOptions {
  /** Who interacts: a user object (merged over a new user) or a user id; defaults to `fake.user`. */
  user?: Partial<APIUser> | string;
  /** Member permissions in the channel (bitfield as bigint/string); defaults to @everyone's. */
  permissions?: bigint | string;
  /** Member role ids. */
  roles?: string[];
  /** From the bot's DM channel with the user (no guild, no member; `user` instead). */
  dm?: boolean;
  /** Channel (text channel or thread) in the guild; defaults to the guild's text channel. */
  channelId?: string;
  /** A guild from addGuild(); defaults to `fake.guildId`. */
  guildId?: string;
  locale?: string;
  /** Extra fields merged over the built payload (shallow). */
  extra?: Json;
}

export interface SlashCommandOptions extends InteractionOptions {
  subcommand?: string;
  subcommandGroup?: string;
}

export interface AutocompleteOptions extends SlashCommandOptions {
  /** Name of the focused option when options are given as a record; defaults to the first key. */
  focused?: string;
}

export interface InteractionHandle {
  id: string;
  token: string;
  /** The INTERACTION_CREATE `d` that was dispatched. */
  payload: Json;
  /** `/api/v10/interactions/:id/:token/callback` */
  callbackPath: string;
  /** `/api/v10/webhooks/:app/:token` (follow-ups are POSTed here) */
  webhookPath: string;
  /** `/api/v10/webhooks/:app/:token/messages/@original` */
  originalPath: string;
  /** Resolves with the (first) POST to the callback route. */
  waitForCallback(timeoutMs?: number): Promise<Call>;
  /** Resolves with the first PATCH of @original at or after call seq `since` (see `fake.mark()`). */
  waitForEdit(timeoutMs?: number, since?: number): Promise<Call>;
  /** Resolves with the first follow-up POST at or after call seq `since`. */
  waitForFollowUp(timeoutMs?: number, since?: number): Promise<Call>;
  /** All recorded calls for this interaction (callback and webhook routes). */
  calls(): Call[];
  /** The fake's current state of the original response message, if any. */
  original(): APIMessage | undefined;
}

export interface MessageOptions {
  /** Mention the bot: adds it to `mentions` and prefixes `<@botId> ` unless the content already has it. */
  mentionsBot?: boolean;
  /** Guild channel to post in; defaults to `fake.channelId`. */
  channelId?: string;
  /** Post in this thread (must exist in the fake, e.g. from createThread() or the bot's startThread()). */
  threadId?: string;
  /** Author as object (merged over a new user) or id; defaults to `fake.user`. */
  author?: Partial<APIUser> | string;
  authorId?: string;
  /** In the author's DM with the bot. */
  dm?: boolean;
  /** Reply to this message (object or id of a message the fake knows). */
  referencedMessage?: APIMessage | Json | string;
  /** When replying, whether the reply pings the replied-to author (Discord's default: yes). */
  pingReplied?: boolean;
  embeds?: Json[];
  attachments?: Json[];
  /** Extra fields merged over the message (shallow). */
  extra?: Json;
}

export interface ThreadOptions {
  name?: string;
  /** Defaults to the bot. */
  ownerId?: string;
  parentId?: string;
  type?: number;
  /** Start the thread from this message: the thread gets the message's id, as on Discord. */
  fromMessageId?: string;
}

export interface FailureSpec {
  status: number;
  /** Discord JSON error code (e.g. 50013 Missing Permissions). */
  code?: number;
  message?: string;
  /** Full JSON body (overrides code/message). */
  body?: unknown;
  headers?: Record<string, string>;
}

interface DeliveryFault {
  match: (call: Call) => boolean;
  times: number;
  /** Whether the request takes effect before the fault. */
  applied: boolean;
  /** The answer after applying; null destroys the socket instead. */
  failure: FailureSpec | null;
}

export interface FakeDiscordOptions {
  /** HELLO heartbeat_interval; default 41250 ms. */
  heartbeatIntervalMs?: number;
  /** Dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages, as Discord does; default true. */
  echoBotMessages?: boolean;
  botUsername?: string;
  /**
   * Intent bits the application may not use (e.g. `Intent.MessageContent` when the Message Content
   * intent is off in the Developer Portal): an IDENTIFY asking for any of them is closed with 4014
   * "Disallowed intent(s).", as Discord does. Default 0.
   */
  disallowedIntents?: number;
  guildName?: string;
  channelName?: string;
  /** `shards` that GET /gateway/bot recommends; default 1. */
  recommendedShards?: number;
  /** GET /gateway/bot `session_start_limit.max_concurrency`; default 1. */
  maxConcurrency?: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RequestContext {
  method: string;
  segments: string[];
  query: Record<string, string>;
  body: any;
  files: FakeFile[];
  headers: IncomingHttpHeaders;
  /** Run after the response is sent (gateway echoes). */
  after: (fn: () => void) => void;
}

interface InteractionState {
  id: string;
  token: string;
  type: number;
  payload: Json;
  channelId: string;
  guildId: string | null;
  user: Json;
  acknowledged: boolean;
  responseType: number | null;
  originalId: string | null;
  messageIds: Set<string>;
}

interface Session {
  id: string;
  seq: number;
  intents: number;
  shard: [number, number];
  ws: WebSocket | null;
  log: Array<{ s: number; frame: string }>;
}

interface Waiter {
  match: (call: Call) => boolean;
  since: number;
  resolve: (call: Call) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const now = (): string => new Date().toISOString();
const clone = <T>(value: T): T => structuredClone(value);
const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });
const noContent = (): Reply => ({ status: 204 });
const errorReply = (status: number, code: number, message: string, errors?: Json): Reply =>
  json(status, errors ? { message, code, errors } : { message, code });
const formError = (field: string, code: string, message: string): Reply =>
  errorReply(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } });

const NOT_FOUND = (): Reply => json(404, { message: '404: Not Found', code: 0 });
const UNKNOWN_CHANNEL = (): Reply => errorReply(404, 10003, 'Unknown Channel');
const UNKNOWN_MESSAGE = (): Reply => errorReply(404, 10008, 'Unknown Message');
const UNKNOWN_WEBHOOK = (): Reply => errorReply(404, 10015, 'Unknown Webhook');

function toMatcher(m: CallMatcher): (call: Call) => boolean {
  if (typeof m === 'function') return m;
  const test = (pattern: string | RegExp | undefined, value: string): boolean =>
    pattern === undefined || (typeof pattern === 'string' ? pattern === value : pattern.test(value));
  return (c) =>
    (m.method === undefined || m.method.toUpperCase() === c.method) && test(m.path, c.path) && test(m.route, c.route);
}

function describeCall(c: Call): string {
  return `#${c.seq} ${c.method} ${c.path} -> ${c.status}`;
}

function makeToken(id: string): string {
  return `aW50ZXJhY3Rpb246${Buffer.from(id).toString('base64url')}${randomBytes(60).toString('base64url')}`;
}

function parseMultipart(buf: Buffer, boundary: string): Array<{ name: string; filename: string | null; contentType: string | null; data: Buffer }> {
  const parts: Array<{ name: string; filename: string | null; contentType: string | null; data: Buffer }> = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = buf.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (buf.subarray(start, start + 2).toString() === '--') break;
    if (buf.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = buf.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (buf.subarray(end - 2, end).toString() === '\r\n') end -= 2;
    const part = buf.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = headerEnd === -1 ? '' : part.subarray(0, headerEnd).toString('utf8');
    const data = headerEnd === -1 ? part : part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(head)?.[1] ?? null;
    const contentType = /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
    parts.push({ name, filename, contentType, data: Buffer.from(data) });
    pos = next;
  }
  return parts;
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: any; files: FakeFile[] } {
  if (raw.length === 0) return { body: null, files: [] };
  const type = contentType ?? '';
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    const parts = parseMultipart(raw, (boundary?.[1] ?? boundary?.[2] ?? '').trim());
    let body: any = null;
    const files: FakeFile[] = [];
    for (const part of parts) {
      if (part.name === 'payload_json') body = JSON.parse(part.data.toString('utf8'));
      else files.push({ field: part.name, filename: part.filename, contentType: part.contentType, data: part.data });
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text), files: [] };
  } catch {
    return { body: text, files: [] };
  }
}

/** Checks Discord's message limits; returns an error reply or null. */
function validateMessageBody(body: Json | null | undefined): Reply | null {
  if (!body) return null;
  if (typeof body.content === 'string' && body.content.length > 2000) {
    return formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  if (Array.isArray(body.embeds)) {
    if (body.embeds.length > 10) return formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    let total = 0;
    const limits: Array<[string, number, (e: Json) => unknown]> = [
      ['title', 256, (e) => e.title],
      ['description', 4096, (e) => e.description],
      ['footer.text', 2048, (e) => e.footer?.text],
      ['author.name', 256, (e) => e.author?.name],
    ];
    for (const [index, embed] of (body.embeds as Json[]).entries()) {
      for (const [field, max, get] of limits) {
        const value = get(embed);
        if (typeof value === 'string') {
          total += value.length;
          if (value.length > max) {
            return formError(`embeds.${index}.${field}`, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
          }
        }
      }
      const fields: Json[] = Array.isArray(embed.fields) ? embed.fields : [];
      if (fields.length > 25) return formError(`embeds.${index}.fields`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      for (const [f, field] of fields.entries()) {
        const name = String(field.name ?? '');
        const value = String(field.value ?? '');
        total += name.length + value.length;
        if (name.length > 256) return formError(`embeds.${index}.fields.${f}.name`, 'BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.');
        if (value.length > 1024) return formError(`embeds.${index}.fields.${f}.value`, 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
      }
    }
    if (total > 6000) return formError('embeds', 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
  if (Array.isArray(body.components)) {
    if (body.components.length > 5) return formError('components', 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
    for (const [r, row] of (body.components as Json[]).entries()) {
      for (const [c, component] of ((row.components ?? []) as Json[]).entries()) {
        if (typeof component.custom_id === 'string' && component.custom_id.length > 100) {
          return formError(`components.${r}.components.${c}.custom_id`, 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
        }
        if (typeof component.label === 'string' && component.label.length > 80) {
          return formError(`components.${r}.components.${c}.label`, 'BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.');
        }
      }
    }
  }
  return null;
}

function isEmptyMessage(message: Json): boolean {
  return (
    !message.content &&
    !(message.embeds?.length > 0) &&
    !(message.attachments?.length > 0) &&
    !(message.components?.length > 0) &&
    !(message.sticker_items?.length > 0) &&
    !message.poll
  );
}

function optionTypeOf(value: OptionValue): number {
  if (typeof value === 'boolean') return 5;
  if (typeof value === 'number') return Number.isInteger(value) ? 4 : 10;
  return 3;
}

const INTERACTION_RESPONSES: Record<number, number[]> = {
  2: [4, 5, 9, 12], // application command
  3: [4, 5, 6, 7, 9], // message component
  4: [8], // autocomplete
  5: [4, 5, 6, 7], // modal submit
};

// ---------------------------------------------------------------------------------------------
// The fake

export class FakeDiscord {
  readonly port: number;
  /** `http://127.0.0.1:PORT/api`, for `new Client({ rest: { api } })`. */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT` */
  readonly gatewayUrl: string;
  /** `{ api: apiUrl }` — pass as the client's `rest` option. */
  readonly restOptions: { api: string };
  /** A plausible bot token (any non-empty token is accepted). */
  readonly token: string;

  /** Equal to botUser.id, as for every application created since 2019. */
  readonly applicationId = FIXED_IDS.application;
  readonly botUser: APIUser & Json;
  readonly guildId = FIXED_IDS.guild;
  /** A text channel in the guild. */
  readonly channelId = FIXED_IDS.channel;
  readonly botRoleId = FIXED_IDS.botRole;
  /** The default human: author of messages and interactions unless told otherwise. Owns the guild. */
  readonly user: APIUser & Json;
  /** A second human in the guild. */
  readonly otherUser: APIUser & Json;
  /** Permission bitfields (decimal strings) the fake uses. */
  readonly permissions = {
    everyone: EVERYONE_PERMISSIONS.toString(),
    bot: BOT_PERMISSIONS.toString(),
    administrator: (EVERYONE_PERMISSIONS | Perm.Administrator).toString(),
  };

  /** Every REST call since the last clearCalls(). */
  calls: Call[] = [];
  /** Every frame the client sent over the gateway (IDENTIFY, heartbeats, presence updates…). */
  readonly gatewayFrames: GatewayFrame[] = [];
  /** Every dispatch the fake sent (after intent filtering). */
  readonly dispatched: DispatchRecord[] = [];
  /** The last IDENTIFY `d` (token, intents, properties, shard…). */
  identifyPayload: Json | null = null;
  /** Application commands registered via PUT/POST, global and per guild. */
  readonly commands = { global: [] as Json[], guild: new Map<string, Json[]>() };

  readonly channels = new Map<string, Json>();
  readonly users = new Map<string, Json>();
  readonly messages = new Map<string, Json>();

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly options: Required<FakeDiscordOptions>;
  private readonly events = new EventEmitter();
  private readonly guild: Json;
  private readonly members = new Map<string, Json>();
  private readonly dmChannels = new Map<string, Json>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly sessions = new Map<string, Session>();
  /** The last client to identify or resume. */
  private session: Session | null = null;
  /** The live session of each shard id, when clients identify with `shard: [id, count > 1]`. */
  private readonly shardSessions = new Map<number, Session>();
  /** Guilds added by addGuild(), by id: `{ guild, channelId }`. */
  private readonly extraGuilds = new Map<string, { guild: Json; channelId: string }>();
  private waiters = new Set<Waiter>();
  private failures: Array<{ match: (call: Call) => boolean; reply: () => Reply; times: number }> = [];
  private responseDelays: Array<{ match: (call: Call) => boolean; ms: number; arrived: number }> = [];
  private deliveryFaults: DeliveryFault[] = [];
  /** Channel messages by `<channel>:<nonce>`, for enforce_nonce (Discord keeps them a few minutes). */
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private callSeq = 0;
  private closed = false;
  private application: Json;

  /** @internal use startFakeDiscord() */
  constructor(server: Server, wss: WebSocketServer, port: number, options: FakeDiscordOptions) {
    this.server = server;
    this.wss = wss;
    this.port = port;
    this.options = {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
      echoBotMessages: options.echoBotMessages ?? true,
      botUsername: options.botUsername ?? 'Newsdesk',
      disallowedIntents: options.disallowedIntents ?? 0,
      guildName: options.guildName ?? 'Newsroom',
      channelName: options.channelName ?? 'news-questions',
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 1,
    };
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.restOptions = { api: this.apiUrl };
    this.token = `${Buffer.from(this.applicationId).toString('base64url')}.ZmFrZQ.${randomBytes(20).toString('base64url')}`;
    this.events.setMaxListeners(100);

    const bot: Json = {
      id: this.applicationId,
      username: this.options.botUsername,
      discriminator: '4821',
      global_name: null,
      avatar: null,
      bot: true,
      public_flags: 0,
      flags: 0,
    };
    this.botUser = bot as APIUser & Json;
    this.user = this.addUser({ id: FIXED_IDS.user, username: 'reader', global_name: 'Reader' });
    this.otherUser = this.addUser({ id: FIXED_IDS.otherUser, username: 'editor', global_name: 'Editor' });
    this.users.set(this.botUser.id, this.botUser);
    this.members.set(this.botUser.id, this.makeMember(this.botUser, [this.botRoleId]));

    this.application = {
      id: this.applicationId,
      name: this.options.botUsername,
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: randomBytes(32).toString('hex'),
      flags: (1 << 19) | (1 << 23), // GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE
      owner: this.user,
      team: null,
      bot: this.botUser,
      approximate_guild_count: 1,
      hook: true,
      integration_public: false,
      integration_require_code_grant: false,
      redirect_uris: [],
      interactions_endpoint_url: null,
      tags: [],
    };

    const textChannel = {
      id: this.channelId,
      type: ChannelType.GuildText,
      guild_id: this.guildId,
      name: this.options.channelName,
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
    this.channels.set(textChannel.id, textChannel);

    this.guild = {
      id: this.guildId,
      name: this.options.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.user.id,
      application_id: null,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      mfa_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      system_channel_id: this.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      nsfw: false,
      max_members: 500000,
      max_presences: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      features: [],
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          color: 0,
          colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
          hoist: false,
          icon: null,
          unicode_emoji: null,
          position: 0,
          permissions: EVERYONE_PERMISSIONS.toString(),
          managed: false,
          mentionable: false,
          flags: 0,
        },
        {
          id: this.botRoleId,
          name: this.options.botUsername,
          color: 0,
          colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
          hoist: false,
          icon: null,
          unicode_emoji: null,
          position: 1,
          permissions: BOT_PERMISSIONS.toString(),
          managed: true,
          mentionable: false,
          flags: 0,
          tags: { bot_id: this.botUser.id },
        },
      ],
      emojis: [],
      stickers: [],
      soundboard_sounds: [],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Logs a discord.js client in and resolves once it emits `clientReady`. */
  async login(client: Client, timeoutMs = 5000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('clientReady', onReady);
        reject(new Error(`discord.js client was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      client.once('clientReady', onReady);
      client.login(this.token).catch((error: unknown) => {
        clearTimeout(timer);
        client.off('clientReady', onReady);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** Whether an identified client currently has an open gateway connection. */
  get connected(): boolean {
    return this.session?.ws?.readyState === WebSocket.OPEN;
  }

  /** Resolves when a client has identified and received READY and GUILD_CREATE. */
  async waitForReady(timeoutMs = 5000): Promise<void> {
    if (this.session) return;
    await this.waitForEvent('ready', timeoutMs, 'a client to identify');
  }

  /**
   * Stops the servers. Destroy discord.js clients first: a client still connected is closed with
   * 4004 (unrecoverable, so it stops instead of reconnecting forever, emitting `shardError`).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('fake Discord closed while waiting for a call'));
    }
    this.waiters.clear();
    const sockets = [...this.wss.clients];
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 500);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(4004, 'Fake Discord closed');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  /** Forgets recorded calls (seq numbers keep increasing). */
  clearCalls(): void {
    this.calls = [];
  }

  /** The seq the next call will get: pass as `since` to only wait for calls made from now on. */
  mark(): number {
    return this.callSeq + 1;
  }

  findCalls(match: CallMatcher): Call[] {
    const m = toMatcher(match);
    return this.calls.filter(m);
  }

  /**
   * Resolves with the first recorded call (seq >= since, default: any since clearCalls) matching,
   * waiting for it if needed. Calls are recorded once their response has been sent. Rejects after
   * timeoutMs listing the calls seen.
   */
  waitForCall(match: CallMatcher, timeoutMs = 5000, options: { since?: number } = {}): Promise<Call> {
    const m = toMatcher(match);
    const since = options.since ?? 0;
    const found = this.calls.find((c) => c.seq >= since && m(c));
    if (found) return Promise.resolve(found);
    if (this.closed) return Promise.reject(new Error('fake Discord is closed'));
    return new Promise<Call>((resolve, reject) => {
      const waiter: Waiter = {
        match: m,
        since,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.calls.map(describeCall).join('\n  ') || '(none)';
          reject(new Error(`no matching call within ${timeoutMs} ms; calls recorded:\n  ${seen}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Resolves with the bot's POST /channels/:id/messages replying to `messageId`. */
  waitForReplyTo(messageId: string, timeoutMs = 5000): Promise<Call> {
    return this.waitForCall(
      (c) =>
        c.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(c.route) &&
        c.body?.message_reference?.message_id === messageId,
      timeoutMs,
    );
  }

  /** Resolves with the next POST /channels/:channelId/messages (at or after `since`). */
  waitForMessageIn(channelId: string, timeoutMs = 5000, since?: number): Promise<Call> {
    return this.waitForCall(
      { method: 'POST', route: `/channels/${channelId}/messages` },
      timeoutMs,
      since === undefined ? {} : { since },
    );
  }

  /**
   * Makes the next `times` matching requests fail. `rateLimit` answers 429 with Retry-After
   * (discord.js waits and retries by itself); `fail` answers with the given status/code
   * (discord.js throws a DiscordAPIError for 4xx; it silently retries 5xx up to 3 times).
   */
  failNext(match: CallMatcher, failure: FailureSpec, times = 1): void {
    this.failures.push({
      match: toMatcher(match),
      times,
      reply: () =>
        json(
          failure.status,
          failure.body ?? { message: failure.message ?? `${failure.status} error`, code: failure.code ?? 0 },
          failure.headers,
        ),
    });
  }

  rateLimitNext(match: CallMatcher, retryAfterSeconds = 0.05, options: { global?: boolean; times?: number } = {}): void {
    const global = options.global ?? false;
    this.failures.push({
      match: toMatcher(match),
      times: options.times ?? 1,
      reply: () =>
        json(
          429,
          { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global, code: 0 },
          {
            'retry-after': String(retryAfterSeconds),
            'x-ratelimit-scope': global ? 'global' : 'user',
            ...(global ? { 'x-ratelimit-global': 'true' } : {}),
          },
        ),
    });
  }

  /**
   * Holds the response to every matching request for `ms` (the request has taken effect; only the
   * answer is late), e.g. to keep answers in flight while a test signals the bot. `arrived()`
   * counts matching requests so far. Until `stop()`.
   */
  delayResponses(match: CallMatcher, ms: number): { arrived(): number; stop(): void } {
    const entry = { match: toMatcher(match), ms, arrived: 0 };
    this.responseDelays.push(entry);
    return {
      arrived: () => entry.arrived,
      stop: () => {
        this.responseDelays = this.responseDelays.filter((e) => e !== entry);
      },
    };
  }

  /**
   * Delivery faults, for "did my request take effect?" paths. `dropSocketNext` destroys the socket
   * of the next `times` matching requests without answering (undici then throws UND_ERR_SOCKET):
   * before the request is applied, or with `applied: true` after it took effect.
   * `failAfterApplyNext` applies the request, then answers with the failure (a 502 that still took
   * effect). A dropped request is recorded in `calls` with status 0 and wakes no waiter.
   */
  dropSocketNext(match: CallMatcher, options: { applied?: boolean; times?: number } = {}): void {
    this.deliveryFaults.push({ match: toMatcher(match), times: options.times ?? 1, applied: options.applied ?? false, failure: null });
  }

  failAfterApplyNext(match: CallMatcher, failure: FailureSpec, times = 1): void {
    this.deliveryFaults.push({ match: toMatcher(match), times, applied: true, failure });
  }

  private takeDeliveryFault(call: Call): DeliveryFault | null {
    const fault = this.deliveryFaults.find((f) => f.times > 0 && f.match(call));
    if (!fault) return null;
    fault.times -= 1;
    this.deliveryFaults = this.deliveryFaults.filter((f) => f.times > 0);
    return fault;
  }

  // -------------------------------------------------------------------------------------------
  // Ids, users, channels

  snowflake(): string {
    return snowflake();
  }

  /** `<@botId>` */
  get botMention(): string {
    return `<@${this.botUser.id}>`;
  }

  /** Adds a human user (and guild member); fields default to a fresh user. */
  addUser(user: Partial<APIUser> & Json = {}): APIUser & Json {
    const id = user.id ?? snowflake();
    const full = {
      id,
      username: user.username ?? `user${id.slice(-4)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      ...user,
    } as APIUser & Json;
    this.users.set(id, full);
    if (!this.members.has(id)) this.members.set(id, this.makeMember(full, []));
    return full;
  }

  channel(id: string): Json | undefined {
    return this.channels.get(id);
  }

  getMessage(id: string): APIMessage | undefined {
    return this.messages.get(id) as APIMessage | undefined;
  }

  /** Messages the fake knows in a channel, oldest first. */
  messagesIn(channelId: string): APIMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.channel_id === channelId)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)) as APIMessage[];
  }

  /** The bot's DM channel with a user (created on first use, as POST /users/@me/channels does). */
  dmChannel(userId: string = this.user.id): Json {
    let channel = this.dmChannels.get(userId);
    if (!channel) {
      const user = this.users.get(userId) ?? this.addUser({ id: userId });
      channel = { id: snowflake(), type: ChannelType.DM, last_message_id: null, flags: 0, recipients: [user] };
      this.dmChannels.set(userId, channel);
      this.channels.set(channel.id, channel);
    }
    return channel;
  }

  /**
   * Adds another guild (a copy of the first with its own id, name and text channel), with the
   * same members. `onShard: [id, count]` picks an id whose events go to that shard. The guild is
   * in READY for clients that identify afterwards.
   */
  addGuild(options: { name?: string; onShard?: [number, number] } = {}): { guildId: string; channelId: string } {
    let guildId = snowflake();
    while (options.onShard && shardOf(guildId, options.onShard[1]) !== options.onShard[0]) guildId = snowflake();
    const channelId = snowflake();
    const everyone = { ...clone(this.guild.roles[0]), id: guildId };
    const guild = { ...clone(this.guild), id: guildId, name: options.name ?? `Newsroom ${this.extraGuilds.size + 2}`, roles: [everyone, clone(this.guild.roles[1])], system_channel_id: channelId };
    const first = this.channels.get(this.channelId)!;
    this.channels.set(channelId, { ...clone(first), id: channelId, guild_id: guildId, last_message_id: null });
    this.extraGuilds.set(guildId, { guild, channelId });
    return { guildId, channelId };
  }

  /** Adds a guild text channel and dispatches CHANNEL_CREATE. */
  addChannel(options: { name?: string; type?: number; parentId?: string | null } = {}): APIChannel & Json {
    const channel = {
      id: snowflake(),
      type: options.type ?? ChannelType.GuildText,
      guild_id: this.guildId,
      name: options.name ?? 'another-channel',
      position: this.guildChannels().length,
      permission_overwrites: [],
      parent_id: options.parentId ?? null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
    this.channels.set(channel.id, channel);
    if (this.session) this.dispatch('CHANNEL_CREATE', channel);
    return channel as APIChannel & Json;
  }

  /**
   * Creates a thread (owner: the bot unless told otherwise) and dispatches THREAD_CREATE, like a
   * thread the bot started earlier. Messages can then be sent into it with `message(..., { threadId })`.
   */
  createThread(options: ThreadOptions = {}): Json {
    const thread = this.makeThread({
      id: options.fromMessageId ?? snowflake(),
      name: options.name ?? 'Thread',
      ownerId: options.ownerId ?? this.botUser.id,
      parentId: options.parentId ?? this.channelId,
      type: options.type ?? ChannelType.PublicThread,
      autoArchiveDuration: 1440,
    });
    if (this.session) this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return clone(thread);
  }

  // -------------------------------------------------------------------------------------------
  // Gateway dispatch

  /**
   * Sends a dispatch (op 0) to the connected client; queued for RESUME replay if disconnected.
   * With sharded clients it goes where Discord sends it: a guild's events to shard
   * `(guild_id >> 22) % num_shards`, DMs to shard 0.
   */
  dispatch(t: string, d: Json): DispatchRecord {
    const session = this.sessionFor(d);
    if (!session) throw new Error(`cannot dispatch ${t}: no discord.js client has identified with the fake gateway${this.sharded() ? ` for shard ${this.shardFor(d)}` : ''}`);
    return this.dispatchTo(session, t, d);
  }

  /** The shard count clients identified with (1: not sharded). */
  private sharded(): boolean {
    return (this.session?.shard[1] ?? 1) > 1;
  }

  private shardFor(d: Json): number {
    const guildId: string | undefined = d.guild_id ?? this.channels.get(d.channel_id ?? '')?.guild_id;
    return guildId ? shardOf(guildId, this.session?.shard[1] ?? 1) : 0;
  }

  private sessionFor(d: Json): Session | null {
    if (!this.sharded()) return this.session;
    return this.shardSessions.get(this.shardFor(d)) ?? null;
  }

  private dispatchTo(session: Session, t: string, d: Json): DispatchRecord {
    session.seq += 1;
    const record = { at: Date.now(), t, s: session.seq, d };
    const frame = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.log.push({ s: session.seq, frame });
    this.dispatched.push(record);
    if (session.ws?.readyState === WebSocket.OPEN) session.ws.send(frame);
    return record;
  }

  /** Sends op 7 RECONNECT: discord.js closes, waits ~500 ms, reconnects and RESUMEs. */
  requestReconnect(): void {
    this.sendOp(7, null);
  }

  /** Sends op 9 INVALID_SESSION. */
  invalidateSession(resumable = false): void {
    this.sendOp(9, resumable);
  }

  /** Closes the gateway socket with a code (default 4000: client resumes). */
  dropConnection(code = 4000): void {
    this.session?.ws?.close(code, 'fake drop');
  }

  /** Low-level INTERACTION_CREATE; registers the id/token so callbacks and webhooks work. */
  interaction(payload: Json): InteractionHandle {
    const id: string = payload.id ?? snowflake();
    const token: string = payload.token ?? makeToken(id);
    const d: Json = { ...payload, id, token };
    const user = d.member?.user ?? d.user ?? this.user;
    const state: InteractionState = {
      id,
      token,
      type: d.type,
      payload: d,
      channelId: d.channel?.id ?? d.channel_id ?? this.channelId,
      guildId: d.guild_id ?? null,
      user,
      acknowledged: false,
      responseType: null,
      originalId: null,
      messageIds: new Set(),
    };
    if (d.message?.id && !this.messages.has(d.message.id)) this.messages.set(d.message.id, clone(d.message));
    this.interactions.set(id, state);
    this.interactionsByToken.set(token, state);
    this.dispatch('INTERACTION_CREATE', d);
    return this.handleFor(state);
  }

  /** A chat-input command (type 2, data.type 1). */
  slashCommand(name: string, options?: SlashOptions, opts: SlashCommandOptions = {}): InteractionHandle {
    const base = this.interactionBase(2, opts);
    base.data = this.commandData(name, options, opts, undefined);
    return this.interaction({ ...base, ...opts.extra });
  }

  /** An autocomplete request (type 4); one option is `focused`. */
  autocomplete(name: string, options: SlashOptions, opts: AutocompleteOptions = {}): InteractionHandle {
    const base = this.interactionBase(4, opts);
    const focused = Array.isArray(options) ? undefined : (opts.focused ?? Object.keys(options)[0]);
    base.data = this.commandData(name, options, opts, focused);
    return this.interaction({ ...base, ...opts.extra });
  }

  /**
   * A button click (type 3, component_type 2) on `message` (object, or id of a message the fake
   * knows, e.g. `handle.original()`); without a message, a bot message carrying the button is made.
   */
  button(customId: string, message?: APIMessage | Json | string, opts: InteractionOptions = {}): InteractionHandle {
    const base = this.interactionBase(3, opts);
    base.data = { custom_id: customId, component_type: 2 };
    base.message = this.componentMessage(message, base.channel_id, {
      type: 1,
      components: [{ type: 2, style: 1, label: customId, custom_id: customId }],
    });
    return this.interaction({ ...base, ...opts.extra });
  }

  /** A string select (type 3, component_type 3) with chosen values. */
  select(customId: string, values: string[], message?: APIMessage | Json | string, opts: InteractionOptions = {}): InteractionHandle {
    const base = this.interactionBase(3, opts);
    base.data = { custom_id: customId, component_type: 3, values };
    base.message = this.componentMessage(message, base.channel_id, {
      type: 1,
      components: [{ type: 3, custom_id: customId, options: values.map((v) => ({ label: v, value: v })) }],
    });
    return this.interaction({ ...base, ...opts.extra });
  }

  /** A modal submit (type 5) with text-input values by custom id. */
  modalSubmit(customId: string, fields: Record<string, string>, opts: InteractionOptions = {}): InteractionHandle {
    const base = this.interactionBase(5, opts);
    base.data = {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({
        type: 1,
        components: [{ type: 4, custom_id: id, value }],
      })),
    };
    return this.interaction({ ...base, ...opts.extra });
  }

  /**
   * A user message (MESSAGE_CREATE). Returns the full message; what is dispatched follows intents
   * (no GuildMessages/DirectMessages intent: not sent; no MessageContent intent: content, embeds,
   * attachments and components blanked unless it is a DM or mentions the bot).
   */
  message(content: string, opts: MessageOptions = {}): APIMessage & Json {
    const author = this.resolveUser(opts.author ?? opts.authorId);
    let channel: Json;
    if (opts.dm) channel = this.dmChannel(author.id);
    else {
      const id = opts.threadId ?? opts.channelId ?? this.channelId;
      const found = this.channels.get(id);
      if (!found) throw new Error(`fake Discord has no channel ${id}`);
      channel = found;
    }
    const dm = channel.type === ChannelType.DM;
    let text = content;
    const mentionRe = new RegExp(`<@!?${this.botUser.id}>`);
    if (opts.mentionsBot && !mentionRe.test(text)) text = `${this.botMention} ${text}`;

    const mentionIds = new Set<string>();
    for (const match of text.matchAll(/<@!?(\d{17,20})>/g)) if (match[1]) mentionIds.add(match[1]);
    let reference: Json | undefined;
    if (opts.referencedMessage !== undefined) {
      const ref =
        typeof opts.referencedMessage === 'string' ? this.messages.get(opts.referencedMessage) : opts.referencedMessage;
      if (!ref) throw new Error(`fake Discord has no message ${String(opts.referencedMessage)}`);
      reference = ref;
      if ((opts.pingReplied ?? true) && ref.author?.id && ref.author.id !== author.id) mentionIds.add(ref.author.id);
    }
    const mentions = [...mentionIds]
      .map((id) => this.users.get(id))
      .filter((u): u is Json => u !== undefined)
      .map((u) => (dm ? { ...u } : { ...u, member: this.memberWithoutUser(u.id) }));

    const message: Json = {
      ...this.baseMessage(channel.id, author),
      type: reference ? 19 : 0,
      content: text,
      mentions,
      embeds: opts.embeds ?? [],
      attachments: opts.attachments ?? [],
      ...(THREAD_TYPES.has(channel.type) ? { position: channel.total_message_sent ?? 0 } : {}),
    };
    if (reference) {
      message.message_reference = {
        type: 0,
        message_id: reference.id,
        channel_id: reference.channel_id,
        ...(dm ? {} : { guild_id: this.guildId }),
      };
      message.referenced_message = reference;
    }
    Object.assign(message, opts.extra);
    this.storeMessage(message);
    if (THREAD_TYPES.has(channel.type)) {
      channel.message_count = (channel.message_count ?? 0) + 1;
      channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
    }
    this.dispatchMessage('MESSAGE_CREATE', message, channel);
    return clone(message) as APIMessage & Json;
  }

  // -------------------------------------------------------------------------------------------
  // Internals: builders

  private makeMember(user: Json, roles: string[]): Json {
    return {
      user,
      nick: null,
      avatar: null,
      banner: null,
      roles,
      joined_at: snowflakeTime(user.id),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
    };
  }

  private memberWithoutUser(userId: string): Json {
    const member = this.members.get(userId);
    if (!member) return this.memberWithoutUser(this.addUser({ id: userId }).id);
    const { user: _user, ...rest } = member;
    return rest;
  }

  private resolveUser(user: Partial<APIUser> | Json | string | undefined): Json {
    if (user === undefined) return this.user;
    if (typeof user === 'string') return this.users.get(user) ?? this.addUser({ id: user });
    if (user.id && this.users.has(user.id) && Object.keys(user).length === 1) return this.users.get(user.id)!;
    return this.addUser(user);
  }

  private guildChannels(guildId = this.guildId): Json[] {
    return [...this.channels.values()].filter((c) => c.guild_id === guildId && !THREAD_TYPES.has(c.type));
  }

  private guildIds(): string[] {
    return [this.guildId, ...this.extraGuilds.keys()];
  }

  private baseMessage(channelId: string, author: Json): Json {
    const id = snowflake();
    const channel = this.channels.get(channelId);
    const guild = channel && channel.type !== ChannelType.DM;
    return {
      id,
      type: 0,
      content: '',
      channel_id: channelId,
      author: clone(author),
      attachments: [],
      embeds: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: snowflakeTime(id),
      edited_timestamp: null,
      flags: 0,
      components: [],
      ...(guild ? { guild_id: channel.guild_id ?? this.guildId, member: this.memberWithoutUser(author.id) } : {}),
    };
  }

  private storeMessage(message: Json): void {
    this.messages.set(message.id, message);
    const channel = this.channels.get(message.channel_id);
    if (channel) channel.last_message_id = message.id;
  }

  /** REST shape: guild_id/member are not part of REST message responses. */
  private restMessage(message: Json): Json {
    const { guild_id: _g, member: _m, ...rest } = message;
    return clone(rest);
  }

  private makeThread(t: {
    id: string;
    name: string;
    ownerId: string;
    parentId: string;
    type: number;
    autoArchiveDuration: number;
    rateLimitPerUser?: number;
    invitable?: boolean;
  }): Json {
    const created = now();
    const thread: Json = {
      id: t.id,
      type: t.type,
      guild_id: this.guildId,
      parent_id: t.parentId,
      owner_id: t.ownerId,
      name: t.name,
      last_message_id: null,
      rate_limit_per_user: t.rateLimitPerUser ?? 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      applied_tags: [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: t.autoArchiveDuration,
        archive_timestamp: created,
        locked: false,
        create_timestamp: created,
        ...(t.type === ChannelType.PrivateThread ? { invitable: t.invitable ?? true } : {}),
      },
    };
    if (t.ownerId === this.botUser.id) {
      thread.member = { id: t.id, user_id: this.botUser.id, join_timestamp: created, flags: 1 };
    }
    this.channels.set(thread.id, thread);
    return thread;
  }

  private interactionBase(type: number, opts: InteractionOptions): Json {
    const user = this.resolveUser(opts.user);
    const id = snowflake();
    const base: Json = {
      id,
      application_id: this.applicationId,
      type,
      token: makeToken(id),
      version: 1,
      locale: opts.locale ?? 'en-US',
      entitlements: [],
      app_permissions: BOT_PERMISSIONS.toString(),
      attachment_size_limit: 10 * 1024 * 1024,
    };
    if (opts.dm) {
      const channel = this.dmChannel(user.id);
      base.channel = clone(channel);
      base.channel_id = channel.id;
      base.context = 1;
      base.authorizing_integration_owners = { '0': '0' };
      base.user = clone(user);
    } else {
      const guildId = opts.guildId ?? this.guildId;
      const extra = this.extraGuilds.get(guildId);
      if (guildId !== this.guildId && !extra) throw new Error(`fake Discord has no guild ${guildId}`);
      const channelId = opts.channelId ?? extra?.channelId ?? this.channelId;
      const channel = this.channels.get(channelId);
      if (!channel) throw new Error(`fake Discord has no channel ${channelId}`);
      const permissions = opts.permissions?.toString() ?? EVERYONE_PERMISSIONS.toString();
      base.channel = { ...clone(channel), guild_id: guildId, permissions };
      base.channel_id = channel.id;
      base.guild_id = guildId;
      base.guild = { id: guildId, locale: 'en-US', features: [] };
      base.guild_locale = 'en-US';
      base.context = 0;
      base.authorizing_integration_owners = { '0': guildId };
      base.member = {
        ...this.makeMember(clone(user), opts.roles ?? []),
        ...(this.members.get(user.id) ? { joined_at: this.members.get(user.id)!.joined_at } : {}),
        permissions,
      };
    }
    return base;
  }

  private registeredCommand(name: string): Json | undefined {
    return this.commands.guild.get(this.guildId)?.find((c) => c.name === name) ?? this.commands.global.find((c) => c.name === name);
  }

  private commandData(name: string, options: SlashOptions | undefined, opts: SlashCommandOptions, focused: string | undefined): Json {
    const registered = this.registeredCommand(name);
    let declared: Json[] = registered?.options ?? [];
    let built: Json[] | undefined;
    const resolvedUsers: Json = {};
    const resolvedMembers: Json = {};
    if (opts.subcommandGroup) declared = declared.find((o) => o.name === opts.subcommandGroup)?.options ?? [];
    if (opts.subcommand) declared = declared.find((o) => o.name === opts.subcommand)?.options ?? [];
    if (Array.isArray(options)) built = options as Json[];
    else if (options) {
      built = Object.entries(options).map(([optName, value]) => {
        const declaredType: number | undefined = declared.find((o) => o.name === optName)?.type;
        const type = declaredType ?? optionTypeOf(value);
        const option: Json = { name: optName, type, value: optName === focused ? String(value) : value };
        if (optName === focused) option.focused = true;
        if (type === 6 && typeof value === 'string') {
          const user = this.users.get(value);
          if (user) {
            resolvedUsers[value] = user;
            resolvedMembers[value] = { ...this.memberWithoutUser(value), permissions: EVERYONE_PERMISSIONS.toString() };
          }
        }
        return option;
      });
    }
    if (built && opts.subcommand) built = [{ name: opts.subcommand, type: 1, options: built }];
    else if (opts.subcommand) built = [{ name: opts.subcommand, type: 1, options: [] }];
    if (built && opts.subcommandGroup) built = [{ name: opts.subcommandGroup, type: 2, options: built }];
    const data: Json = {
      id: registered?.id ?? snowflakeAt(FIXED + 10000, [...name].reduce((a, ch) => a + ch.charCodeAt(0), 0)),
      name,
      type: 1,
    };
    if (registered?.guild_id) data.guild_id = registered.guild_id;
    if (built) data.options = built;
    if (Object.keys(resolvedUsers).length > 0) data.resolved = { users: resolvedUsers, members: resolvedMembers };
    return data;
  }

  private componentMessage(message: APIMessage | Json | string | undefined, channelId: string, row: Json): Json {
    if (typeof message === 'string') {
      const found = this.messages.get(message);
      if (!found) throw new Error(`fake Discord has no message ${message}`);
      return this.restMessage(found);
    }
    if (message) return clone(message as Json);
    const made: Json = {
      ...this.baseMessage(channelId, this.botUser),
      content: 'Choose:',
      components: [row],
      application_id: this.applicationId,
    };
    this.storeMessage(made);
    return this.restMessage(made);
  }

  private handleFor(state: InteractionState): InteractionHandle {
    const callbackPath = `${API_PREFIX}/interactions/${state.id}/${state.token}/callback`;
    const webhookPath = `${API_PREFIX}/webhooks/${this.applicationId}/${state.token}`;
    const originalPath = `${webhookPath}/messages/@original`;
    return {
      id: state.id,
      token: state.token,
      payload: state.payload,
      callbackPath,
      webhookPath,
      originalPath,
      waitForCallback: (timeoutMs = 5000) =>
        this.waitForCall((c) => c.method === 'POST' && c.path === callbackPath, timeoutMs),
      waitForEdit: (timeoutMs = 5000, since = 0) =>
        this.waitForCall((c) => c.method === 'PATCH' && c.path === originalPath, timeoutMs, { since }),
      waitForFollowUp: (timeoutMs = 5000, since = 0) =>
        this.waitForCall((c) => c.method === 'POST' && c.path === webhookPath, timeoutMs, { since }),
      calls: () => this.calls.filter((c) => c.path === callbackPath || c.path.startsWith(webhookPath)),
      original: () => {
        const message = state.originalId ? this.messages.get(state.originalId) : undefined;
        return message ? (this.restMessage(message) as APIMessage) : undefined;
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Internals: gateway

  private sendOp(op: number, d: unknown): void {
    const ws = this.session?.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error('no open gateway connection');
    ws.send(JSON.stringify({ op, d, s: null, t: null }));
  }

  private waitForEvent(event: string, timeoutMs: number, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off(event, onEvent);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const onEvent = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.events.once(event, onEvent);
    });
  }

  /** @internal */
  onGatewayConnection(ws: WebSocket): void {
    const send = (payload: Json): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
    };
    send({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["fake-gateway",{}]'] }, s: null, t: null });
    let session: Session | null = null;

    ws.on('message', (raw: RawData) => {
      let frame: Json;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.gatewayFrames.push({ at: Date.now(), op: frame.op, d: frame.d });
      switch (frame.op) {
        case 1: // heartbeat
          send({ op: 11, d: null, s: null, t: null });
          break;
        case 2: {
          // identify
          if (session) {
            ws.close(4005, 'Already authenticated.');
            return;
          }
          if (!frame.d?.token) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          if (Number(frame.d.intents ?? 0) & this.options.disallowedIntents) {
            ws.close(4014, 'Disallowed intent(s).');
            return;
          }
          this.identifyPayload = frame.d;
          session = {
            id: randomBytes(16).toString('hex'),
            seq: 0,
            intents: Number(frame.d.intents ?? 0),
            shard: frame.d.shard ?? [0, 1],
            ws,
            log: [],
          };
          this.sessions.set(session.id, session);
          this.session = session;
          this.shardSessions.set(session.shard[0], session);
          const [shardId, shardCount] = session.shard;
          const guilds = this.guildIds().filter((id) => shardOf(id, shardCount) === shardId);
          this.dispatchTo(session, 'READY', {
            v: 10,
            user_settings: {},
            user: { ...this.botUser, verified: true, mfa_enabled: false, email: null },
            guilds: guilds.map((id) => ({ id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: this.gatewayUrl,
            session_type: 'normal',
            shard: session.shard,
            application: { id: this.applicationId, flags: this.application.flags },
            private_channels: [],
            relationships: [],
            presences: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            _trace: ['["fake-gateway",{}]'],
          });
          for (const id of guilds) this.dispatchTo(session, 'GUILD_CREATE', this.guildCreatePayload(id));
          this.events.emit('ready');
          break;
        }
        case 6: {
          // resume
          const resumed = this.sessions.get(String(frame.d?.session_id));
          if (!resumed) {
            send({ op: 9, d: false, s: null, t: null });
            return;
          }
          if (resumed.ws && resumed.ws !== ws && resumed.ws.readyState === WebSocket.OPEN) resumed.ws.terminate();
          session = resumed;
          resumed.ws = ws;
          this.session = resumed;
          this.shardSessions.set(resumed.shard[0], resumed);
          const from = Number(frame.d?.seq ?? 0);
          for (const entry of resumed.log) if (entry.s > from) ws.send(entry.frame);
          this.dispatchTo(resumed, 'RESUMED', { _trace: ['["fake-gateway",{}]'] });
          this.events.emit('resumed');
          break;
        }
        case 8: {
          // request guild members
          const ids: string[] | undefined = frame.d?.user_ids ? [frame.d.user_ids].flat() : undefined;
          const members = [...this.members.values()].filter((m) => !ids || ids.includes(m.user.id));
          if (!session) return;
          this.dispatchTo(session, 'GUILD_MEMBERS_CHUNK', {
            guild_id: frame.d?.guild_id ?? this.guildId,
            members,
            chunk_index: 0,
            chunk_count: 1,
            not_found: ids ? ids.filter((id) => !this.members.has(id)) : [],
            ...(frame.d?.nonce ? { nonce: frame.d.nonce } : {}),
          });
          break;
        }
        default:
          break; // presence (3), voice state (4)… recorded only
      }
    });
    ws.on('close', () => {
      if (session?.ws === ws) session.ws = null;
    });
    ws.on('error', () => {});
  }

  private guildCreatePayload(guildId = this.guildId): Json {
    const channels = this.guildChannels(guildId).map((c) => {
      const { guild_id: _g, ...rest } = c;
      return clone(rest);
    });
    const threads = [...this.channels.values()].filter((c) => c.guild_id === guildId && THREAD_TYPES.has(c.type));
    return {
      ...clone(this.extraGuilds.get(guildId)?.guild ?? this.guild),
      joined_at: snowflakeTime(guildId),
      large: false,
      unavailable: false,
      member_count: this.members.size,
      members: clone([...this.members.values()]),
      channels,
      threads: clone(threads),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      embedded_activities: [],
      activity_instances: [],
      lazy: true,
    };
  }

  /** MESSAGE_* dispatch honouring intents and the message content rule. */
  private dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: Json, channel: Json | undefined): void {
    const session = this.sessionFor(message);
    if (!session) throw new Error(`cannot dispatch ${t}: no discord.js client has identified with the fake gateway`);
    const dm = channel?.type === ChannelType.DM;
    const needed = dm ? Intent.DirectMessages : Intent.GuildMessages;
    if ((session.intents & needed) === 0) return;
    const d: Json = clone(message);
    if (channel) d.channel_type = channel.type;
    const fromBot = message.author?.id === this.botUser.id;
    const mentionsBot = (message.mentions as Json[] | undefined)?.some((u) => u.id === this.botUser.id) ?? false;
    if ((session.intents & Intent.MessageContent) === 0 && !dm && !fromBot && !mentionsBot) {
      d.content = '';
      d.embeds = [];
      d.attachments = [];
      d.components = [];
      delete d.poll;
    }
    this.dispatch(t, d);
  }

  /** Echo of the bot's own message (MESSAGE_CREATE/UPDATE), unless ephemeral or echo is off. */
  private echo(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: Json): void {
    if (!this.options.echoBotMessages || !this.session) return;
    if ((message.flags ?? 0) & MessageFlag.Ephemeral) return;
    const channel = this.channels.get(message.channel_id);
    this.dispatchMessage(t, message, channel);
  }

  private echoDelete(message: Json): void {
    if (!this.options.echoBotMessages || !this.session) return;
    if ((message.flags ?? 0) & MessageFlag.Ephemeral) return;
    const channel = this.channels.get(message.channel_id);
    const dm = channel?.type === ChannelType.DM;
    const session = this.sessionFor(message);
    if (!session || (session.intents & (dm ? Intent.DirectMessages : Intent.GuildMessages)) === 0) return;
    this.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: message.channel_id, ...(dm ? {} : { guild_id: this.guildId }) });
  }

  // -------------------------------------------------------------------------------------------
  // Internals: REST

  /** @internal */
  async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const segments = url.pathname.split('/').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    const path = segments.join('/');
    const route = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : path;
    const query = Object.fromEntries(url.searchParams.entries());
    const method = (req.method ?? 'GET').toUpperCase();
    const afterActions: Array<() => void> = [];
    let body: any = null;
    let files: FakeFile[] = [];
    let reply: Reply;
    let fault: DeliveryFault | null = null;
    const recorded = (status: number, response: unknown, seq = 0): Call => ({
      seq, at, method, path, route, query, body, files, headers: req.headers, status, response,
    });
    try {
      ({ body, files } = parseBody(Buffer.concat(chunks), req.headers['content-type']));
      fault = this.takeDeliveryFault(recorded(0, null));
      const failure = fault ? undefined : this.failures.find((f) => f.times > 0 && f.match(recorded(0, null)));
      if (fault && !fault.applied) {
        reply = json(0, null);
      } else if (failure) {
        failure.times -= 1;
        this.failures = this.failures.filter((f) => f.times > 0);
        reply = failure.reply();
      } else if (!path.startsWith(`${API_PREFIX}/`)) {
        reply = NOT_FOUND();
      } else {
        reply = this.route({
          method,
          segments: route.split('/').slice(1),
          query,
          body,
          files,
          headers: req.headers,
          after: (fn) => afterActions.push(fn),
        });
      }
    } catch (error) {
      reply = json(500, { message: `fake Discord error: ${error instanceof Error ? error.stack : String(error)}`, code: 0 });
      afterActions.length = 0;
    }

    if (fault && (fault.failure === null || !fault.applied)) {
      if (fault.applied) afterActions.forEach((fn) => void Promise.resolve().then(fn).catch(() => {}));
      this.calls.push(recorded(0, null, ++this.callSeq));
      req.socket.destroy();
      return;
    }
    if (fault?.failure) reply = json(fault.failure.status, fault.failure.body ?? { message: fault.failure.message ?? `${fault.failure.status} error`, code: fault.failure.code ?? 0 });
    const delay = this.responseDelays.find((d) => d.match(recorded(reply.status, null)));
    if (delay) {
      delay.arrived += 1;
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
    }
    const responseBody = reply.status === 204 || reply.body === undefined ? null : reply.body;
    const call = recorded(reply.status, responseBody, ++this.callSeq);
    const headers: Record<string, string> = { 'x-fake-discord': 'true', ...reply.headers };
    if (responseBody !== null) headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers);
    res.end(responseBody === null ? undefined : JSON.stringify(responseBody), () => {
      this.calls.push(call);
      for (const waiter of [...this.waiters]) {
        if (call.seq >= waiter.since && waiter.match(call)) {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          waiter.resolve(call);
        }
      }
      for (const fn of afterActions) {
        try {
          fn();
        } catch {
          // no client connected any more: nothing to echo to
        }
      }
    });
  }

  private requiresAuth(ctx: RequestContext): Reply | null {
    const auth = ctx.headers.authorization;
    if (typeof auth !== 'string' || !/^Bot \S+/.test(auth)) return json(401, { message: '401: Unauthorized', code: 0 });
    return null;
  }

  private route(ctx: RequestContext): Reply {
    const s = ctx.segments;
    const [head] = s;
    // Unauthenticated routes: interaction callbacks and webhooks with a token.
    if (head === 'interactions' && s.length === 4 && s[3] === 'callback' && ctx.method === 'POST') {
      return this.interactionCallback(s[1]!, s[2]!, ctx);
    }
    if (head === 'webhooks' && s.length >= 3) return this.webhookRoute(ctx);
    const unauthorized = this.requiresAuth(ctx);
    if (unauthorized) return unauthorized;
    switch (head) {
      case 'gateway':
        return this.gatewayRoute(ctx);
      case 'users':
        return this.usersRoute(ctx);
      case 'applications':
        return this.applicationsRoute(ctx);
      case 'channels':
        return this.channelsRoute(ctx);
      case 'guilds':
        return this.guildsRoute(ctx);
      default:
        return NOT_FOUND();
    }
  }

  private gatewayRoute(ctx: RequestContext): Reply {
    if (ctx.method !== 'GET') return NOT_FOUND();
    if (ctx.segments.length === 1) return json(200, { url: this.gatewayUrl });
    if (ctx.segments.length === 2 && ctx.segments[1] === 'bot') {
      return json(200, {
        url: this.gatewayUrl,
        shards: this.options.recommendedShards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.options.maxConcurrency },
      });
    }
    return NOT_FOUND();
  }

  private usersRoute(ctx: RequestContext): Reply {
    const [, who, sub] = ctx.segments;
    if (who === '@me' && ctx.segments.length === 2 && ctx.method === 'GET') return json(200, this.botUser);
    if (who === '@me' && sub === 'channels' && ctx.segments.length === 3 && ctx.method === 'POST') {
      const recipient = String(ctx.body?.recipient_id ?? '');
      if (!this.users.has(recipient) || recipient === this.botUser.id) return errorReply(400, 50033, 'Invalid Recipient(s)');
      return json(200, clone(this.dmChannel(recipient)));
    }
    if (who && ctx.segments.length === 2 && ctx.method === 'GET') {
      const user = this.users.get(who);
      return user ? json(200, user) : errorReply(404, 10013, 'Unknown User');
    }
    return NOT_FOUND();
  }

  private applicationsRoute(ctx: RequestContext): Reply {
    const s = ctx.segments;
    const app = s[1];
    if (app === '@me' && s.length === 2) {
      if (ctx.method === 'GET') return json(200, this.application);
      if (ctx.method === 'PATCH') {
        Object.assign(this.application, ctx.body ?? {});
        return json(200, this.application);
      }
      return NOT_FOUND();
    }
    if (app !== this.applicationId) return errorReply(404, 10002, 'Unknown Application');
    // /applications/:app/commands[/:id]  or  /applications/:app/guilds/:guild/commands[/:id]
    let guildId: string | undefined;
    let rest: string[];
    if (s[2] === 'commands') rest = s.slice(3);
    else if (s[2] === 'guilds' && s[4] === 'commands') {
      guildId = s[3];
      if (guildId !== this.guildId) return errorReply(404, 10004, 'Unknown Guild');
      rest = s.slice(5);
    } else return NOT_FOUND();
    const list = guildId ? (this.commands.guild.get(guildId) ?? []) : this.commands.global;
    const save = (commands: Json[]): void => {
      if (guildId) this.commands.guild.set(guildId, commands);
      else this.commands.global = commands;
    };
    const complete = (input: Json, existing?: Json): Json => ({
      id: existing?.id ?? snowflake(),
      application_id: this.applicationId,
      version: snowflake(),
      type: 1,
      description: '',
      default_member_permissions: null,
      dm_permission: true,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      options: [],
      ...(guildId ? { guild_id: guildId } : {}),
      ...input,
    });
    if (rest.length === 0) {
      if (ctx.method === 'GET') return json(200, clone(list));
      if (ctx.method === 'PUT') {
        if (!Array.isArray(ctx.body)) return formError('_root', 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
        const commands = (ctx.body as Json[]).map((c) => complete(c, list.find((e) => e.name === c.name)));
        save(commands);
        return json(200, clone(commands));
      }
      if (ctx.method === 'POST') {
        const existing = list.find((e) => e.name === ctx.body?.name);
        const command = complete(ctx.body ?? {}, existing);
        save([...list.filter((e) => e !== existing), command]);
        return json(existing ? 200 : 201, clone(command));
      }
      return NOT_FOUND();
    }
    const command = list.find((c) => c.id === rest[0]);
    if (!command || rest.length !== 1) return errorReply(404, 10063, 'Unknown application command');
    if (ctx.method === 'GET') return json(200, clone(command));
    if (ctx.method === 'PATCH') {
      Object.assign(command, ctx.body ?? {});
      return json(200, clone(command));
    }
    if (ctx.method === 'DELETE') {
      save(list.filter((c) => c !== command));
      return noContent();
    }
    return NOT_FOUND();
  }

  private guildsRoute(ctx: RequestContext): Reply {
    const [, guildId, sub, id] = ctx.segments;
    if (guildId !== this.guildId) return errorReply(404, 10004, 'Unknown Guild');
    if (ctx.method !== 'GET') return NOT_FOUND();
    if (ctx.segments.length === 2) {
      const { members: _m, channels: _c, threads: _t, ...guild } = this.guildCreatePayload();
      return json(200, guild);
    }
    if (sub === 'channels' && ctx.segments.length === 3) return json(200, clone(this.guildChannels()));
    if (sub === 'roles' && ctx.segments.length === 3) return json(200, clone(this.guild.roles));
    if (sub === 'members' && ctx.segments.length === 4 && id) {
      const member = this.members.get(id);
      return member ? json(200, clone(member)) : errorReply(404, 10007, 'Unknown Member');
    }
    if (sub === 'members' && ctx.segments.length === 3) return json(200, clone([...this.members.values()]));
    return NOT_FOUND();
  }

  private channelsRoute(ctx: RequestContext): Reply {
    const s = ctx.segments;
    const channel = this.channels.get(s[1] ?? '');
    if (!channel) return UNKNOWN_CHANNEL();
    const sub = s[2];
    if (s.length === 2) {
      if (ctx.method === 'GET') return json(200, clone(channel));
      return NOT_FOUND();
    }
    if (sub === 'typing' && s.length === 3 && ctx.method === 'POST') return noContent();
    if (sub === 'threads' && s.length === 3 && ctx.method === 'POST') return this.createThreadFromRest(ctx, channel, undefined);
    if (sub === 'thread-members' && s.length === 4) {
      if (!THREAD_TYPES.has(channel.type)) return UNKNOWN_CHANNEL();
      if (ctx.method === 'PUT' || ctx.method === 'DELETE') return noContent();
      return NOT_FOUND();
    }
    if (sub !== 'messages') return NOT_FOUND();
    if (s.length === 3) {
      if (ctx.method === 'GET') return this.listMessages(ctx, channel);
      if (ctx.method === 'POST') return this.createChannelMessage(ctx, channel);
      return NOT_FOUND();
    }
    const message = this.messages.get(s[3] ?? '');
    if (!message || message.channel_id !== channel.id) return UNKNOWN_MESSAGE();
    if (s.length === 4) {
      if (ctx.method === 'GET') return json(200, this.restMessage(message));
      if (ctx.method === 'PATCH') {
        if (message.author.id !== this.botUser.id) return errorReply(403, 50005, 'Cannot edit a message authored by another user');
        return this.editMessage(ctx, message);
      }
      if (ctx.method === 'DELETE') {
        this.messages.delete(message.id);
        ctx.after(() => this.echoDelete(message));
        return noContent();
      }
      return NOT_FOUND();
    }
    if (s[4] === 'threads' && s.length === 5 && ctx.method === 'POST') return this.createThreadFromRest(ctx, channel, message);
    if (s[4] === 'reactions' && (ctx.method === 'PUT' || ctx.method === 'DELETE')) return noContent();
    return NOT_FOUND();
  }

  private listMessages(ctx: RequestContext, channel: Json): Reply {
    const limit = Math.min(Math.max(Number(ctx.query.limit ?? 50) || 50, 1), 100);
    let list = this.messagesIn(channel.id).filter((m) => !((m.flags ?? 0) & MessageFlag.Ephemeral)) as Json[];
    const id = (m: Json): bigint => BigInt(m.id);
    if (ctx.query.before) list = list.filter((m) => id(m) < BigInt(ctx.query.before!));
    if (ctx.query.after) list = list.filter((m) => id(m) > BigInt(ctx.query.after!));
    list.reverse(); // newest first
    if (ctx.query.around) {
      const around = BigInt(ctx.query.around);
      const older = list.filter((m) => id(m) <= around).slice(0, Math.ceil(limit / 2));
      const newer = list.filter((m) => id(m) > around).slice(-Math.floor(limit / 2));
      list = [...newer, ...older];
    } else if (ctx.query.after && !ctx.query.before) list = list.slice(-limit);
    else list = list.slice(0, limit);
    return json(200, list.map((m) => this.restMessage(m)));
  }

  /** Builds a bot message from a message-create body (content, embeds, components, files…). */
  private messageFromBody(channelId: string, body: Json, files: FakeFile[]): Json {
    const message = this.baseMessage(channelId, this.botUser);
    this.applyBody(message, body, files);
    if (typeof body.nonce === 'string' || typeof body.nonce === 'number') message.nonce = body.nonce;
    if (body.tts) message.tts = true;
    if (typeof body.flags === 'number') message.flags = body.flags;
    return message;
  }

  /** Applies the editable fields of a message body. */
  private applyBody(message: Json, body: Json, files: FakeFile[]): void {
    for (const key of ['content', 'embeds', 'components', 'poll', 'sticker_ids'] as const) {
      if (body[key] !== undefined && body[key] !== null) message[key] = clone(body[key]);
    }
    if (body.sticker_ids) {
      message.sticker_items = body.sticker_ids.map((id: string) => ({ id, name: 'sticker', format_type: 1 }));
      delete message.sticker_ids;
    }
    if (Array.isArray(body.attachments) || files.length > 0) {
      const existing: Json[] = message.attachments ?? [];
      const described: Json[] = Array.isArray(body.attachments)
        ? body.attachments
        : files.map((_f, index) => ({ id: String(index) }));
      message.attachments = described
        .map((a) => {
          const kept = existing.find((e) => e.id === String(a.id));
          if (kept) return kept;
          const file = files[Number(a.id)] ?? files.find((f) => f.field === `files[${String(a.id)}]`);
          if (!file) return null;
          const id = snowflake();
          const filename = a.filename ?? file.filename ?? 'file';
          return {
            id,
            filename,
            size: file.data.length,
            url: `https://cdn.discordapp.com/attachments/${message.channel_id}/${id}/${filename}`,
            proxy_url: `https://media.discordapp.net/attachments/${message.channel_id}/${id}/${filename}`,
            content_type: file.contentType ?? 'application/octet-stream',
            ...(a.description ? { description: a.description } : {}),
          };
        })
        .filter((a): a is Json => a !== null);
    }
  }

  private createChannelMessage(ctx: RequestContext, channel: Json): Reply {
    const body: Json = ctx.body ?? {};
    const invalid = validateMessageBody(body);
    if (invalid) return invalid;
    const duplicate = this.enforcedNonce(channel.id, body);
    if (duplicate) return json(200, this.restMessage(duplicate));
    const message = this.messageFromBody(channel.id, body, ctx.files);
    if (isEmptyMessage(message)) return errorReply(400, 50006, 'Cannot send an empty message');
    const ref = body.message_reference;
    if (ref?.message_id) {
      const referenced = this.messages.get(String(ref.message_id));
      if (!referenced && ref.fail_if_not_exists !== false) {
        return formError('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
      if (referenced && (ref.type ?? 0) === 0) {
        message.type = 19;
        message.message_reference = {
          type: 0,
          message_id: referenced.id,
          channel_id: referenced.channel_id,
          ...(channel.type === ChannelType.DM ? {} : { guild_id: this.guildId }),
        };
        message.referenced_message = this.restMessage(referenced);
        const replied = body.allowed_mentions?.replied_user !== false;
        if (replied && referenced.author.id !== this.botUser.id) message.mentions = [clone(referenced.author)];
      }
    }
    this.storeMessage(message);
    if (body.enforce_nonce === true && message.nonce !== undefined) {
      this.nonces.set(`${channel.id}:${message.nonce}`, { messageId: message.id, at: Date.now() });
    }
    if (THREAD_TYPES.has(channel.type)) {
      channel.message_count = (channel.message_count ?? 0) + 1;
      channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
      message.position = channel.total_message_sent - 1;
    }
    ctx.after(() => this.echo('MESSAGE_CREATE', message));
    return json(200, this.restMessage(message));
  }

  /** With enforce_nonce, a nonce seen in this channel within a few minutes returns that message, as on Discord. */
  private enforcedNonce(channelId: string, body: Json): Json | undefined {
    if (body.enforce_nonce !== true || (typeof body.nonce !== 'string' && typeof body.nonce !== 'number')) return undefined;
    const seen = this.nonces.get(`${channelId}:${body.nonce}`);
    if (!seen || Date.now() - seen.at > NONCE_WINDOW_MS) return undefined;
    return this.messages.get(seen.messageId);
  }

  private editMessage(ctx: RequestContext, message: Json): Reply {
    const body: Json = ctx.body ?? {};
    const invalid = validateMessageBody(body);
    if (invalid) return invalid;
    const next = clone(message);
    this.applyBody(next, body, ctx.files);
    const wasLoading = ((message.flags ?? 0) & MessageFlag.Loading) !== 0;
    if (wasLoading) next.flags &= ~MessageFlag.Loading;
    if (typeof body.flags === 'number') next.flags = (next.flags & ~(1 << 2)) | (body.flags & (1 << 2)); // only SUPPRESS_EMBEDS is editable
    if (isEmptyMessage(next)) return errorReply(400, 50006, 'Cannot send an empty message');
    if (!wasLoading) next.edited_timestamp = now();
    this.messages.set(next.id, next);
    ctx.after(() => this.echo('MESSAGE_UPDATE', next));
    return json(200, this.restMessage(next));
  }

  private createThreadFromRest(ctx: RequestContext, channel: Json, message: Json | undefined): Reply {
    if (channel.type !== ChannelType.GuildText) {
      return errorReply(400, 50024, 'Cannot execute action on this channel type');
    }
    const body: Json = ctx.body ?? {};
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) {
      return formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (message && this.channels.has(message.id)) {
      return errorReply(400, 160004, 'A thread has already been created for this message');
    }
    const thread = this.makeThread({
      id: message?.id ?? snowflake(),
      name,
      ownerId: this.botUser.id,
      parentId: channel.id,
      type: message ? ChannelType.PublicThread : Number(body.type ?? ChannelType.PrivateThread),
      autoArchiveDuration: Number(body.auto_archive_duration ?? 4320),
      rateLimitPerUser: body.rate_limit_per_user,
      invitable: body.invitable,
    });
    if (message) {
      message.thread = clone(thread);
      if (message.flags !== undefined) message.flags |= 1 << 5; // HAS_THREAD
    }
    ctx.after(() => {
      if (this.session) this.dispatch('THREAD_CREATE', { ...clone(thread), newly_created: true });
    });
    return json(201, clone(thread));
  }

  // -- interactions & webhooks

  private interactionCallback(id: string, token: string, ctx: RequestContext): Reply {
    const state = this.interactions.get(id);
    if (!state || state.token !== token) return errorReply(404, 10062, 'Unknown interaction');
    if (state.acknowledged) return errorReply(400, 40060, 'Interaction has already been acknowledged.');
    const body: Json = ctx.body ?? {};
    const type = Number(body.type);
    if (!(INTERACTION_RESPONSES[state.type] ?? []).includes(type)) {
      return formError('type', 'INTERACTION_RESPONSE_TYPE_INVALID', `Invalid interaction response type ${type} for interaction type ${state.type}`);
    }
    const data: Json = body.data ?? {};
    let message: Json | undefined;
    if (type === 4 || type === 7) {
      const invalid = validateMessageBody(data);
      if (invalid) return invalid;
    }
    if (type === 8 && Array.isArray(data.choices) && data.choices.length > 25) {
      return formError('data.choices', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    }
    if (type === 4 || type === 5) {
      message = this.messageFromBody(state.channelId, type === 4 ? data : {}, type === 4 ? ctx.files : []);
      message.type = state.type === 2 ? 20 : 0;
      message.flags = (Number(data.flags ?? 0) & MessageFlag.Ephemeral) | (type === 5 ? MessageFlag.Loading : 0);
      message.application_id = this.applicationId;
      message.webhook_id = this.applicationId;
      message.interaction_metadata = {
        id: state.id,
        type: state.type,
        user: clone(state.user),
        authorizing_integration_owners: clone(state.payload.authorizing_integration_owners ?? {}),
        ...(state.type === 2 ? { name: state.payload.data?.name, command_type: 1 } : {}),
      };
      if (state.type === 2) {
        message.interaction = { id: state.id, type: state.type, name: state.payload.data?.name, user: clone(state.user) };
      }
      if (type === 4 && isEmptyMessage(message)) return errorReply(400, 50006, 'Cannot send an empty message');
      this.storeMessage(message);
      state.originalId = message.id;
      state.messageIds.add(message.id);
    } else if (type === 6 || type === 7) {
      const original = state.payload.message ? this.messages.get(state.payload.message.id) : undefined;
      if (!original) return UNKNOWN_MESSAGE();
      if (type === 7) {
        this.applyBody(original, data, ctx.files);
        original.edited_timestamp = now();
      }
      message = original;
      state.originalId = original.id;
      state.messageIds.add(original.id);
    }
    state.acknowledged = true;
    state.responseType = type;
    if (message) {
      const echoed = message;
      ctx.after(() => this.echo(type === 7 ? 'MESSAGE_UPDATE' : 'MESSAGE_CREATE', echoed));
    }
    if (ctx.query.with_response !== 'true') return noContent();
    return json(200, {
      interaction: {
        id: state.id,
        type: state.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: type === 5,
              response_message_ephemeral: ((message.flags ?? 0) & MessageFlag.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: { type, ...(message && type !== 6 ? { message: this.restMessage(message) } : {}) },
    });
  }

  private webhookRoute(ctx: RequestContext): Reply {
    const [, app, token, sub, messageId] = ctx.segments;
    const state = token ? this.interactionsByToken.get(token) : undefined;
    if (app !== this.applicationId || !state) return UNKNOWN_WEBHOOK();
    if (ctx.segments.length === 3 && ctx.method === 'POST') {
      if (!state.acknowledged) return UNKNOWN_WEBHOOK();
      const body: Json = ctx.body ?? {};
      const invalid = validateMessageBody(body);
      if (invalid) return invalid;
      const message = this.messageFromBody(state.channelId, body, ctx.files);
      message.flags = Number(body.flags ?? 0) & MessageFlag.Ephemeral;
      message.application_id = this.applicationId;
      message.webhook_id = this.applicationId;
      if (isEmptyMessage(message)) return errorReply(400, 50006, 'Cannot send an empty message');
      this.storeMessage(message);
      state.messageIds.add(message.id);
      ctx.after(() => this.echo('MESSAGE_CREATE', message));
      return ctx.query.wait === 'true' ? json(200, this.restMessage(message)) : noContent();
    }
    if (sub !== 'messages' || ctx.segments.length !== 5 || !messageId) return NOT_FOUND();
    const id = messageId === '@original' ? state.originalId : messageId;
    const message = id && state.messageIds.has(id) ? this.messages.get(id) : undefined;
    if (!message) return UNKNOWN_MESSAGE();
    if (ctx.method === 'GET') return json(200, this.restMessage(message));
    if (ctx.method === 'PATCH') return this.editMessage(ctx, message);
    if (ctx.method === 'DELETE') {
      this.messages.delete(message.id);
      state.messageIds.delete(message.id);
      if (state.originalId === message.id) state.originalId = null;
      ctx.after(() => this.echoDelete(message));
      return noContent();
    }
    return NOT_FOUND();
  }
}

/** Starts a fake Discord (REST + gateway) on 127.0.0.1 at a random port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  let fake: FakeDiscord | undefined;
  const server = createServer((req, res) => {
    if (!fake) {
      res.writeHead(503).end();
      return;
    }
    fake.onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });
  server.keepAliveTimeout = 1000;
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  fake = new FakeDiscord(server, wss, port, options);
  const created = fake;
  wss.on('connection', (ws) => created.onGatewayConnection(ws));
  return fake;
}
