// The current micrograph's stage timings (the detector run that made its map, then the last
// re-pick) and what its file said about it.
import { currentMic, useWorkbench } from '../store';

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
            <tr key={stage} data-stage={stage}>
              <th>{stage}</th>
              <td>{ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mic.info && (
        <p className="small" data-testid="micrograph-info">
          {mic.info.width}×{mic.info.height} px{mic.info.pixelSize ? `, ${mic.info.pixelSize.toFixed(3)} Å/px` : ''}
          {mic.info.frames > 1 ? `, ${mic.info.frames} frames` : ''}
          {mic.info.note ? ` — ${mic.info.note}` : ''}
        </p>
      )}
    </section>
  );
}
