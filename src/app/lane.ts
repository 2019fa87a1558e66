// One worker does one heavy thing at a time: a lane runs tasks one after another, the most
// urgent waiting task first (lower number = more urgent; equal urgency in arrival order).
// The viewer's current micrograph (priority 0) thus overtakes queued batch work (1) and
// background thumbnails (2) without interrupting the task already running.

export const PRIORITY = { interactive: 0, batch: 1, background: 2 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

interface Waiting {
  priority: number;
  order: number;
  start: () => void;
}

export class Lane {
  private waiting: Waiting[] = [];
  private running = false;
  private arrivals = 0;

  /** Tasks running or waiting. */
  get load(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  get idle(): boolean {
    return this.load === 0;
  }

  run<T>(priority: number, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running = true;
        let result: Promise<T>;
        try {
          result = task();
        } catch (e) {
          result = Promise.reject(e);
        }
        result.then(resolve, reject).finally(() => this.next());
      };
      this.waiting.push({ priority, order: this.arrivals++, start });
      if (!this.running) this.next();
    });
  }

  private next(): void {
    this.running = false;
    if (!this.waiting.length) return;
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const b = this.waiting[best];
      if (w.priority < b.priority || (w.priority === b.priority && w.order < b.order)) best = i;
    }
    const [task] = this.waiting.splice(best, 1);
    task.start();
  }
}
