import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import { MAX_QUESTION_CHARS, validateQuestion } from '../../index/snapshot.js';
import { answerPayload, morePayload, recordVote } from '../answer.js';
import type { Command } from '../context.js';
import { intArg } from '../custom-id.js';
import { afterPendingAcks, deferReply, editFinalReply, reply } from '../delivery.js';
import { enforceLimit, ephemeral, safe } from '../reply.js';

export const ask: Command = {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Answer a question by quoting the news corpus, with sources')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((o) =>
      o.setName('question').setDescription('What you want to know').setRequired(true).setMaxLength(MAX_QUESTION_CHARS),
    )
    .addBooleanOption((o) => o.setName('ephemeral').setDescription('Show the answer only to you')),

  async execute(interaction, ctx) {
    const question = validateQuestion(interaction.options.getString('question', true));
    const hidden = interaction.options.getBoolean('ephemeral') ?? false;
    enforceLimit(ctx, interaction.user.id, hidden ? null : interaction.channelId);
    await deferReply(interaction, hidden);
    await afterPendingAcks(interaction);
    const answer = await ctx.engine.ask(question, { k: ctx.config.answerK });
    await editFinalReply(interaction, safe(answerPayload(answer, ctx)));
    return { answered: answer.answered, passages: answer.passages.length, ephemeral: hidden };
  },

  /**
   * `ask:more:<session>:<offset>`: the next passages, shown only to whoever pressed More.
   * `ask:vote:<session>:up|down`: a vote on the answer, acknowledged only to the voter.
   */
  async component(interaction, ctx, id) {
    if (id.action === 'vote') {
      const vote = id.args[1];
      const ack = vote === 'up' || vote === 'down' ? await recordVote(id.args[0] ?? '', vote, interaction.user.id, ctx) : null;
      if (!ack) throw new NewsdeskError('EXPIRED');
      await reply(interaction, ephemeral({ content: ack, embeds: [], components: [] }));
      return { vote };
    }
    const offset = intArg(id.args[1]);
    const payload = id.action === 'more' && offset !== null ? morePayload(id.args[0] ?? '', offset, ctx) : null;
    if (!payload) throw new NewsdeskError('EXPIRED');
    await reply(interaction, ephemeral(payload));
    return { offset };
  },
};
