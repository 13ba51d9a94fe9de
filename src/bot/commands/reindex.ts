import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import type { Command } from '../context.js';
import { deferReply, editFinalReply } from '../delivery.js';
import { contentWithin, progressText, summaryText } from '../render.js';
import { describeError } from '../../errors.js';
import { safe } from '../reply.js';
import { throttledEdits } from '../throttle.js';

export const reindex: Command = {
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription('Rebuild the index from the corpus (Manage Server only)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild),

  async execute(interaction, ctx) {
    // default_member_permissions hides the command, but server admins can override that: check again.
    if (!interaction.inGuild() || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      throw new NewsdeskError('FORBIDDEN');
    }
    await deferReply(interaction, true);
    const progress = throttledEdits(
      (text) => interaction.editReply(safe({ content: text })),
      ctx.progressIntervalMs,
      (error) => ctx.log({ event: 'error', where: 'reindex-progress', error: describeError(error) }),
    );
    try {
      const summary = await ctx.engine.reindex((event) => progress.push(progressText(event)));
      await progress.finish();
      await editFinalReply(interaction, safe({ content: contentWithin(summaryText(summary)) }));
      return { documents: summary.documents, chunks: summary.chunks, seconds: Math.round(summary.seconds * 10) / 10 };
    } finally {
      await progress.finish();
    }
  },
};
