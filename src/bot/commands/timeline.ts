import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import { MAX_QUESTION_CHARS, validateQuestion } from '../../index/snapshot.js';
import type { Command } from '../context.js';
import { intArg } from '../custom-id.js';
import { afterPendingAcks, deferReply, editFinalReply, update } from '../delivery.js';
import { parseDateRange } from '../options.js';
import { renderTimeline } from '../render-timeline.js';
import { enforceLimit, safe } from '../reply.js';

export const timeline: Command = {
  data: new SlashCommandBuilder()
    .setName('timeline')
    .setDescription('How a story developed: the passages on a topic, day by day, oldest first')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((o) => o.setName('topic').setDescription('What the story is about').setRequired(true).setMaxLength(MAX_QUESTION_CHARS))
    .addStringOption((o) => o.setName('from').setDescription('From this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10))
    .addStringOption((o) => o.setName('to').setDescription('Until this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10)),

  async execute(interaction, ctx) {
    const topic = validateQuestion(interaction.options.getString('topic', true));
    const range = parseDateRange(interaction.options.getString('from'), interaction.options.getString('to'));
    enforceLimit(ctx, interaction.user.id, interaction.channelId);
    await deferReply(interaction);
    await afterPendingAcks(interaction);
    const query = { topic, ...range };
    const found = await ctx.engine.timeline(query);
    const sessionId = ctx.sessions.timeline.put({ ownerId: interaction.user.id, timeline: found, query });
    await editFinalReply(interaction, safe(renderTimeline({ timeline: found, page: 0, sessionId, ...range })));
    return { results: found.total, days: found.days.length };
  },

  /** `timeline:page:<session>:<page>`: only the user who ran the command turns the pages. */
  async component(interaction, ctx, id) {
    const [sessionId = '', rawPage] = id.args;
    const page = intArg(rawPage);
    const session = id.action === 'page' && page !== null ? ctx.sessions.timeline.get(sessionId) : undefined;
    if (!session || page === null) throw new NewsdeskError('EXPIRED');
    if (session.ownerId !== interaction.user.id) throw new NewsdeskError('NOT_OWNER');
    const { from, to } = session.query;
    await update(interaction, safe(renderTimeline({ timeline: session.timeline, page, sessionId, from, to })));
    return { page };
  },
};
