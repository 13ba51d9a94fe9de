import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import type { HeadlineQuery } from '../../index/types.js';
import type { Command } from '../context.js';
import { intArg } from '../custom-id.js';
import { afterPendingAcks, deferReply, editFinalReply, update } from '../delivery.js';
import { outletChoices, parseDateRange } from '../options.js';
import { renderHeadlines } from '../render.js';
import { enforceLimit, safe } from '../reply.js';

export const DEFAULT_HEADLINES = 50;
export const MAX_HEADLINES = 200;

export const headlines: Command = {
  data: new SlashCommandBuilder()
    .setName('headlines')
    .setDescription('List headlines, newest first, optionally filtered')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((o) => o.setName('query').setDescription('Words to look for (sorts by relevance)').setMaxLength(200))
    .addStringOption((o) => o.setName('outlet').setDescription('Only this outlet').setAutocomplete(true).setMaxLength(100))
    .addStringOption((o) => o.setName('from').setDescription('From this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10))
    .addStringOption((o) => o.setName('to').setDescription('Until this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10))
    .addIntegerOption((o) =>
      o
        .setName('limit')
        .setDescription(`How many headlines to list (default ${DEFAULT_HEADLINES})`)
        .setMinValue(1)
        .setMaxValue(MAX_HEADLINES),
    ),

  async execute(interaction, ctx) {
    const options = interaction.options;
    const range = parseDateRange(options.getString('from'), options.getString('to'));
    const query = options.getString('query')?.trim();
    const outlet = options.getString('outlet')?.trim();
    const limit = Math.min(Math.max(1, options.getInteger('limit') ?? DEFAULT_HEADLINES), MAX_HEADLINES);
    const filter: HeadlineQuery = { ...(query && { query }), ...(outlet && { outlet }), ...range };
    enforceLimit(ctx, interaction.user.id, interaction.channelId);
    await deferReply(interaction);
    await afterPendingAcks();
    const docs = (await ctx.engine.headlines(filter)).slice(0, limit);
    const sessionId = ctx.sessions.headlines.put({ ownerId: interaction.user.id, docs, filter });
    await editFinalReply(interaction, safe(renderHeadlines({ docs, page: 0, filter, sessionId })));
    return { results: docs.length };
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    const choices = focused.name === 'outlet' ? outletChoices(ctx.engine.outlets(), String(focused.value)) : [];
    await interaction.respond(choices);
    return { choices: choices.length };
  },

  /** `headlines:page:<session>:<page>`: only the user who ran the command turns the pages. */
  async component(interaction, ctx, id) {
    const [sessionId = '', rawPage] = id.args;
    const page = intArg(rawPage);
    const session = id.action === 'page' && page !== null ? ctx.sessions.headlines.get(sessionId) : undefined;
    if (!session || page === null) throw new NewsdeskError('EXPIRED');
    if (session.ownerId !== interaction.user.id) throw new NewsdeskError('NOT_OWNER');
    await update(interaction, safe(renderHeadlines({ docs: session.docs, page, filter: session.filter, sessionId })));
    return { page };
  },
};
