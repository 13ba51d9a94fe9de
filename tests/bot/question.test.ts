import { describe, expect, it } from 'vitest';
import { isChatter, looksLikeQuestion, messageTrigger, stripBotMentions, threadName, type MessageFacts } from '../../src/bot/question.js';

describe('looksLikeQuestion', () => {
  it('accepts text ending with "?" and text starting with an interrogative or auxiliary', () => {
    for (const q of [
      'Zangezur corridor?',
      'what did Iran say about talks',
      'Who leads Azerbaijan',
      'How did the ceasefire end',
      'is the Lachin corridor open',
      'Did Armenia agree to this',
      'can you tell me about oil prices',
      "What's the latest on sanctions",
      'sanctions?!',
    ]) {
      expect(looksLikeQuestion(q), q).toBe(true);
    }
  });

  it('rejects statements, greetings, and too-short fragments', () => {
    for (const s of ['good morning everyone', 'I think Iran will negotiate.', 'how', 'what now', '??', '', 'Thanks, that helps!']) {
      expect(looksLikeQuestion(s), s).toBe(false);
    }
  });
});

describe('isChatter', () => {
  it('is true for thanks, assent, greetings and emoji, with or without punctuation', () => {
    for (const text of ['thanks!', 'Thank you so much.', '👍', '🙏🙏', '<:pepe:123456789012345678>', 'ok', 'OK cool', 'got it, that helps', 'lol', '...']) {
      expect(isChatter(text), text).toBe(true);
    }
  });

  it('is false for anything with a question mark or a word of its own', () => {
    for (const text of ['ok?', 'thanks, and Reuters?', 'and Reuters', 'more on the corridor please', 'why', 'great, what about oil']) {
      expect(isChatter(text), text).toBe(false);
    }
  });
});

describe('stripBotMentions', () => {
  it('removes user and role mentions of the bot, keeping other mentions and collapsing spaces', () => {
    expect(stripBotMentions('<@111> what is  this? <@!111>', '111')).toBe('what is this?');
    expect(stripBotMentions('<@&999> hello <@222>', '111', ['999'])).toBe('hello <@222>');
  });
});

describe('messageTrigger', () => {
  const base: MessageFacts = { fromBot: false, isDM: false, mentionsBot: false, inBotThread: false, inAnswerChannel: false, question: 'what is this about' };

  it('answers DMs, mentions, follow-ups in bot threads, and questions in answer channels', () => {
    expect(messageTrigger({ ...base, isDM: true })).toBe('dm');
    expect(messageTrigger({ ...base, mentionsBot: true, question: '' })).toBe('mention');
    expect(messageTrigger({ ...base, inBotThread: true, question: 'and Reuters' })).toBe('thread');
    expect(messageTrigger({ ...base, repliesToBot: true, question: 'and Reuters' })).toBe('reply');
    expect(messageTrigger({ ...base, inAnswerChannel: true })).toBe('channel');
  });

  it('ignores bots, chatter in answer channels, empty thread messages, and everything else', () => {
    expect(messageTrigger({ ...base, fromBot: true, isDM: true })).toBeNull();
    expect(messageTrigger({ ...base, inAnswerChannel: true, question: 'good morning all' })).toBeNull();
    expect(messageTrigger({ ...base, inBotThread: true, question: '' })).toBeNull();
    expect(messageTrigger({ ...base, inBotThread: true, question: 'thanks!' })).toBeNull();
    expect(messageTrigger({ ...base, repliesToBot: true, inAnswerChannel: true, question: '👍' })).toBeNull();
    expect(messageTrigger(base)).toBeNull();
  });
});

describe('threadName', () => {
  it('is the question on one line, at most 100 characters, cut at a word', () => {
    expect(threadName('What is\nthe corridor?')).toBe('What is the corridor?');
    const long = threadName('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith('word…')).toBe(true);
    expect(threadName('   ')).toBe('Follow-up questions');
  });
});
