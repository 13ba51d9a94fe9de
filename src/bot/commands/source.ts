import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import type { Document } from '../../index/types.js';
import type { BotContext, Command } from '../context.js';
import { intArg } from '../custom-id.js';
import { reply, update } from '../delivery.js';
import { cleanDocumentId } from '../options.js';
import { pageOf, paginate, renderDocument } from '../render.js';
import { ephemeral, safe } from '../reply.js';

function findDocument(ctx: BotContext, id: string): Document {
  const doc = ctx.engine.document(id);
  if (!doc) throw new NewsdeskError('UNKNOWN_DOCUMENT', `No document has the id "${id.slice(0, 40)}".`);
  return doc;
}

export const source: Command = {
  data: new SlashCommandBuilder()
    .setName('source')
    .setDescription('Show a whole document of the corpus')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((o) =>
      o.setName('id').setDescription('The document id shown in answers and /headlines').setRequired(true).setMaxLength(64),
    ),

  async execute(interaction, ctx) {
    const doc = findDocument(ctx, cleanDocumentId(interaction.options.getString('id', true)));
    await reply(interaction, safe(renderDocument(doc, { page: 0, ownerId: interaction.user.id })));
    return { document: doc.id };
  },

  /**
   * `source:show:<doc>:<start>:<end>`: the document behind a passage, opened at the passage (in
   * bold), only for whoever pressed. `source:page:<doc>:<page>:<owner>[:<start>:<end>]`: Prev/Next.
   */
  async component(interaction, ctx, id) {
    const [docId = '', a, b, c, d] = id.args;
    if (id.action === 'show') {
      const start = intArg(a);
      const end = intArg(b);
      const doc = findDocument(ctx, docId);
      const mark: [number, number] | undefined = start !== null && end !== null ? [start, end] : undefined;
      const page = mark ? pageOf(paginate(doc.text), mark[0]) : 0;
      await reply(interaction, ephemeral(renderDocument(doc, { page, ownerId: interaction.user.id, mark })));
      return { document: doc.id, page };
    }
    if (id.action === 'page') {
      const page = intArg(a);
      if (page === null || !b) throw new NewsdeskError('EXPIRED');
      if (b !== interaction.user.id) throw new NewsdeskError('NOT_OWNER');
      const doc = findDocument(ctx, docId);
      const start = intArg(c);
      const end = intArg(d);
      const mark: [number, number] | undefined = start !== null && end !== null ? [start, end] : undefined;
      await update(interaction, safe(renderDocument(doc, { page, ownerId: b, mark })));
      return { document: doc.id, page };
    }
    throw new NewsdeskError('EXPIRED');
  },
};
