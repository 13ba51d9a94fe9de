import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { CHART_FILE, headlineChart } from '../../chart/headline-chart.js';
import { NewsdeskError } from '../../errors.js';
import type { HeadlineQuery } from '../../index/types.js';
import type { BotContext, Command, Outcome } from '../context.js';
import { intArg } from '../custom-id.js';
import { afterPendingAcks, deferReply, editFinalReply, update } from '../delivery.js';
import { outletChoices, parseDateRange } from '../options.js';
import { renderHeadlines } from '../render.js';
import { enforceLimit, safe } from '../reply.js';
import { escapeText, joinWithin, LIMITS } from '../text.js';

export const DEFAULT_HEADLINES = 50;
export const MAX_HEADLINES = 200;

async function list(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Outcome> {
  const options = interaction.options;
  const range = parseDateRange(options.getString('from'), options.getString('to'));
  const query = options.getString('query')?.trim();
  const outlet = options.getString('outlet')?.trim();
  const limit = Math.min(Math.max(1, options.getInteger('limit') ?? DEFAULT_HEADLINES), MAX_HEADLINES);
  const filter: HeadlineQuery = { ...(query && { query }), ...(outlet && { outlet }), ...range };
  enforceLimit(ctx, interaction.user.id, interaction.channelId);
  await deferReply(interaction);
  await afterPendingAcks(interaction);
  const docs = (await ctx.engine.headlines(filter)).slice(0, limit);
  const sessionId = ctx.sessions.headlines.put({ ownerId: interaction.user.id, docs, filter });
  await editFinalReply(interaction, safe(renderHeadlines({ docs, page: 0, filter, sessionId })));
  return { results: docs.length };
}

/** The chart as a PNG attachment, and its numbers as the message text for screen readers. */
async function stats(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Outcome> {
  const options = interaction.options;
  const range = parseDateRange(options.getString('from'), options.getString('to'));
  const query = options.getString('query')?.trim();
  enforceLimit(ctx, interaction.user.id, interaction.channelId);
  await deferReply(interaction);
  await afterPendingAcks(interaction);
  const chart = await headlineChart(ctx.engine, { ...(query && { query }), ...range });
  const [summary, ...days] = chart.lines.map(escapeText);
  const head = `**${escapeText(chart.title)}**: ${summary}`;
  const content = chart.stats.total === 0 ? `${head} Try other words or dates.` : `${head}\n${joinWithin(days, '\n', LIMITS.content - head.length - 1)}`;
  await editFinalReply(interaction, safe({ content, embeds: [], components: [], files: [{ attachment: chart.png, name: CHART_FILE, description: chart.title }] }));
  return { results: chart.stats.total, days: chart.stats.days.length };
}

export const headlines: Command = {
  // A command with subcommands cannot also take options of its own (Discord's rule), so the
  // list that /headlines was before is /headlines list, next to /headlines stats.
  data: new SlashCommandBuilder()
    .setName('headlines')
    .setDescription('List headlines, or chart them per day')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addSubcommand((sub) =>
      sub
        .setName('list')
        .setDescription('List headlines, newest first, optionally filtered')
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
    )
    .addSubcommand((sub) =>
      sub
        .setName('stats')
        .setDescription('Chart headlines per day, stacked by outlet, with the counts in text')
        .addStringOption((o) => o.setName('query').setDescription('Only headlines holding these words').setMaxLength(200))
        .addStringOption((o) => o.setName('from').setDescription('From this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10))
        .addStringOption((o) => o.setName('to').setDescription('Until this date, YYYY-MM-DD').setMinLength(10).setMaxLength(10)),
    ),

  execute(interaction, ctx) {
    return interaction.options.getSubcommand() === 'stats' ? stats(interaction, ctx) : list(interaction, ctx);
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
