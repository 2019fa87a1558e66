// Model cards of the shipped models (public/models/<kind>/MODEL_CARD.md), written by
// `npm run train` from the model's own metadata; scripts/evaluate.ts fills in the held-out
// metrics block afterwards.
import type { ModelMetadata } from '../src/core/model/model-io';

/** Markers of the block scripts/evaluate.ts replaces. */
export const METRICS_BEGIN = '<!-- held-out metrics: written by scripts/evaluate.ts -->';
export const METRICS_END = '<!-- end of held-out metrics -->';

const WHAT: Record<ModelMetadata['kind'], string> = {
  fcrn: `Stage 1 of DRPnet (Nguyen et al., BMC Bioinformatics 22:55, 2021): a fully convolutional
regression network, conv 9x9x32, 3x3x32, 1x7x32, 7x1x32 (ReLU), max-pool 2x2 stride 1, conv
3x3x1 (linear), 'same' padding, 26,561 weights. Input: the micrograph preprocessed at the working
scale (src/core/preprocess/preprocess.ts) and smoothed with the input sigma below; output: a map
of the same size whose peaks are particle centres. Trained to regress, inside each particle's
disk of radius r, the squared distance to the disk's edge, scaled to peak 1 (src/core/train/labels.ts).`,
  classifier: `Stage 2 of DRPnet: a particle/background classifier on 64x64 patches, four conv blocks
(11x11x16, 7x7x16, 5x5x32, 3x3x64, each with batch norm, ReLU and a 2x2 stride-2 max-pool),
dropout 0.5, dense 128 + ReLU, dense 2 + softmax (index 1 = particle). Stride-2 pools instead of
the paper's stride 1 keep it at 177,682 weights (0.7 MB) where the paper's has ~25M. Input: the box of side boxRadii x r around a
detector candidate in the preprocessed working image, resampled to 64x64.`,
};

function table(history: unknown): string[] {
  if (!Array.isArray(history) || !history.length) return [];
  const cols = Object.keys(history[0] as object);
  return [
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...history.map((h) => `| ${cols.map((c) => String((h as Record<string, unknown>)[c] ?? '-')).join(' | ')} |`),
  ];
}

/** The card's text: what the model is, how it was trained (from its metadata), how to remake it. */
export function modelCard(meta: ModelMetadata): string {
  const t = meta.trainingSummary ?? {};
  const { history, ...facts } = t as Record<string, unknown>;
  const title = meta.kind === 'fcrn' ? 'DRPnet detector (FCRN)' : 'DRPnet classifier';
  return [
    `# ${title}: the shipped model`,
    '',
    WHAT[meta.kind],
    '',
    '## Geometry',
    '',
    `- Working radius: ${meta.workingRadius} px (micrographs are downsampled so particles have about this radius; src/core/preprocess/scale.ts).`,
    meta.kind === 'fcrn'
      ? `- Input smoothing: Gaussian sigma ${meta.inputSmoothing} working px.`
      : `- Input box: ${meta.boxRadii} particle radii, resampled to ${meta.patchSize}x${meta.patchSize}.`,
    ...(meta.noiseLevel !== undefined
      ? [
          `- Noise level: ${meta.noiseLevel} (median raw output at candidates on simulated empty micrographs; per-micrograph calibration, src/core/calibrate.ts).`,
        ]
      : []),
    `- Created: ${meta.created}.`,
    '',
    '## Training data and run',
    '',
    'Simulated micrographs only (docs/simulator.md; no real cryo-EM data can be downloaded where it was',
    "made, and the authors' weights are licensed for academic use only, so they are not used). Kinds,",
    'defocus and dose ranges, and seeds are below; the evaluation uses other kinds, ranges and seeds.',
    '',
    ...Object.entries(facts).map(([k, v]) => `- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
    '',
    ...table(history),
    '',
    meta.kind === 'fcrn'
      ? 'Remake it with `npm run train -- --only fcrn` (scripts/train.ts; deterministic from its seeds).'
      : 'Remake it with `npm run train -- --only classifier` on the detector it was trained with, in the same folder ' +
        "(scripts/train.ts; deterministic from its seeds except the unseeded dropout masks): its training set is that detector's candidates.",
    '',
    '## Held-out metrics',
    '',
    METRICS_BEGIN,
    'Not measured yet: run `npx tsx scripts/evaluate.ts`.',
    METRICS_END,
    '',
  ].join('\n');
}

/** The card, with the held-out metrics block of `previous` (the card it replaces) when the weights did not change. */
export function keepMetrics(card: string, previous: string | undefined): string {
  const from = (t: string) => {
    const i = t.indexOf(METRICS_BEGIN);
    const j = t.indexOf(METRICS_END);
    return i >= 0 && j > i ? t.slice(i, j + METRICS_END.length) : undefined;
  };
  const old = previous && from(previous);
  const fresh = from(card);
  return old && fresh ? card.replace(fresh, old) : card;
}
