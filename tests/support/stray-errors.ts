/**
 * Child process for tests/cli/lifecycle.test.ts: loads the library that installs rethrowing
 * handlers, claims the process's error handlers, then throws and rejects where nobody catches.
 * Prints one line per log entry, then "alive" if the process survived all of it.
 */
import '@energetic-ai/embeddings';
import { claimProcessErrors } from '../../src/cli/lifecycle.js';

const print = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
if (process.argv[2] !== 'unguarded') claimProcessErrors(print);

void Promise.reject(new Error('stray rejection'));
setTimeout(() => {
  throw new Error('thrown in a timer');
}, 10);
setTimeout(() => {
  // A library that installs a rethrowing handler later, as a worker or a lazy import would.
  process.on('unhandledRejection', (reason) => {
    throw reason;
  });
  setTimeout(() => void Promise.reject(new Error('after a late handler')), 10);
}, 30);
setTimeout(() => print({ alive: true }), 100);
