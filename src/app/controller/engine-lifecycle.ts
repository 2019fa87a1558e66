// Engine lifecycle: starting the worker pool on a backend, switching backends and worker counts.
import type { BackendChoice } from '../../../workers/engine-api';
import { engine } from '../engine-bridge';
import { errorMessage, isCancelled } from '../error-text';
import { picksBehindParams, store } from './context';
import { ensurePicked, pumpPicks, repickCutShort, repickOtherModels, stopBatch } from './picking';
import { queueThumbnail, showCurrent, takeDeferredOpenings } from './viewing';

const BACKEND_NAME: Record<BackendChoice, string> = {
  auto: 'The automatic backend',
  webgpu: 'WebGPU',
  wasm: 'WASM',
  cpu: 'The CPU backend',
};

/** Whether onWorkerLost listens to the engine yet (from the first start). */
let watching = false;

/**
 * Starts (or restarts) the worker pool on a backend; micrographs reopen on demand. A forced
 * backend that cannot start gives way to WASM, and the user is told why.
 */
export async function startEngine(choice: BackendChoice, workers?: number): Promise<void> {
  if (!watching) engine.onWorkerLost(onWorkerLost);
  watching = true;
  stopBatch();
  store().set({
    engineReady: false,
    backendError: undefined,
    backendNote: undefined,
    workerLost: undefined,
    backendInfo: undefined,
    backendChoice: choice,
    workersChoice: workers,
  });
  let note: string | undefined;
  try {
    let info;
    try {
      info = await engine.start({ backend: choice, workers });
    } catch (e) {
      if (isCancelled(e) || choice === 'wasm') throw e;
      note = `${BACKEND_NAME[choice]} could not start (${errorMessage(e)}); picking runs on WASM instead.`;
      store().notify(note, 'error');
      info = await engine.start({ backend: 'wasm', workers });
    }
    store().set({
      backendInfo: info,
      engineReady: true,
      backendNote: note,
      backendError: info.modelError ? `models not loaded: ${info.modelError}` : undefined,
    });
    if (info.modelError) store().notify(`The picking models could not be loaded: ${info.modelError}`, 'error');
    // Micrographs whose opening met the engine down are opened now; with picking on arrival,
    // those never picked (a restart cancels what was waiting) are picked. Those picked by other
    // models than the ones loaded (a switch of model whose re-picks a reload cut short), or
    // showing a preview for parameters whose exact pick a reload cut short, are picked again.
    const later = takeDeferredOpenings();
    for (const k of later) queueThumbnail(k);
    void showCurrent();
    if (store().autoPick)
      ensurePicked(
        store()
          .micrographs.filter((m) => !m.pickedWith && m.info && !later.includes(m.key))
          .map((m) => m.key),
      );
    repickOtherModels();
    repickCutShort();
    // Those picked before whose new parameters a reload or restart cut short (a cutoff set on all
    // micrographs, re-picked in the background): otherwise they would show picks for parameters
    // they no longer have, and change the day one of them is opened. Not those whose re-pick Cancel stopped.
    ensurePicked(
      store()
        .micrographs.filter((m) => m.pickedWith && !m.preview && !m.repickStopped && picksBehindParams(m)) // previews: repickCutShort
        .map((m) => m.key),
    );
    pumpPicks();
  } catch (e) {
    if (!isCancelled(e)) {
      store().set({ backendError: errorMessage(e), backendNote: note });
      store().notify(`The engine could not start: ${errorMessage(e)}`, 'error');
    }
  }
}

// A worker that died (out of memory on a very large file, say): the others go on with its work
// and its micrographs; the user is told, and a restart brings the pool back to full size.
function onWorkerLost(why: Error, left: number): void {
  store().set({
    backendInfo: engine.info,
    workerLost: why.message,
    ...(left ? {} : { backendError: `every engine worker stopped: ${why.message}` }),
  });
  store().notify(
    left
      ? `An engine worker stopped (${why.message}); picking goes on in ${left === 1 ? 'the other worker' : `the other ${left}`}. Restart the engine (beside the backend) to bring it back.`
      : `The engine stopped (${why.message}). Your picks are kept: restart the engine (beside the backend) or reload the page.`,
    'error',
  );
}

/** Starts the engine afresh with the same backend and worker count (after a worker died). */
export function restartEngine(): Promise<void> {
  return startEngine(store().backendChoice, store().workersChoice);
}

export function switchBackend(choice: BackendChoice): Promise<void> {
  return startEngine(choice, store().workersChoice);
}

export function setWorkers(workers: number | undefined): Promise<void> {
  return startEngine(store().backendChoice, workers);
}

/** Whether picking can run (pool started and models loaded, and this tab edits). */
export function canPick(): boolean {
  const s = store();
  return s.engineReady && !s.backendInfo?.modelError && !s.readOnly;
}
