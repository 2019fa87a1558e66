// "Only the latest request matters": a runner for repick requests that keeps at most one
// call in flight and one waiting. A newer request replaces the waiting one (and asks the
// in-flight one to cancel); results of superseded requests are never delivered.

export interface LatestOnlyRunner<A, R> {
  /** Resolves with the result, or with undefined when a newer request superseded this one. */
  request(arg: A): Promise<R | undefined>;
  /** Requests issued so far (the last one's number). */
  readonly issued: number;
  /** Marks the requests numbered up to `upTo` (default: all issued so far) cancelled: see wasCancelled. */
  cancelIssued(upTo?: number): void;
  /** Whether a request was cancelled by cancelIssued: a run not started yet should not start. */
  wasCancelled(seq: number): boolean;
}

export function latestOnly<A, R>(run: (arg: A, seq: number) => Promise<R>, cancel?: (seq: number) => void): LatestOnlyRunner<A, R> {
  let seq = 0;
  let cancelledUpTo = 0;
  let inFlight: number | undefined;
  let waiting: { arg: A; seq: number; resolve: (r: R | undefined) => void; reject: (e: unknown) => void } | undefined;

  const start = (arg: A, mySeq: number, resolve: (r: R | undefined) => void, reject: (e: unknown) => void): void => {
    inFlight = mySeq;
    run(arg, mySeq).then(
      (r) => finish(() => resolve(mySeq === seq ? r : undefined)),
      (e) => finish(() => (mySeq === seq ? reject(e) : resolve(undefined))),
    );
  };
  const finish = (deliver: () => void): void => {
    inFlight = undefined;
    deliver();
    const next = waiting;
    waiting = undefined;
    if (next) start(next.arg, next.seq, next.resolve, next.reject);
  };

  return {
    get issued() {
      return seq;
    },
    cancelIssued(upTo = seq) {
      cancelledUpTo = Math.max(cancelledUpTo, upTo);
    },
    wasCancelled(n) {
      return n <= cancelledUpTo;
    },
    request(arg: A): Promise<R | undefined> {
      const mySeq = ++seq;
      return new Promise<R | undefined>((resolve, reject) => {
        if (inFlight === undefined) {
          start(arg, mySeq, resolve, reject);
          return;
        }
        waiting?.resolve(undefined);
        waiting = { arg, seq: mySeq, resolve, reject };
        cancel?.(inFlight);
      });
    },
  };
}
