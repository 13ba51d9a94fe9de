import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  Partials,
  Routes,
  type ClientEvents,
  type ClientOptions,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shardOf, startFakeDiscord, type FakeDiscord } from './fake-discord.js';

const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

let fake: FakeDiscord;
const clients: Client[] = [];

async function connect(options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({ intents: INTENTS, partials: [Partials.Channel], rest: fake.restOptions, ...options });
  clients.push(client);
  await fake.login(client);
  return client;
}

/** The next `event` from the client whose arguments pass `filter`, or a rejection after timeoutMs. */
function next<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 2000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

/** Logs a client in, dispatches `/name` with `options`, and returns it as the bot receives it. */
async function receiveSlash(name = 'ask', options: Record<string, string | number | boolean> = { question: 'q' }) {
  const client = await connect();
  const received = next(client, 'interactionCreate');
  const handle = fake.slashCommand(name, options);
  const [interaction] = await received;
  if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
  return { client, handle, interaction };
}

beforeEach(async () => {
  fake = await startFakeDiscord();
});

afterEach(async () => {
  // Destroy clients first: a client left connected would otherwise try to reconnect.
  for (const client of clients.splice(0)) await client.destroy();
  await fake.close();
});

describe('login', () => {
  it('a real discord.js client logs in and becomes ready with the bot user, guild and text channel', async () => {
    const client = await connect();

    expect(client.isReady()).toBe(true);
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.user?.bot).toBe(true);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.members.cache.has(fake.botUser.id)).toBe(true);
    const channel = client.channels.cache.get(fake.channelId);
    expect(channel?.type).toBe(ChannelType.GuildText);
    for (const id of [fake.applicationId, fake.guildId, fake.channelId, fake.user.id, fake.snowflake()]) {
      expect(id).toMatch(/^\d{17,19}$/);
    }

    expect(fake.identifyPayload?.intents).toBe(client.options.intents.bitfield);
    const gateway = await fake.waitForCall({ method: 'GET', path: '/api/v10/gateway/bot' });
    expect(gateway.headers.authorization).toBe(`Bot ${fake.token}`);
    expect(gateway.response.url).toBe(`ws://127.0.0.1:${fake.port}`);
  });

  it('heartbeats are acknowledged (op 1 -> op 11) and update the client ping', async () => {
    await fake.close();
    fake = await startFakeDiscord({ heartbeatIntervalMs: 30 });
    const client = await connect();
    const deadline = Date.now() + 2000;
    while (client.ws.ping === -1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
    expect(fake.gatewayFrames.some((f) => f.op === 1)).toBe(true);
  });

  it('op 7 RECONNECT makes the client RESUME and a message dispatched while it was away is replayed', async () => {
    const client = await connect();
    const resumed = next(client, 'shardResume', () => true, 3000);
    const received = next(client, 'messageCreate', (m) => m.content === 'sent while reconnecting', 3000);
    fake.requestReconnect();
    const deadline = Date.now() + 1000;
    while (fake.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(fake.connected).toBe(false);
    fake.message('sent while reconnecting'); // queued, replayed after RESUME
    await resumed;
    const [message] = await received;
    expect(message.channelId).toBe(fake.channelId);
    expect(fake.gatewayFrames.filter((f) => f.op === 2)).toHaveLength(1); // identified once
    const ready = fake.dispatched.find((d) => d.t === 'READY');
    expect(fake.gatewayFrames.find((f) => f.op === 6)?.d.session_id).toBe(ready?.d.session_id);
    expect(fake.connected).toBe(true);
  });

  it('close() with a client still connected stops that client instead of leaving it reconnecting', async () => {
    const client = await connect();
    const disconnected = next(client, 'shardDisconnect');
    await fake.close();
    const [event] = await disconnected;
    expect(event.code).toBe(4004);
  });
});

describe('application commands', () => {
  it('PUT global and guild commands return them with ids, and slash options then use the registered types', async () => {
    const client = await connect();
    const global = await client.application!.commands.set([
      {
        name: 'ask',
        description: 'Ask the newsdesk',
        options: [
          { name: 'question', description: 'Your question', type: 3, required: true },
          { name: 'min_score', description: 'Minimum score', type: 10 },
        ],
      },
    ]);
    const put = await fake.waitForCall({ method: 'PUT', path: `/api/v10/applications/${fake.applicationId}/commands` });
    expect(put.body).toEqual([
      {
        name: 'ask',
        description: 'Ask the newsdesk',
        options: [
          { name: 'question', description: 'Your question', type: 3, required: true },
          { name: 'min_score', description: 'Minimum score', type: 10, required: false },
        ],
      },
    ]);
    expect(global.first()?.id).toMatch(/^\d{17,19}$/);
    expect(fake.commands.global[0]?.name).toBe('ask');

    const guild = client.guilds.cache.get(fake.guildId)!;
    const guildCommands = await guild.commands.set([{ name: 'sources', description: 'List sources' }]);
    await fake.waitForCall({ method: 'PUT', path: `/api/v10/applications/${fake.applicationId}/guilds/${fake.guildId}/commands` });
    expect(guildCommands.first()?.guildId).toBe(fake.guildId);

    const received = next(client, 'interactionCreate');
    fake.slashCommand('ask', { question: 'Who won?', min_score: 2 });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandId).toBe(global.first()?.id);
    expect(interaction.options.getNumber('min_score')).toBe(2); // type 10 from the registration, not 4
  });
});

describe('interactions', () => {
  it('a slash command arrives as a ChatInputCommandInteraction with its option values, user, guild and channel', async () => {
    const client = await connect();
    const received = next(client, 'interactionCreate');
    const handle = fake.slashCommand('ask', { question: 'What happened at the council?', limit: 3, verbose: true });
    const [interaction] = await received;

    expect(interaction.isChatInputCommand()).toBe(true);
    if (!interaction.isChatInputCommand()) return;
    expect(interaction.id).toBe(handle.id);
    expect(interaction.token).toBe(handle.token);
    expect(interaction.commandName).toBe('ask');
    expect(interaction.options.getString('question', true)).toBe('What happened at the council?');
    expect(interaction.options.getInteger('limit')).toBe(3);
    expect(interaction.options.getBoolean('verbose')).toBe(true);
    expect(interaction.user.id).toBe(fake.user.id);
    expect(interaction.guildId).toBe(fake.guildId);
    expect(interaction.channelId).toBe(fake.channelId);
    expect(interaction.channel?.id).toBe(fake.channelId);
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.memberPermissions?.has('SendMessages')).toBe(true);
    expect(interaction.memberPermissions?.has('ManageGuild')).toBe(false);
    expect(interaction.appPermissions.has('SendMessages')).toBe(true);
    expect(interaction.locale).toBe('en-US');
  });

  it('deferReply() then editReply() produce exactly the type 5 callback body and the PATCH @original body', async () => {
    const { handle, interaction } = await receiveSlash();

    await interaction.deferReply();
    const reply = await interaction.editReply({ content: 'The council voted 5-2.', allowedMentions: { parse: [] } });

    const callback = await handle.waitForCallback();
    expect(callback.path).toBe(`/api/v10/interactions/${handle.id}/${handle.token}/callback`);
    expect(callback.query).toEqual({ with_response: 'false' });
    expect(callback.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(callback.headers.authorization).toBeUndefined();
    expect(callback.status).toBe(204);

    const edit = await fake.waitForCall(
      (c) => c.path === `/api/v10/webhooks/${fake.applicationId}/${handle.token}/messages/@original` && c.method === 'PATCH',
    );
    expect(edit).toBe(await handle.waitForEdit());
    expect(edit.body).toEqual({
      content: 'The council voted 5-2.',
      tts: false,
      enforce_nonce: false,
      allowed_mentions: { parse: [] },
    });
    expect(edit.status).toBe(200);
    expect(reply.content).toBe('The council voted 5-2.');
    expect(reply.author.id).toBe(fake.botUser.id);
    expect(reply.channelId).toBe(fake.channelId);
    expect(handle.original()?.content).toBe('The council voted 5-2.');
    expect(handle.original()?.flags).toBe(0); // the Loading flag is cleared by the first edit
    expect(handle.calls().map((c) => c.method)).toEqual(['POST', 'PATCH']);
  });

  it('reply(), followUp() and deleteReply() hit the callback, webhook and @original routes', async () => {
    const { handle, interaction } = await receiveSlash();

    await interaction.reply({ content: 'Searching…', flags: 'Ephemeral' });
    const followUp = await interaction.followUp({ content: 'More sources.' });
    await interaction.deleteReply();

    expect((await handle.waitForCallback()).body).toEqual({
      type: 4,
      data: { content: 'Searching…', tts: false, enforce_nonce: false, flags: 64 },
    });
    const post = await handle.waitForFollowUp();
    expect(post.query).toEqual({ wait: 'true' });
    expect(post.body).toEqual({ content: 'More sources.', tts: false, enforce_nonce: false });
    expect(followUp.content).toBe('More sources.');
    const del = await fake.waitForCall({ method: 'DELETE', path: handle.originalPath });
    expect(del.status).toBe(204);
    expect(handle.original()).toBeUndefined();
  });

  it('a button click arrives with its customId and message, and update() sends a type 7 body', async () => {
    const client = await connect();
    const first = next(client, 'interactionCreate');
    const command = fake.slashCommand('ask', { question: 'q' });
    const [slash] = await first;
    if (!slash.isChatInputCommand()) throw new Error('expected a chat input command');
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('more:1').setLabel('More').setStyle(ButtonStyle.Primary),
    );
    await slash.reply({ content: 'Answer', components: [row] });
    const original = command.original();
    if (!original) throw new Error('no original message');

    const clicked = next(client, 'interactionCreate');
    const click = fake.button('more:1', original);
    const [interaction] = await clicked;
    expect(interaction.isButton()).toBe(true);
    if (!interaction.isButton()) return;
    expect(interaction.customId).toBe('more:1');
    expect(interaction.message.id).toBe(original.id);
    expect(interaction.message.content).toBe('Answer');

    await interaction.update({ content: 'Answer, expanded', components: [] });
    const callback = await click.waitForCallback();
    expect(callback.body).toEqual({
      type: 7,
      data: { content: 'Answer, expanded', tts: false, enforce_nonce: false, components: [] },
    });
    expect(fake.getMessage(original.id)?.content).toBe('Answer, expanded');
    expect(click.original()?.id).toBe(original.id);
  });

  it('autocomplete arrives with the focused option and respond() sends a type 8 body', async () => {
    const client = await connect();
    const received = next(client, 'interactionCreate');
    const handle = fake.autocomplete('ask', { topic: 'elec', question: 'x' }, { focused: 'topic' });
    const [interaction] = await received;
    expect(interaction.isAutocomplete()).toBe(true);
    if (!interaction.isAutocomplete()) return;
    expect(interaction.commandName).toBe('ask');
    expect(interaction.options.getFocused(true)).toEqual({ name: 'topic', type: 3, value: 'elec', focused: true });

    await interaction.respond([{ name: 'Elections', value: 'elections' }]);
    expect((await handle.waitForCallback()).body).toEqual({
      type: 8,
      data: { choices: [{ name: 'Elections', value: 'elections' }] },
    });
  });

  it('a modal submit arrives with its text input values', async () => {
    const client = await connect();
    const received = next(client, 'interactionCreate');
    fake.modalSubmit('feedback', { comment: 'Great answer' });
    const [interaction] = await received;
    if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
    expect(interaction.customId).toBe('feedback');
    expect(interaction.fields.getTextInputValue('comment')).toBe('Great answer');
  });

  it('a slash command in a DM arrives with user and no guild or member', async () => {
    const client = await connect();
    const received = next(client, 'interactionCreate');
    fake.slashCommand('ask', { question: 'q' }, { dm: true });
    const [interaction] = await received;
    expect(interaction.inGuild()).toBe(false);
    expect(interaction.guildId).toBeNull();
    expect(interaction.member).toBeNull();
    expect(interaction.user.id).toBe(fake.user.id);
    expect(interaction.channel?.type).toBe(ChannelType.DM);
  });

  it('files attached to editReply() arrive as multipart: payload_json is the body and the file is recorded', async () => {
    const { handle, interaction } = await receiveSlash();
    await interaction.deferReply();
    const reply = await interaction.editReply({
      content: 'Sources attached',
      files: [{ attachment: Buffer.from('1. Example Gazette'), name: 'sources.txt' }],
    });

    const edit = await handle.waitForEdit();
    expect(String(edit.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(edit.body).toEqual({
      content: 'Sources attached',
      tts: false,
      enforce_nonce: false,
      attachments: [{ id: '0' }], // the file name travels in the multipart part
    });
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]?.filename).toBe('sources.txt');
    expect(edit.files[0]?.data.toString()).toBe('1. Example Gazette');
    expect(reply.attachments.first()?.name).toBe('sources.txt');
  });
});

describe('Discord behaviour the fake enforces', () => {
  it('acknowledging an interaction twice fails with 40060, as on Discord', async () => {
    const client = await connect();
    const handle = fake.slashCommand('ask', { question: 'q' });
    const body = { type: 4, data: { content: 'one' } };
    await client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body, auth: false });
    const second = client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body, auth: false });
    await expect(second).rejects.toMatchObject({ status: 400, code: 40060 });
  });

  it('content over 2000 characters is rejected with 50035 Invalid Form Body', async () => {
    const { interaction } = await receiveSlash();
    const error = await interaction.reply({ content: 'x'.repeat(2001) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ status: 400, code: 50035 });
  });

  it('editing @original before any response fails with 10008 Unknown Message', async () => {
    const client = await connect();
    const handle = fake.slashCommand('ask', { question: 'q' });
    const edit = client.rest.patch(Routes.webhookMessage(fake.applicationId, handle.token, '@original'), {
      body: { content: 'too early' },
      auth: false,
    });
    await expect(edit).rejects.toMatchObject({ status: 404, code: 10008 });
  });

  it('a one-off 429 with Retry-After is waited out and retried by discord.js', async () => {
    const client = await connect();
    const route = `/api/v10/channels/${fake.channelId}/messages`;
    fake.rateLimitNext({ method: 'POST', path: route }, 0.05);
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const started = Date.now();
    await channel.send('after the rate limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(fake.findCalls({ method: 'POST', path: route }).map((c) => c.status)).toEqual([429, 200]);
  });

  it('failNext() surfaces as a DiscordAPIError with the given code', async () => {
    const client = await connect();
    fake.failNext({ method: 'POST', route: `/channels/${fake.channelId}/messages` }, { status: 403, code: 50013, message: 'Missing Permissions' });
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await expect(channel.send('hello')).rejects.toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });
    await expect(channel.send('hello again')).resolves.toBeDefined();
  });

  it('a message sent with enforce_nonce and a nonce seen in the channel returns the first message instead of posting again', async () => {
    const client = await connect();
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const first = await channel.send({ content: 'once', nonce: '1234', enforceNonce: true });
    const again = await channel.send({ content: 'twice?', nonce: '1234', enforceNonce: true });
    const unenforced = await channel.send({ content: 'not enforced', nonce: '1234' });
    expect(again.id).toBe(first.id);
    expect(unenforced.id).not.toBe(first.id);
    expect(fake.messagesIn(fake.channelId).map((m) => m.content)).toEqual(['once', 'not enforced']);
  });

  it('failAfterApplyNext() applies the request, then answers the failure; dropSocketNext() answers nothing (UND_ERR_SOCKET)', async () => {
    const client = await connect();
    const route = `/channels/${fake.channelId}/messages`;
    fake.failAfterApplyNext({ method: 'POST', route }, { status: 400, code: 50035 });
    await expect(client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'applied' } })).rejects.toMatchObject({ status: 400 });
    fake.dropSocketNext({ method: 'POST', route });
    await expect(client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'dropped' } })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    fake.dropSocketNext({ method: 'POST', route }, { applied: true });
    await expect(client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'dropped, applied' } })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(fake.messagesIn(fake.channelId).map((m) => m.content)).toEqual(['applied', 'dropped, applied']);
    expect(fake.findCalls({ method: 'POST', route }).map((c) => c.status)).toEqual([400, 0, 0]);
  });

  it('unknown routes answer a 404 JSON and are recorded', async () => {
    const client = await connect();
    await expect(client.rest.get('/no/such/route' as `/${string}`)).rejects.toMatchObject({ status: 404 });
    const call = await fake.waitForCall({ path: '/api/v10/no/such/route' });
    expect(call.status).toBe(404);
    expect(call.response).toEqual({ message: '404: Not Found', code: 0 });
  });

  it('waitForCall() rejects after its timeout, listing the calls it saw', async () => {
    await connect();
    await expect(fake.waitForCall({ method: 'DELETE' }, 30)).rejects.toThrow(/no matching call within 30 ms[\s\S]*GET \/api\/v10\/gateway\/bot/);
  });
});

describe('messages and threads', () => {
  it('a message mentioning the bot arrives with mentions.has(client.user), and reply() posts with message_reference', async () => {
    const client = await connect();
    const received = next(client, 'messageCreate', (m) => m.author.id !== client.user?.id);
    const sent = fake.message('what is new?', { mentionsBot: true });
    const [message] = await received;

    expect(message.id).toBe(sent.id);
    expect(message.content).toBe(`<@${fake.botUser.id}> what is new?`);
    expect(message.mentions.has(client.user!)).toBe(true);
    expect(message.author.id).toBe(fake.user.id);
    expect(message.guildId).toBe(fake.guildId);
    expect(message.member?.id).toBe(fake.user.id);

    const reply = await message.reply('Here is the news.');
    const call = await fake.waitForReplyTo(message.id);
    expect(call.path).toBe(`/api/v10/channels/${fake.channelId}/messages`);
    expect(call.body).toEqual({
      content: 'Here is the news.',
      tts: false,
      enforce_nonce: false,
      message_reference: { message_id: message.id, fail_if_not_exists: true },
    });
    expect(reply.reference?.messageId).toBe(message.id);
    expect(reply.author.id).toBe(fake.botUser.id);
  });

  it("the bot's own messages come back as messageCreate from the bot, as on Discord", async () => {
    const client = await connect();
    const echoed = next(client, 'messageCreate', (m) => m.author.id === client.user?.id);
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send('bulletin');
    const [echo] = await echoed;
    expect(echo.id).toBe(sent.id);
    expect(echo.author.bot).toBe(true);
  });

  it('a message without a mention does not mention the bot; a reply to the bot does (replied user ping)', async () => {
    const client = await connect();
    const plain = next(client, 'messageCreate', (m) => m.content === 'just chatting');
    fake.message('just chatting');
    expect((await plain)[0].mentions.has(client.user!)).toBe(false);

    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const botMessage = await channel.send('Answer');
    const replied = next(client, 'messageCreate', (m) => m.content === 'tell me more');
    fake.message('tell me more', { referencedMessage: botMessage.id });
    const [reply] = await replied;
    expect(reply.reference?.messageId).toBe(botMessage.id);
    expect(reply.mentions.repliedUser?.id).toBe(fake.botUser.id);
    expect(reply.mentions.has(client.user!)).toBe(true);
    expect(reply.mentions.has(client.user!, { ignoreRepliedUser: true })).toBe(false);
  });

  it('a DM arrives on a partial DM channel and reply() posts to that DM channel', async () => {
    const client = await connect();
    const received = next(client, 'messageCreate', (m) => m.author.id === fake.user.id);
    const sent = fake.message('hello in private', { dm: true });
    const [message] = await received;
    expect(message.guildId).toBeNull();
    expect(message.channel.type).toBe(ChannelType.DM);
    expect(message.channel.isDMBased()).toBe(true);
    expect(message.content).toBe('hello in private');
    expect(message.channelId).toBe(sent.channel_id);

    await message.reply('hello back');
    const call = await fake.waitForReplyTo(message.id);
    expect(call.path).toBe(`/api/v10/channels/${sent.channel_id}/messages`);
  });

  it('without Partials.Channel a DM never reaches messageCreate', async () => {
    const client = await connect({ partials: [] });
    const got: string[] = [];
    client.on('messageCreate', (m) => got.push(m.content));
    fake.message('dropped dm', { dm: true });
    const guildMessage = next(client, 'messageCreate', (m) => m.content === 'guild message');
    fake.message('guild message');
    await guildMessage;
    expect(got).toEqual(['guild message']);
  });

  it('without the MessageContent intent, guild content is blank unless the bot is mentioned', async () => {
    const client = await connect({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
    const plain = next(client, 'messageCreate', (m) => m.author.id === fake.user.id);
    fake.message('secret words');
    expect((await plain)[0].content).toBe('');
    const mention = next(client, 'messageCreate', (m) => m.author.id === fake.user.id);
    fake.message('visible words', { mentionsBot: true });
    expect((await mention)[0].content).toBe(`<@${fake.botUser.id}> visible words`);
  });

  it('message.startThread() records the thread POST; the thread is owned by the bot and has the message id', async () => {
    const client = await connect();
    const received = next(client, 'messageCreate', (m) => m.author.id === fake.user.id);
    fake.message('start a thread', { mentionsBot: true });
    const [message] = await received;

    const thread = await message.startThread({ name: 'Council vote' });
    const call = await fake.waitForCall({
      method: 'POST',
      path: `/api/v10/channels/${fake.channelId}/messages/${message.id}/threads`,
    });
    expect(call.body).toEqual({ name: 'Council vote', type: ChannelType.PublicThread });
    expect(thread.id).toBe(message.id);
    expect(thread.ownerId).toBe(client.user?.id);
    expect(thread.parentId).toBe(fake.channelId);
    expect(fake.channel(thread.id)?.owner_id).toBe(fake.botUser.id);

    await thread.send('First post in the thread');
    await fake.waitForMessageIn(thread.id);
  });

  it('channel.threads.create() records POST /channels/:id/threads', async () => {
    const client = await connect();
    const channel = client.channels.cache.get(fake.channelId);
    if (channel?.type !== ChannelType.GuildText) throw new Error('expected a text channel');
    const thread = await channel.threads.create({ name: 'Standalone', autoArchiveDuration: 60 });
    const call = await fake.waitForCall({ method: 'POST', path: `/api/v10/channels/${fake.channelId}/threads` });
    expect(call.body).toEqual({ name: 'Standalone', auto_archive_duration: 60, type: ChannelType.PublicThread });
    expect(thread.type).toBe(ChannelType.PublicThread);
  });

  it('a user reply in a thread the bot started arrives with the thread as channel', async () => {
    const client = await connect();
    const threadCreated = next(client, 'threadCreate');
    const thread = fake.createThread({ name: 'Flood coverage' });
    await threadCreated;

    const received = next(client, 'messageCreate', (m) => m.author.id === fake.user.id);
    fake.message('and the bridge?', { threadId: thread.id });
    const [message] = await received;
    expect(message.channelId).toBe(thread.id);
    expect(message.guildId).toBe(fake.guildId);
    const channel = message.channel;
    expect(channel.isThread()).toBe(true);
    if (!channel.isThread()) return;
    expect(channel.ownerId).toBe(client.user?.id);
    expect(channel.parentId).toBe(fake.channelId);
    expect(message.mentions.has(client.user!)).toBe(false);

    await message.reply('The bridge reopened.');
    const call = await fake.waitForReplyTo(message.id);
    expect(call.path).toBe(`/api/v10/channels/${thread.id}/messages`);
  });

  it('thread history can be fetched back with channel.messages.fetch()', async () => {
    const client = await connect();
    const thread = fake.createThread({ name: 'History' });
    const first = fake.message('first', { threadId: thread.id });
    const second = fake.message('second', { threadId: thread.id });
    await next(client, 'messageCreate', (m) => m.id === second.id);
    const channel = client.channels.cache.get(thread.id);
    if (!channel?.isTextBased()) throw new Error('thread not cached');
    const history = await channel.messages.fetch({ limit: 10, cache: false });
    expect([...history.keys()]).toEqual([second.id, first.id]);
  });
});

describe('sharded clients', () => {
  it("routes each guild's events to shard (guild_id >> 22) % num_shards and DMs to shard 0, as Discord does", async () => {
    const second = fake.addGuild({ onShard: [1, 2] });
    expect([shardOf(fake.guildId, 2), shardOf(second.guildId, 2)]).toEqual([0, 1]);
    const shard0 = await connect({ shards: 0, shardCount: 2 });
    const shard1 = await connect({ shards: 1, shardCount: 2 });
    const identified = fake.gatewayFrames.filter((f) => f.op === 2).map((f) => f.d.shard);
    expect(identified).toEqual([[0, 2], [1, 2]]);
    expect([[...shard0.guilds.cache.keys()], [...shard1.guilds.cache.keys()]]).toEqual([[fake.guildId], [second.guildId]]);

    const on0 = next(shard0, 'interactionCreate');
    const on1 = next(shard1, 'interactionCreate');
    const a = fake.slashCommand('ask', { question: 'a' });
    const b = fake.slashCommand('ask', { question: 'b' }, { guildId: second.guildId });
    expect([(await on0)[0].id, (await on1)[0].id]).toEqual([a.id, b.id]);
    expect((await on1)[0].channelId).toBe(second.channelId);

    const dm = next(shard0, 'messageCreate', (m) => m.author.id === fake.user.id);
    fake.message('hello', { dm: true });
    expect((await dm)[0].guildId).toBeNull();
  });
});
