/**
 * Runs the synthesized Lambda asset in a child node process, one per execution environment, and
 * invokes it the way Lambda does: one event at a time, with a context, stdout captured line by line.
 * The process can be SIGKILLed mid-invocation (a crash, an out-of-memory kill, a timeout).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const CHILD = path.join(__dirname, 'lambda-runtime-child.cjs');
const END_MARKER = '__image_guard_e2e_invocation_end__';

export type Json = Record<string, unknown>;

export interface InvocationError {
  name: string;
  message: string;
  code?: string;
  phase?: 'init';
}

export type Invocation = { ok: true; result: unknown } | { ok: false; error: InvocationError };

export interface LambdaProcessOptions {
  handlerFile: string;
  handlerExport: string;
  /** The whole environment of the process (nothing is inherited from the test process). */
  env: Record<string, string>;
  timeoutMs: number;
}

interface Pending {
  id: number;
  settled?: Invocation;
  ended: boolean;
  resolve(result: Invocation): void;
  reject(error: Error): void;
}

export class LambdaProcess {
  /** Every JSON line the process wrote to stdout (audit records, EMF metrics), in order. */
  readonly lines: Json[] = [];
  /** Non-JSON stdout and all stderr, for failure messages. */
  readonly otherOutput: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private partial = '';

  private constructor(options: LambdaProcessOptions) {
    this.child = fork(CHILD, [options.handlerFile, options.handlerExport, String(options.timeoutMs)], {
      env: options.env,
      execPath: process.execPath,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.otherOutput.push(chunk));
    this.child.on(
      'message',
      (m: { type: string; id?: number; result?: unknown; error?: InvocationError }) => {
        const p = this.pending;
        if (!p || m.id !== p.id) return;
        p.settled = m.type === 'result' ? { ok: true, result: m.result } : { ok: false, error: m.error! };
        this.settle();
      },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    void this.exited.then(() => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`the Lambda process exited during invocation ${p.id}`));
    });
  }

  /** Starts an execution environment and waits for its init phase (an init error is kept for invocations). */
  static async start(options: LambdaProcessOptions): Promise<LambdaProcess> {
    const lp = new LambdaProcess(options);
    await new Promise<void>((resolve, reject) => {
      lp.child.once('message', () => resolve());
      lp.child.once('exit', (code) =>
        reject(new Error(`the Lambda process exited at init (${code}): ${lp.output()}`)),
      );
    });
    return lp;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Invokes the handler with `event`; invocations queue, as one environment runs one at a time. */
  invoke(event: unknown): Promise<Invocation> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** SIGKILL, as Lambda ends an environment that crashed or timed out; an invocation under way rejects. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Ends the environment (Lambda's shutdown). */
  stop(): Promise<void> {
    return this.kill();
  }

  /** Audit records of one type (`image-guard.decision`, `image-guard.ignored`). */
  records(type: string): Json[] {
    return this.lines.filter((l) => l.type === type);
  }

  /** Sum of an embedded-metric-format metric over every EMF line written. */
  metric(name: string): number {
    return this.lines
      .filter((l) => typeof l._aws === 'object' && typeof l[name] === 'number')
      .reduce((sum, l) => sum + (l[name] as number), 0);
  }

  output(): string {
    return this.otherOutput.join('').slice(-4000);
  }

  private invokeNow(event: unknown): Promise<Invocation> {
    const id = this.nextId++;
    return new Promise<Invocation>((resolve, reject) => {
      this.pending = { id, ended: false, resolve, reject };
      // Lambda hands the handler a freshly parsed JSON document.
      this.child.send({ type: 'invoke', id, event: JSON.stringify(event) });
    });
  }

  /** An invocation is over when its answer came AND its end marker was read (all its lines are in). */
  private settle(): void {
    const p = this.pending;
    if (p?.settled && p.ended) {
      this.pending = undefined;
      p.resolve(p.settled);
    }
  }

  private onStdout(chunk: string): void {
    this.partial += chunk;
    let newline: number;
    while ((newline = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, newline);
      this.partial = this.partial.slice(newline + 1);
      if (line.startsWith(END_MARKER)) {
        if (this.pending && Number(line.slice(END_MARKER.length + 1)) === this.pending.id) {
          this.pending.ended = true;
          this.settle();
        }
        continue;
      }
      const trimmed = line.trim();
      if (trimmed.startsWith('{')) {
        try {
          this.lines.push(JSON.parse(trimmed) as Json);
          continue;
        } catch {
          // not JSON after all: kept as other output
        }
      }
      if (trimmed) this.otherOutput.push(`${line}\n`);
    }
  }
}
