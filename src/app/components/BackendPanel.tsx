import type { BackendChoice, BackendInfo } from '../../../workers/engine-api';
import { switchBackend } from '../controller';
import { currentMic, useWorkbench } from '../store';

export function backendLabel(info: BackendInfo | undefined): string {
  if (!info) return 'starting…';
  if (info.backend === 'webgpu') return `WebGPU${info.adapter ? ` (${info.adapter})` : ''}`;
  if (info.backend === 'wasm') return info.threads && info.threads > 1 ? `WASM (${info.threads} threads)` : 'WASM (single thread)';
  return 'CPU (slow)';
}

export function BackendIndicator() {
  const info = useWorkbench((s) => s.backendInfo);
  const error = useWorkbench((s) => s.backendError);
  const ready = useWorkbench((s) => s.engineReady);
  const choice = useWorkbench((s) => s.backendChoice);
  return (
    <div className="backend">
      <span className={`backend-indicator ${error ? 'bad' : ready ? 'ok' : ''}`} data-testid="backend-indicator" data-backend={info?.backend ?? ''} title={error}>
        {error ? `Engine failed: ${error}` : backendLabel(info)}
      </span>
      <select data-testid="backend-select" value={choice} onChange={(e) => void switchBackend(e.target.value as BackendChoice)} title="Force a compute backend (restarts the engine)">
        <option value="auto">auto</option>
        <option value="webgpu">WebGPU</option>
        <option value="wasm">WASM</option>
        <option value="cpu">CPU</option>
      </select>
    </div>
  );
}

export function TimingsPanel() {
  const mic = useWorkbench(currentMic);
  const entries = Object.entries(mic?.timings ?? {});
  if (!mic || !entries.length) return null;
  return (
    <section className="panel timings-panel">
      <h2>Timings</h2>
      <table className="timings" data-testid="timings">
        <tbody>
          {entries.map(([stage, ms]) => (
            <tr key={stage}>
              <th>{stage}</th>
              <td>{ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mic.info && (
        <p className="small">
          {mic.info.width}×{mic.info.height} px{mic.info.pixelSize ? `, ${mic.info.pixelSize.toFixed(3)} Å/px` : ''}
          {mic.info.frames > 1 ? `, ${mic.info.frames} frames` : ''}
          {mic.info.note ? ` — ${mic.info.note}` : ''}
        </p>
      )}
    </section>
  );
}
