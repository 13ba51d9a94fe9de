import { escapeMarkdown, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { NewsdeskError } from '../../errors.js';
import type { FeedStatus } from '../../feeds/poller.js';
import { reply } from '../delivery.js';
import type { Command } from '../context.js';
import { contentWithin } from '../render.js';
import { ephemeral } from '../reply.js';

export const NO_FEEDS = 'No feeds are configured. List feed URLs in FEEDS in .env (comma or newline separated) and restart the bot.';

/** Discord renders `<t:…:R>` as "3 minutes ago" in each reader's own language and time zone. */
const when = (ms: number | null) => (ms === null ? 'never' : `<t:${Math.floor(ms / 1000)}:R>`);

/** One block per feed: name and URL, last fetch, item counts, and the last error if it failed. */
export function feedsText(feeds: FeedStatus[], pollMinutes: number): string {
  if (feeds.length === 0) return NO_FEEDS;
  const blocks = feeds.map((feed, i) => {
    const name = feed.title ? `**${escapeMarkdown(feed.title)}** ` : '';
    const lines = [
      `${i + 1}. ${name}<${feed.url}>`,
      `   last fetch ${when(feed.lastFetch)} · ${feed.items} item(s) in the feed · ${feed.added} added in all`,
    ];
    if (feed.lastError) {
      lines.push(`   last error (${feed.failures} in a row, next try ${when(feed.nextFetch)}): ${escapeMarkdown(feed.lastError)}`);
    }
    return lines.join('\n');
  });
  return `Feeds, polled every ${pollMinutes} min:\n${blocks.join('\n')}`;
}

export const feeds: Command = {
  data: new SlashCommandBuilder()
    .setName('feeds')
    .setDescription('List the polled feeds: last fetch, item counts, last error (Manage Server only)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild),

  async execute(interaction, ctx) {
    // default_member_permissions hides the command, but server admins can override that: check again.
    if (!interaction.inGuild() || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      throw new NewsdeskError('FORBIDDEN');
    }
    const statuses = ctx.feeds?.status() ?? [];
    await reply(interaction, ephemeral({ content: contentWithin(feedsText(statuses, ctx.config.feeds.pollMinutes)), embeds: [], components: [] }));
    return { feeds: statuses.length, failing: statuses.filter((s) => s.lastError).length };
  },
};
