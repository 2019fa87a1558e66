// One tab edits a session at a time. The session lives in this origin's IndexedDB, which every
// tab shares: two tabs editing it would each save over the other's work. The first tab takes
// a Web Lock for as long as it lives and edits; a tab that finds the lock taken only looks (it
// follows what the editing tab saves) until the user takes the session over, which asks the
// editing tab to save and let go. Messages travel on a BroadcastChannel.

const LOCK_NAME = 'drpnet-workbench-session';
const CHANNEL_NAME = 'drpnet-workbench-session';

export type TabMessage = { type: 'takeover' } | { type: 'saved' };

interface LockManagerLike {
  request(name: string, opts: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<void> | undefined): Promise<unknown>;
}

function locks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(CHANNEL_NAME);
let release: (() => void) | undefined;

function hold(resolve: (owner: boolean) => void): (lock: unknown) => Promise<void> | undefined {
  return (lock) => {
    if (!lock) {
      resolve(false);
      return undefined;
    }
    resolve(true);
    return new Promise<void>((r) => (release = r));
  };
}

/** Whether one tab at a time edits (Web Locks exist); without them every tab edits. */
export function sessionLocksWork(): boolean {
  return !!locks();
}

/** Takes the session for this tab when no other tab has it; true when this tab may edit. */
export function claimSession(): Promise<boolean> {
  const lm = locks();
  if (!lm) return Promise.resolve(true); // no Web Locks (an insecure origin): every tab edits, as before
  return new Promise((resolve) => void lm.request(LOCK_NAME, { ifAvailable: true }, hold(resolve)));
}

/** Lets the session go (after saving), so another tab can take it. */
export function releaseSession(): void {
  release?.();
  release = undefined;
}

/** Asks the editing tab to let go; resolves when this tab could take the session. */
export function waitForSession(): Promise<void> {
  const lm = locks();
  channel?.postMessage({ type: 'takeover' } satisfies TabMessage);
  if (!lm) return Promise.resolve();
  return new Promise(
    (resolve) =>
      void lm.request(LOCK_NAME, {}, async () => {
        resolve();
        // Held until the page reloads and claims it again.
        await new Promise<void>((r) => (release = r));
      }),
  );
}

export function announce(message: TabMessage): void {
  channel?.postMessage(message);
}

export function onTabMessage(cb: (m: TabMessage) => void): void {
  channel?.addEventListener('message', (e: MessageEvent<TabMessage>) => cb(e.data));
}
