import { describe, expect, it } from 'vitest';
import type { RepliableInteraction } from 'discord.js';
import { afterPendingAcks, deferReply } from '../../src/bot/delivery.js';

/** An interaction of `client` whose defer completes when the test says so. */
function slowDefer(client: object) {
  let done!: () => void;
  const interaction = { client, deferReply: () => new Promise<void>((resolve) => (done = resolve)) } as unknown as RepliableInteraction;
  return { interaction, done: () => done() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('afterPendingAcks', () => {
  it('holds answering back until every defer in flight has reached Discord', async () => {
    const client = {};
    const a = slowDefer(client);
    const b = slowDefer(client);
    const deferring = [deferReply(a.interaction), deferReply(b.interaction)];
    let answered = false;
    const answering = afterPendingAcks(a.interaction).then(() => (answered = true));
    a.done();
    await deferring[0];
    await settle();
    expect(answered).toBe(false);
    b.done();
    await Promise.all([...deferring, answering]);
    expect(answered).toBe(true);
  });

  it('goes on at once when nothing is in flight', async () => {
    let answered = false;
    await afterPendingAcks(slowDefer({}).interaction).then(() => (answered = true));
    expect(answered).toBe(true);
  });

  it("does not wait for another bot's defers in the same process", async () => {
    const other = slowDefer({});
    const deferring = deferReply(other.interaction);
    let answered = false;
    const answering = afterPendingAcks(slowDefer({}).interaction).then(() => (answered = true));
    await settle();
    expect(answered).toBe(true);
    other.done();
    await Promise.all([deferring, answering]);
  });
});
