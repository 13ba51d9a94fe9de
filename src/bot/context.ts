import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.js';
import type { FeedStatus } from '../feeds/poller.js';
import type { Document, Engine, HeadlineQuery, Passage, Timeline, TimelineQuery } from '../index/types.js';
import type { FeedbackSubject } from '../feedback/store.js';
import type { CustomId } from './custom-id.js';
import type { RateLimiter } from './limiter.js';
import type { SessionStore } from './sessions.js';

/** What the further passages of an answer need, behind its More button. */
export interface AskSession {
  question: string;
  /** All passages after the first page. */
  more: Passage[];
  /** How many passages the first page showed. */
  shown: number;
}

/** An answer, behind its 👍 / 👎 buttons; `voters` (in memory only) keeps one vote per user. */
export interface FeedbackSession {
  subject: FeedbackSubject;
  voters: Set<string>;
}

/** A headline list, behind its Prev/Next buttons. */
export interface HeadlinesSession {
  ownerId: string;
  docs: Document[];
  filter: HeadlineQuery;
}

/** A timeline, behind its Prev/Next buttons. */
export interface TimelineSession {
  ownerId: string;
  timeline: Timeline;
  query: TimelineQuery;
}

/** Structured log: one JSON object per line. */
export type LogFields = Record<string, unknown>;

/** Everything a command needs, built once by startBot. */
export interface BotContext {
  engine: Engine;
  config: Config;
  log: (fields: LogFields) => void;
  now: () => number;
  limiter: RateLimiter;
  sessions: {
    ask: SessionStore<AskSession>;
    headlines: SessionStore<HeadlinesSession>;
    timeline: SessionStore<TimelineSession>;
    feedback: SessionStore<FeedbackSession>;
  };
  /** Minimum time between two progress edits of the /reindex reply. */
  progressIntervalMs: number;
  /** The feed poller's state for /feeds; absent when no FEEDS are configured. */
  feeds?: FeedStatusSource | null;
}

export interface FeedStatusSource {
  status(): FeedStatus[];
}

/** Extra fields a handler adds to its interaction's log line (e.g. `answered`). */
export type Outcome = LogFields | void;

/** One slash command, as in the discord.js guide: its definition and its handlers. */
export interface Command {
  data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Outcome>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<Outcome>;
  /** Buttons and selects whose custom id starts with this command's name. */
  component?(interaction: MessageComponentInteraction, ctx: BotContext, id: CustomId): Promise<Outcome>;
}
