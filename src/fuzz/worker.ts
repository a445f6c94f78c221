/**
 * A fuzzing worker thread (`bpfvm fuzz --workers K`): runs its slice of the campaign and posts progress,
 * findings and its final tally on the port it was given.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { runSlice, type LoopOptions, type Slice } from './campaign.js';

export interface WorkerData {
  slice: Slice;
  opts: Omit<LoopOptions, 'onProgress' | 'onFinding' | 'deadline'> & { deadlineEpoch?: number };
  port: MessagePort;
}

export type WorkerMessage =
  | { type: 'progress'; tally: import('./campaign.js').Tally }
  | { type: 'finding'; finding: import('./campaign.js').Finding }
  | { type: 'done'; tally: import('./campaign.js').Tally }
  | { type: 'error'; message: string };

const data = workerData as WorkerData;
const post = (m: WorkerMessage) => data.port.postMessage(m);
try {
  // performance.now() differs between threads: the deadline comes as wall-clock time
  const deadline = data.opts.deadlineEpoch === undefined ? undefined : performance.now() + (data.opts.deadlineEpoch - Date.now());
  const tally = runSlice(data.slice, {
    ...data.opts,
    ...(deadline !== undefined && { deadline }),
    onProgress: (tally) => post({ type: 'progress', tally }),
    onFinding: (finding) => post({ type: 'finding', finding }),
  });
  post({ type: 'done', tally });
} catch (e) {
  post({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}
data.port.close();
