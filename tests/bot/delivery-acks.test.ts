import { describe, expect, it } from 'vitest';
import type { RepliableInteraction } from 'discord.js';
import { afterPendingAcks, deferReply } from '../../src/bot/delivery.js';

/** An interaction whose defer completes when the test says so. */
function slowDefer() {
  let done!: () => void;
  const interaction = { deferReply: () => new Promise<void>((resolve) => (done = resolve)) } as unknown as RepliableInteraction;
  return { interaction, done: () => done() };
}

describe('afterPendingAcks', () => {
  it('holds answering back until every defer in flight has reached Discord', async () => {
    const a = slowDefer();
    const b = slowDefer();
    const deferring = [deferReply(a.interaction), deferReply(b.interaction)];
    let answered = false;
    const answering = afterPendingAcks().then(() => (answered = true));
    a.done();
    await deferring[0];
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    b.done();
    await Promise.all([...deferring, answering]);
    expect(answered).toBe(true);
  });

  it('goes on at once when nothing is in flight', async () => {
    let answered = false;
    await afterPendingAcks().then(() => (answered = true));
    expect(answered).toBe(true);
  });
});
