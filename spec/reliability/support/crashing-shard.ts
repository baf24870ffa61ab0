import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

// The host's handle on spec/reliability/fixtures/crashing-shard.js (see its header).

export interface CrashingShardData {
  readonly prefix: string;
  readonly cycle: number;
  readonly burst: number;
  /** Reaches after which it dies mid-burst. */
  readonly crashAt: number;
  /** How it dies: an uncaught error, process.exit(3), or blocked until the host terminates it. */
  readonly how: 'throw' | 'exit' | 'block';
}

export class CrashingShard {
  readonly worker: Worker;
  /** Resolves with its shard number once attached. */
  readonly ready: Promise<number>;
  /** Resolves with the exit code once the thread is gone. */
  readonly exited: Promise<number>;
  /** The uncaught error the thread died of, if it died of one. */
  error: Error | undefined;

  constructor(data: CrashingShardData) {
    this.worker = new Worker(join(__dirname, '..', 'fixtures', 'crashing-shard.js'), { workerData: data });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (msg: { ready?: number }) => {
        if (typeof msg.ready === 'number') resolve(msg.ready);
      });
      void this.exited.then((code) => reject(new Error(`crashing-shard exited with code ${code} before it was ready`)));
    });
    this.ready.catch(() => undefined);
    // Its crash is the point: an 'error' event without a listener would crash the host too.
    this.worker.on('error', (err) => (this.error = err));
  }

  /** Starts the bursts (and so, with crashAt, the crash). */
  go(): void {
    this.worker.postMessage('go');
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}
