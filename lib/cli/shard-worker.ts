// The script of each worker shard that `faultline serve` starts: join the group, then (with --demo) keep
// passing the demo points, until the main thread says stop.
import { parentPort, workerData } from 'node:worker_threads';
import { attachShard, injector } from '../index';
import { startDemoWorkload, type DemoWorkload } from './demo-workload';
import { STOP_MESSAGE, type ShardWorkerData } from './shard-worker-data';

async function main(): Promise<void> {
  const data = (workerData ?? { demo: false }) as ShardWorkerData;
  let workload: DemoWorkload | undefined;
  // Listening on the parent port keeps this thread (and so its shard) alive when it has nothing else to do:
  // a shard that exits is down, and `serve` without --demo has no other work here.
  parentPort?.on('message', (message: unknown) => {
    if (message !== STOP_MESSAGE) return;
    // Closed whatever stop() does: the main thread terminates a worker that does not exit in time anyway.
    void (workload?.stop() ?? Promise.resolve()).finally(() => parentPort?.close());
  });
  const shard = await attachShard();
  if (data.demo) {
    workload = startDemoWorkload(injector, {
      interval: data.demoInterval,
      // The worker's stderr is the process's: a bad parameter shows in serve's output like shard 0's.
      onError: (err, point) => process.stderr.write(`faultline serve: shard ${shard}: a pass of ${point} failed: ${err.message}\n`),
    });
  }
}

main().catch((err: unknown) => {
  // An uncaught rejection in a worker becomes its 'error' event on the main thread, which serve reports.
  throw err;
});
