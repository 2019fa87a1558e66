// The first start of the workbench.
import { claimSession, onTabMessage } from '../tab-lock';
import { useWorkbench } from '../store';
import { urlOptions } from '../url-options';
import { store } from './context';
import { startEngine } from './engine-lifecycle';
import { askUndecidedCoordinates, loadSamples } from './files';
import { restoreSession, startAutosave } from './session';
import { handOver, mirrorSavedSession, READ_ONLY_ELSEWHERE } from './two-tabs';
import { queueThumbnail, refreshDisplay, showCurrent } from './viewing';

let booting: Promise<void> | undefined;

/** First start: claim or watch the session, restore it (or load the demo data), start the engine. Idempotent. */
export function boot(): Promise<void> {
  booting ??= (async () => {
    const owner = await claimSession();
    if (!owner) store().set({ readOnly: READ_ONLY_ELSEWHERE });
    onTabMessage((msg) => {
      if (msg.type === 'takeover') void handOver();
      else if (msg.type === 'saved' && store().readOnly) void mirrorSavedSession();
    });
    const restored = await restoreSession();
    if (owner) startAutosave();
    const url = urlOptions(location.search);
    const started = startEngine(url.backend ?? store().backendChoice, url.workers ?? store().workersChoice);
    useWorkbench.subscribe((s, prev) => {
      if (s.currentKey !== prev.currentKey) void showCurrent();
      else if (
        (s.lowpass !== prev.lowpass ||
          s.fallbackPixelSize !== prev.fallbackPixelSize ||
          s.pixelSizeOverHeaders !== prev.pixelSizeOverHeaders) &&
        s.currentKey
      )
        void refreshDisplay(s.currentKey);
    });
    if (restored) {
      // Micrographs that were waiting to be picked when the page closed are picked now.
      for (const m of store().micrographs) queueThumbnail(m.key, !m.pickedWith);
      void showCurrent();
      // Coordinate files dropped whose question the page closed on: asked again.
      if (owner) void askUndecidedCoordinates();
    } else if (owner) {
      await loadSamples();
      await started;
    }
  })();
  return booting;
}
