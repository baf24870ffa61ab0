// What `serve` and its worker shards (shard-worker.ts) tell each other. Kept apart from the worker script,
// which runs as soon as it is loaded and must never be imported by the main thread.

/** Passed as `workerData` to each worker shard. */
export interface ShardWorkerData {
  readonly demo: boolean;
  readonly demoInterval?: number;
}

/** Posted to a worker to end it: it stops its workload and lets its thread exit. */
export const STOP_MESSAGE = 'faultline:stop';
