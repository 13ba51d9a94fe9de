import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../context.js';
import { reply } from '../delivery.js';
import { renderAbout } from '../render.js';
import { safe } from '../reply.js';
import { botReach } from '../reach.js';

export const about: Command = {
  data: new SlashCommandBuilder()
    .setName('about')
    .setDescription('What the corpus holds: documents, dates, outlets, and when it was indexed')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),

  async execute(interaction, ctx) {
    await reply(interaction, safe(renderAbout(ctx.engine.about(), await botReach(interaction.client))));
  },
};
