import { useWorkbench } from '../store';

export function DisplayPanel() {
  const s = useWorkbench();
  const hasHeat = !!(s.currentKey && s.heatmaps[s.currentKey]);
  return (
    <section className="panel display-panel">
      <h2>Display</h2>
      <label className="check">
        <input type="checkbox" data-testid="heatmap-toggle" checked={s.showHeatmap} onChange={(e) => s.set({ showHeatmap: e.target.checked })} />
        Probability heatmap (h){!hasHeat && s.showHeatmap ? ' — pick to compute' : ''}
      </label>
      <label className="param">
        <span className="param-label">Heatmap opacity</span>
        <input type="range" data-testid="heatmap-opacity" min={0} max={1} step={0.05} value={s.heatmapOpacity} onChange={(e) => s.set({ heatmapOpacity: Number(e.target.value) })} />
        <output>{Math.round(s.heatmapOpacity * 100)}%</output>
      </label>
      <label className="param">
        <span className="param-label">Contrast low (percentile)</span>
        <input type="range" data-testid="contrast-low" min={0} max={49} step={0.5} value={s.contrastLow} onChange={(e) => s.set({ contrastLow: Number(e.target.value) })} />
        <output>{s.contrastLow}</output>
      </label>
      <label className="param">
        <span className="param-label">Contrast high (percentile)</span>
        <input type="range" data-testid="contrast-high" min={51} max={100} step={0.5} value={s.contrastHigh} onChange={(e) => s.set({ contrastHigh: Number(e.target.value) })} />
        <output>{s.contrastHigh}</output>
      </label>
    </section>
  );
}
