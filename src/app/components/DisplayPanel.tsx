import type { ReactNode } from 'react';
import { lowpassSigmaOf } from '../controller/viewing';
import { currentMic, pixelSizeOf, useWorkbench } from '../store';
import { SliderRow, type SliderSpec } from './SliderRow';

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
  const pixelSize = useWorkbench((x) => pixelSizeOf(currentMic(x), x));
  const sigma = useWorkbench((x) => lowpassSigmaOf(currentMic(x)));
  const unit = pixelSize ? 'Å' : 'px';
  // View settings only: none of these changes the picks.
  const sliders: (SliderSpec & { key: 'lowpass' | 'heatmapOpacity' | 'contrastLow' | 'contrastHigh'; output: ReactNode })[] = [
    {
      key: 'lowpass',
      label: `Low-pass filter (${unit}, 0 = off)`,
      title: 'Blurs the display only (picking is unchanged): a Gaussian whose transfer is one half at this resolution. 0 = off',
      testId: 'lowpass',
      min: 0,
      max: 60,
      step: 1,
      output: (
        <output data-testid="lowpass-value" data-sigma={sigma.toFixed(2)}>
          {s.lowpass ? `${s.lowpass} ${unit}` : 'off'}
        </output>
      ),
    },
    {
      key: 'heatmapOpacity',
      label: 'Heatmap opacity',
      testId: 'heatmap-opacity',
      min: 0,
      max: 1,
      step: 0.05,
      output: <output>{Math.round(s.heatmapOpacity * 100)}%</output>,
    },
    {
      key: 'contrastLow',
      label: 'Contrast low (percentile)',
      testId: 'contrast-low',
      min: 0,
      max: 49,
      step: 0.5,
      output: <output>{s.contrastLow}</output>,
    },
    {
      key: 'contrastHigh',
      label: 'Contrast high (percentile)',
      testId: 'contrast-high',
      min: 51,
      max: 100,
      step: 0.5,
      output: <output>{s.contrastHigh}</output>,
    },
  ];
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
      {sliders.map(({ key, output, ...spec }) => (
        <SliderRow key={key} {...spec} value={s[key]} onChange={(v) => s.set({ [key]: v })}>
          {output}
        </SliderRow>
      ))}
    </section>
  );
}
