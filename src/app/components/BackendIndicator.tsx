import type { BackendChoice } from '../../../workers/engine-api';
import { restartEngine, setWorkers, switchBackend } from '../controller/engine-lifecycle';
import type { PoolInfo } from '../engine-bridge';
import { MAX_WORKERS } from '../pool-plan';
import { useWorkbench } from '../store';

/** The adapter's name without the "(fallback adapter)" the engine appends (the label says "software"). */
function adapterName(info: PoolInfo): string {
  return (info.adapter ?? '').replace(/\s*\(fallback adapter\)\s*$/, '');
}

export function backendLabel(info: PoolInfo | undefined): string {
  if (!info) return 'starting…';
  if (info.backend === 'webgpu') {
    const name = adapterName(info);
    if (info.isFallbackAdapter) return `WebGPU · software adapter${name ? ` (${name})` : ''}, slow`;
    return `WebGPU${name ? ` (${name})` : ''}`;
  }
  const pool = info.workers > 1 ? `${info.workers} workers` : '1 worker';
  if (info.backend === 'wasm') return `WASM · ${pool} × ${info.threads ?? 1} thread${(info.threads ?? 1) > 1 ? 's' : ''}`;
  return `CPU (slow) · ${pool}`;
}

/** ok (green), slow (amber: a software GPU adapter or the CPU backend), bad (red), or starting. */
function tone(info: PoolInfo | undefined, ready: boolean, error: string | undefined): string {
  if (error) return 'bad';
  if (!ready || !info) return '';
  return (info.backend === 'webgpu' && info.isFallbackAdapter) || info.backend === 'cpu' ? 'slow' : 'ok';
}

export function BackendIndicator() {
  const info = useWorkbench((s) => s.backendInfo);
  const error = useWorkbench((s) => s.backendError);
  const note = useWorkbench((s) => s.backendNote);
  const ready = useWorkbench((s) => s.engineReady);
  const choice = useWorkbench((s) => s.backendChoice);
  const workers = useWorkbench((s) => s.workersChoice);
  const workerLost = useWorkbench((s) => s.workerLost);
  const cores = Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1);
  const t = tone(info, ready, error);
  const title =
    error ??
    (t === 'slow' && info?.backend === 'webgpu'
      ? 'A software WebGPU adapter (no GPU): picking is many times slower than on WASM. Choose WASM for speed.'
      : undefined);
  return (
    <div className="backend">
      <span
        className={`backend-indicator ${t}`}
        data-testid="backend-indicator"
        data-backend={info?.backend ?? ''}
        data-workers={info?.workers ?? ''}
        data-slow={t === 'slow'}
        title={title}
      >
        {error ? 'engine failed (details in the notice)' : backendLabel(info)}
      </span>
      {workerLost && (
        <button data-testid="engine-restart" onClick={() => void restartEngine()} title={`An engine worker stopped: ${workerLost}`}>
          Restart engine
        </button>
      )}
      {note && (
        <span className="backend-note" data-testid="backend-note" title={note}>
          ⚠ {choice} unavailable
        </span>
      )}
      <select
        data-testid="backend-select"
        value={choice}
        onChange={(e) => void switchBackend(e.target.value as BackendChoice)}
        title="Force a compute backend (restarts the engine)"
      >
        <option value="auto">auto</option>
        <option value="webgpu">WebGPU</option>
        <option value="wasm">WASM</option>
        <option value="cpu">CPU</option>
      </select>
      <select
        data-testid="workers-select"
        value={workers ?? 'auto'}
        disabled={info?.backend === 'webgpu'}
        onChange={(e) => void setWorkers(e.target.value === 'auto' ? undefined : Number(e.target.value))}
        title="Workers for batch picking (WASM/CPU; each holds its own copy of the models)"
      >
        <option value="auto">workers: auto</option>
        {Array.from({ length: cores }, (_, i) => i + 1).map((n) => (
          <option key={n} value={n}>
            {n} worker{n > 1 ? 's' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
