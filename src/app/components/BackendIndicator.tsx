import type { BackendChoice } from '../../../workers/engine-api';
import { setWorkers, switchBackend } from '../controller';
import type { PoolInfo } from '../engine-bridge';
import { MAX_WORKERS } from '../pool-plan';
import { useWorkbench } from '../store';

export function backendLabel(info: PoolInfo | undefined): string {
  if (!info) return 'starting…';
  if (info.backend === 'webgpu') return `WebGPU${info.adapter ? ` (${info.adapter})` : ''}`;
  const pool = info.workers > 1 ? `${info.workers} workers` : '1 worker';
  if (info.backend === 'wasm') return `WASM · ${pool} × ${info.threads ?? 1} thread${(info.threads ?? 1) > 1 ? 's' : ''}`;
  return `CPU (slow) · ${pool}`;
}

export function BackendIndicator() {
  const info = useWorkbench((s) => s.backendInfo);
  const error = useWorkbench((s) => s.backendError);
  const ready = useWorkbench((s) => s.engineReady);
  const choice = useWorkbench((s) => s.backendChoice);
  const workers = useWorkbench((s) => s.workersChoice);
  const cores = Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1);
  return (
    <div className="backend">
      <span
        className={`backend-indicator ${error ? 'bad' : ready ? 'ok' : ''}`}
        data-testid="backend-indicator"
        data-backend={info?.backend ?? ''}
        data-workers={info?.workers ?? ''}
        title={error ?? (info?.isFallbackAdapter ? 'software WebGPU adapter: much slower than WASM' : undefined)}
      >
        {backendLabel(info)}
        {error ? ` — ${error}` : ''}
      </span>
      <select data-testid="backend-select" value={choice} onChange={(e) => void switchBackend(e.target.value as BackendChoice)} title="Force a compute backend (restarts the engine)">
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
