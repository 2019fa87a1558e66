// Rejects the calls it guards once it is tripped (a worker that died or was stopped), so no
// caller waits forever on a worker that will never answer. Promise.race against one promise
// that never settles did the same but kept every call's result alive: each race leaves a
// reaction on that promise holding its own resolved promise, about a megabyte per micrograph
// shown (a display or a detector map), for as long as the worker lived.

export interface Tripwire {
  /** `call`, unless the wire is tripped first: then the reason it was tripped. */
  guard<T>(call: Promise<T>): Promise<T>;
  /** Rejects every call guarded and not yet settled, and every one guarded from now on. */
  trip(why: Error): void;
}

export function createTripwire(): Tripwire {
  const waiting = new Set<(why: Error) => void>();
  let tripped: Error | undefined;
  return {
    guard<T>(call: Promise<T>): Promise<T> {
      if (tripped) {
        call.catch(() => {}); // its outcome no longer matters
        return Promise.reject(tripped);
      }
      return new Promise<T>((resolve, reject) => {
        waiting.add(reject);
        call.then(resolve, reject).finally(() => waiting.delete(reject));
      });
    },
    trip(why: Error) {
      if (tripped) return;
      tripped = why;
      for (const reject of waiting) reject(why);
      waiting.clear();
    },
  };
}
