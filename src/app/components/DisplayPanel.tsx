import { lowpassSigmaOf } from '../controller/viewing';
import { currentMic, useWorkbench } from '../store';

export function DisplayPanel() {
  // Only what it shows: a re-pick of the current micrograph does not draw this panel again.
  const s = {
    set: useWorkbench((x) => x.set),
    showPicks: useWorkbench((x) => x.showPicks),
    showHeatmap: useWorkbench((x) => x.showHeatmap),
    heatmapOpacity: useWorkbench((x) => x.heatmapOpacity),
    contrastLow: useWorkbench((x) => x.contrastLow),
    contrastHigh: useWorkbench((x) => x.contrastHigh),
    lowpass: useWorkbench((x) => x.lowpass),
  };
  const hasHeat = useWorkbench((x) => !!(x.currentKey && x.heatmaps[x.currentKey]));
  const pixelSize = useWorkbench((x) => currentMic(x)?.info?.pixelSize);
  const sigma = useWorkbench((x) => lowpassSigmaOf(currentMic(x)));
  const unit = pixelSize ? 'Å' : 'px';
  return (
    <section className="panel display-panel">
      <h2>Display</h2>
      <label className="check">
        <input type="checkbox" data-testid="show-picks" checked={s.showPicks} onChange={(e) => s.set({ showPicks: e.target.checked })} />
        Picks (v)
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="heatmap-toggle"
          checked={s.showHeatmap}
          onChange={(e) => s.set({ showHeatmap: e.target.checked })}
        />
        Probability heatmap (h){!hasHeat && s.showHeatmap ? ' — pick to compute' : ''}
      </label>
      <label
        className="param"
        title="Blurs the display only (picking is unchanged): a Gaussian whose transfer is one half at this resolution. 0 = off"
      >
        <span className="param-label">Low-pass filter ({unit}, 0 = off)</span>
        <input
          type="range"
          data-testid="lowpass"
          min={0}
          max={60}
          step={1}
          value={s.lowpass}
          onChange={(e) => s.set({ lowpass: Number(e.target.value) })}
        />
        <output data-testid="lowpass-value" data-sigma={sigma.toFixed(2)}>
          {s.lowpass ? `${s.lowpass} ${unit}` : 'off'}
        </output>
      </label>
      <label className="param">
        <span className="param-label">Heatmap opacity</span>
        <input
          type="range"
          data-testid="heatmap-opacity"
          min={0}
          max={1}
          step={0.05}
          value={s.heatmapOpacity}
          onChange={(e) => s.set({ heatmapOpacity: Number(e.target.value) })}
        />
        <output>{Math.round(s.heatmapOpacity * 100)}%</output>
      </label>
      <label className="param">
        <span className="param-label">Contrast low (percentile)</span>
        <input
          type="range"
          data-testid="contrast-low"
          min={0}
          max={49}
          step={0.5}
          value={s.contrastLow}
          onChange={(e) => s.set({ contrastLow: Number(e.target.value) })}
        />
        <output>{s.contrastLow}</output>
      </label>
      <label className="param">
        <span className="param-label">Contrast high (percentile)</span>
        <input
          type="range"
          data-testid="contrast-high"
          min={51}
          max={100}
          step={0.5}
          value={s.contrastHigh}
          onChange={(e) => s.set({ contrastHigh: Number(e.target.value) })}
        />
        <output>{s.contrastHigh}</output>
      </label>
    </section>
  );
}
