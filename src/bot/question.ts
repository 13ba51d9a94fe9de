/** Which messages the bot answers without a slash command, and what the question in them is. */
import { cleanLine } from './text.js';

const QUESTION_WORDS = new Set([
  'who', 'whom', 'whose', 'what', 'when', 'where', 'why', 'how', 'which',
  'is', 'are', 'was', 'were', 'am',
  'do', 'does', 'did',
  'can', 'could', 'will', 'would', 'should', 'shall', 'may', 'might', 'must',
  'has', 'have', 'had',
]);

/**
 * Whether a message reads as a question: it ends with "?", or its first word is an interrogative
 * or an auxiliary verb ("who…", "how…", "is…", "did…", "can…"), e.g. "what did Iran say about talks".
 */
export function looksLikeQuestion(text: string): boolean {
  const trimmed = text.trim();
  if (!/\p{L}/u.test(trimmed)) return false;
  if (/\?[\s\p{P}\p{S}]*$/u.test(trimmed) && trimmed.length >= 3) return true;
  const words = trimmed.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const first = (words[0] ?? '').replace(/'.*$/, '');
  return words.length >= 3 && QUESTION_WORDS.has(first);
}

/** Words of thanks, assent and greeting: a message made only of them is not a question. */
const CHATTER = new Set([
  'thanks', 'thank', 'thx', 'ty', 'tysm', 'cheers', 'appreciated', 'appreciate', 'you', 'so', 'very', 'much', 'a', 'lot',
  'ok', 'okay', 'k', 'kk', 'alright', 'fine', 'cool', 'great', 'nice', 'good', 'awesome', 'perfect', 'wow', 'neat',
  'yes', 'yeah', 'yep', 'yup', 'no', 'nope', 'sure', 'right', 'true', 'indeed', 'exactly', 'agreed', 'noted', 'understood',
  'got', 'it', 'i', 'see', 'that', 'thats', 'this', 'helps', 'helped', 'helpful', 'makes', 'sense', 'interesting',
  'lol', 'haha', 'oh', 'ah', 'hmm', 'hi', 'hello', 'hey', 'bye', 'np', 'gg', 'all', 'the', 'will', 'do',
]);

/**
 * Whether a message is talk around the answers rather than a question: "thanks!", "ok", "👍",
 * "got it, that helps". Anything with a "?" or with a word outside thanks and assent is not.
 */
export function isChatter(text: string): boolean {
  const plain = text.replace(/<a?:\w+:\d+>/g, ' ').trim();
  if (!/[\p{L}\p{N}]/u.test(plain)) return true;
  if (plain.includes('?')) return false;
  const words = plain.toLowerCase().match(/[\p{L}\p{N}'’]+/gu) ?? [];
  return words.every((word) => CHATTER.has(word.replace(/['’]/g, '')));
}

/** The message text without mentions of the bot (`<@id>`, `<@!id>`, or its managed role `<@&id>`). */
export function stripBotMentions(content: string, botId: string, botRoleIds: readonly string[] = []): string {
  const ids = [botId, ...botRoleIds].map((id) => id.replace(/\D/g, '')).filter(Boolean);
  if (ids.length === 0) return content.trim();
  const pattern = new RegExp(`<@[!&]?(?:${ids.join('|')})>`, 'g');
  return content.replace(pattern, ' ').replace(/\s+/g, ' ').trim();
}

export type MessageTrigger = 'dm' | 'mention' | 'reply' | 'thread' | 'channel';

export interface MessageFacts {
  fromBot: boolean;
  isDM: boolean;
  mentionsBot: boolean;
  /** In a thread whose owner is the bot: a follow-up. */
  inBotThread: boolean;
  /** A reply to one of the bot's messages: a follow-up of that answer. */
  repliesToBot?: boolean;
  /** In one of ANSWER_CHANNEL_IDS (or a thread under one). */
  inAnswerChannel: boolean;
  /** The text with the bot's mentions removed. */
  question: string;
}

/** Why the bot answers a message, or null to leave it alone. */
export function messageTrigger(facts: MessageFacts): MessageTrigger | null {
  if (facts.fromBot) return null;
  if (facts.isDM) return 'dm';
  if (facts.mentionsBot) return 'mention';
  // Follow-ups get an answer; "thanks!" or "👍" under an answer gets nothing, not a refusal.
  if (facts.repliesToBot) return facts.question && !isChatter(facts.question) ? 'reply' : null;
  if (facts.inBotThread) return facts.question && !isChatter(facts.question) ? 'thread' : null;
  if (facts.inAnswerChannel && looksLikeQuestion(facts.question)) return 'channel';
  return null;
}

/** A thread name from the question: one line, at most 100 characters. */
export function threadName(question: string): string {
  const line = cleanLine(question) || 'Follow-up questions';
  return line.length <= 100 ? line : `${line.slice(0, 99).replace(/\s+\S*$/, '')}…`;
}
