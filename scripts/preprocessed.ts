// How the shipped models pick micrographs that were filtered or exported before they reached
// us, as shared data sets often are (src/core/simulate/postprocess.ts): held-out simulated test
// micrographs (scripts/heldout.ts) put through one step each, picked at default settings, scored
// as docs/quality.md scores them, with the DoG baseline beside them.
//
//   npx tsx scripts/preprocessed.ts [--models DIR] [--images 3] [--size 2048]
import { parseArgs } from 'node:util';
import { DogPicker } from '../src/core/baseline/dog';
import { aggregate, type MatchResult } from '../src/core/metrics';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession, pickMicrograph } from '../src/core/pipeline';
import { applyPostSteps, type PostStep } from '../src/core/simulate/postprocess';
import { simDiameter, simMicrograph } from '../src/core/train/dataset';
import { loadModels, startBackend } from '../src/cli/models';
import { CONDITIONS, scoreInBand, simulateCondition, testSeed } from './heldout';

const { values } = parseArgs({
  options: { models: { type: 'string' }, images: { type: 'string', default: '3' }, size: { type: 'string', default: '2048' } },
});

/** Each step at a strength a shared data set might have had (original pixels). */
const STEPS: [string, PostStep[]][] = [
  ['as simulated', []],
  ['low-pass, sigma 5 px', [{ kind: 'lowpass', sigma: 5 }]],
  ['3x3 median, 2 passes', [{ kind: 'median', passes: 2 }]],
  ['3x3 median, 4 passes', [{ kind: 'median', passes: 4 }]],
  ['histogram equalised, 256 levels', [{ kind: 'equalise', levels: 256 }]],
  ['8-bit export (0.5-99.5 percentiles)', [{ kind: 'quantise8', lo: 0.5, hi: 99.5 }]],
  ['high-pass, sigma 300 px', [{ kind: 'highpass', sigma: 300 }]],
];

/** The DoG baseline's peak settings as scripts/evaluate.ts tuned them (docs/quality.md, protocol). */
const DOG_PEAKS = { sigma: 4, threshold: 1, kLevel: 1, minDistance: 0.5 } as const;

await startBackend('wasm');
const models = await loadModels({ dir: values.models, withClassifier: true });
const refRadius = models.fcrnMeta.workingRadius;
const pct = (v: number) => (100 * v).toFixed(1);
console.log(`| condition | step | recall | precision | **F1** | DoG F1 |`);
console.log(`|---|---|---|---|---|---|`);
for (const name of ['typical', 'kind: apoferritin']) {
  const c = CONDITIONS.findIndex((k) => k.name === name);
  const sims = Array.from({ length: Number(values.images) }, (_, i) =>
    simulateCondition(CONDITIONS[c].preset, testSeed(c, i), Number(values.size)),
  );
  for (const [what, steps] of STEPS) {
    const ours: MatchResult[] = [];
    const dog: MatchResult[] = [];
    for (const sim of sims) {
      const image = applyPostSteps(sim.image, steps);
      const diameter = simDiameter(sim);
      const out = await pickMicrograph(new PickSession(what, simMicrograph({ ...sim, image })), models, {
        ...DEFAULT_PICK_PARAMS,
        diameter,
      });
      ours.push(scoreInBand(out.picks, sim, refRadius));
      dog.push(scoreInBand(new DogPicker(image, { diameter, negativeStain: false, refRadius }).pick(DOG_PEAKS), sim, refRadius));
    }
    const [a, b] = [aggregate(ours), aggregate(dog)];
    console.log(`| ${name} | ${what} | ${pct(a.recall)} | ${pct(a.precision)} | **${pct(a.f1)}** | ${pct(b.f1)} |`);
  }
}
