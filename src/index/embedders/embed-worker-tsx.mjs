// Runs embed-worker.ts in a worker thread when the sources run as TypeScript (tsx, vitest): a
// worker does not inherit the parent's loader hooks, so it registers tsx itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const worker = await import(workerData.entry);
export default worker.default;
