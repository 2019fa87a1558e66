// How well CAN the 14 scoring apoferritin micrographs be picked? Five measurements beside the
// numbers of bench/real.ts, picks scored the same way (bench/realdata.ts):
//   1. chance: random points at the particles' density, no two closer than 0.75 diameters;
//   2. a matched filter: the mean particle of the 5 labelled micrographs (its radial profile,
//      learned from their labels), correlated with each micrograph, best threshold afterwards;
//   3. our detector trained from scratch on the 5 labelled micrographs with every label (no
//      simulated data at all), best threshold afterwards; and the same scored on the 5 it was
//      trained on, which says whether it could even fit them;
//   4. how separable one labelled particle is from background: the matched filter's response at
//      the 14's labels against random places at least a diameter from any label (AUC, d'); the
//      same per micrograph, with the labelled five's template and with one made from that
//      micrograph's own labels (an oracle); the matched filter's maxima far from every label
//      against those in phase-randomised copies (particles nobody labelled?); and the radial
//      profiles, in noise standard deviations, of the mean labelled particle (found and missed by
//      the shipped models at defaults) and of the mean of their picks that lie far from every label;
//   5. ranking against localisation: the best F1 afterwards of each score the shipped models'
//      candidates carry, and of blob filters (differences of Gaussians) read at the same places;
//      where the default picks lie relative to the label they match; and the candidates moved to
//      their blob filter's maximum nearby;
//   6. an ideal replica of each micrograph (the labelled mean particle at its labels, in white
//      noise as strong as the real micrograph's): the matched filter and the shipped models on
//      it, with the particle as it is and 1.5, 2 and 3 times as strong.
//
//   npx tsx scripts/real-ceiling.ts [--epochs 30] [--skip train,profiles,ranking,replica]
import { parseArgs } from 'node:util';
import { dogResponse } from '../src/core/baseline/dog';
import { suppressNeighbours } from '../src/core/candidates';
import { createImage, cropImage, imageStats, type Image2D } from '../src/core/image';
import { matchPicks, type Scores } from '../src/core/metrics';
import { buildFcrn } from '../src/core/model/fcrn';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession, pickMicrograph, type ScoredPick } from '../src/core/pipeline';
import { gaussianBlur } from '../src/core/preprocess/gaussian';
import { reduceImage } from '../src/core/preprocess/reduce';
import { irfft2d, nextPow2, padMirror, rfft2d } from '../src/core/fft2d';
import { createRng } from '../src/core/random';
import { fineTuneDetector } from '../src/core/train/fine-tune';
import { detectorMetadata } from '../src/core/train/training-run';
import { FCRN_WORKING_RADIUS } from '../src/core/train/training-micrograph';
import { decodedMicrograph } from '../src/core/io/micrograph-source';
import { loadModels, startBackend } from '../src/cli/models';
import { APOFERRITIN, bestOver, loadRealMicrograph, realLabels, realSplit, scoreSet, type RealMicrograph } from '../bench/realdata';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '30' }, skip: { type: 'string', default: '' } } });
const D = APOFERRITIN.diameter;
const split = realSplit(APOFERRITIN);
const labels = await realLabels(APOFERRITIN);
const labelled = await Promise.all(split.labelled.map((n) => loadRealMicrograph(APOFERRITIN, n, labels)));
const scoring = await Promise.all(split.scoring.map((n) => loadRealMicrograph(APOFERRITIN, n, labels)));
const pct = (s: Scores) =>
  `F1 ${(100 * s.f1).toFixed(1)} (recall ${(100 * s.recall).toFixed(1)}, precision ${(100 * s.precision).toFixed(1)})`;

// 1. Chance.
const rng = createRng(1);
const chance = scoreSet(
  scoring.map((m) => {
    const { width: W, height: H } = m.micrograph.image;
    const pts: { x: number; y: number }[] = [];
    for (let tries = 0; pts.length < m.truth.length && tries < 200_000; tries++) {
      const p = { x: rng.uniform(D / 2, W - 1 - D / 2), y: rng.uniform(D / 2, H - 1 - D / 2) };
      if (pts.every((q) => Math.hypot(q.x - p.x, q.y - p.y) >= 0.75 * D)) pts.push(p);
    }
    return pts;
  }),
  scoring,
).scores;
console.log(`1. chance, as many random points as particles: ${pct(chance)}`);

// 2. Matched filter: 4x binned, background removed, unit variance; the labelled mean particle's radial profile.
const S = 4;
/** Original pixel coordinate -> the binned pixel holding it, and back to that pixel's centre. */
const toBinned = (v: number) => Math.round((v - (S - 1) / 2) / S);
const fromBinned = (i: number) => i * S + (S - 1) / 2;
const R = Math.ceil((0.75 * D) / S);
/** The image binned by `bin`, less its background (a Gaussian of `backgroundSigma` original px), scaled to unit standard deviation. */
function flatten(img: Image2D, bin: number, backgroundSigma: number): Image2D {
  const r = reduceImage(img, bin).image;
  const bg = gaussianBlur(r, backgroundSigma / bin);
  const out = createImage(r.width, r.height);
  let ss = 0;
  for (let i = 0; i < out.data.length; i++) ss += (out.data[i] = r.data[i] - bg.data[i]) ** 2;
  const sd = Math.sqrt(ss / out.data.length) || 1;
  for (let i = 0; i < out.data.length; i++) out.data[i] /= sd;
  return out;
}
type Kernel = { dx: number; dy: number; w: number }[];
/**
 * The mean of flattened images at their labels, by whole-pixel distance from the centre out to
 * `radius` pixels of those images; `bin` is the images' binning (labels are in original pixels).
 */
function radialProfile(
  images: readonly Image2D[],
  truths: readonly (readonly { x: number; y: number }[])[],
  bin: number,
  radius: number,
): Float64Array {
  const profile = new Float64Array(radius + 1);
  const counts = new Float64Array(radius + 1);
  const toPixel = (v: number) => Math.round((v - (bin - 1) / 2) / bin);
  images.forEach((f, i) => {
    for (const t of truths[i]) {
      const cx = toPixel(t.x);
      const cy = toPixel(t.y);
      for (let y = -radius; y <= radius; y++) {
        for (let x = -radius; x <= radius; x++) {
          const r = Math.round(Math.hypot(x, y));
          if (r > radius || cx + x < 0 || cy + y < 0 || cx + x >= f.width || cy + y >= f.height) continue;
          profile[r] += f.data[(cy + y) * f.width + cx + x];
          counts[r]++;
        }
      }
    }
  });
  return profile.map((v, r) => v / counts[r]);
}
/** The mean particle's radial profile at the labels of flattened binned images, as a zero-mean kernel. */
function radialTemplate(images: readonly Image2D[], truths: readonly (readonly { x: number; y: number }[])[]): Kernel {
  const profile = radialProfile(images, truths, S, R);
  const kernel: Kernel = [];
  for (let y = -R; y <= R; y++) {
    for (let x = -R; x <= R; x++) {
      if (Math.hypot(x, y) > R) continue;
      kernel.push({ dx: x, dy: y, w: profile[Math.round(Math.hypot(x, y))] });
    }
  }
  const mean = kernel.reduce((s, k) => s + k.w, 0) / kernel.length;
  for (const k of kernel) k.w -= mean;
  return kernel;
}
/** The kernel's response at binned pixel (x, y), which must lie at least R from each edge. */
function responseAt(f: Image2D, kernel: Kernel, x: number, y: number): number {
  let s = 0;
  for (const k of kernel) s += k.w * f.data[(y + k.dy) * f.width + x + k.dx];
  return s;
}
const kernel = radialTemplate(
  labelled.map((m) => flatten(m.micrograph.image, S, 2 * D)),
  labelled.map((m) => m.truth),
);
/** The scoring micrographs binned by S and flattened, as the matched filter reads them (step 5 too). */
const binned = scoring.map((m) => flatten(m.micrograph.image, S, 2 * D));
/** The matched filter's local maxima in a flattened binned image, at most one within half a diameter (original px, with their response). */
function matchedPeaks(f: Image2D): { x: number; y: number; s: number }[] {
  const c = createImage(f.width, f.height);
  for (let y = R; y < f.height - R; y++) for (let x = R; x < f.width - R; x++) c.data[y * f.width + x] = responseAt(f, kernel, x, y);
  const peaks: { x: number; y: number; s: number }[] = [];
  for (let y = R; y < f.height - R; y++) {
    for (let x = R; x < f.width - R; x++) {
      const v = c.data[y * f.width + x];
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++)
        for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && c.data[(y + dy) * f.width + x + dx] > v) top = false;
      if (top) peaks.push({ x: fromBinned(x), y: fromBinned(y), s: v });
    }
  }
  return suppressNeighbours(peaks, (p) => p.s, D / 2);
}
const matched = binned.map(matchedPeaks);
console.log(
  `2. matched filter (the labelled micrographs' mean particle), best threshold afterwards: ${pct(bestOver(matched, scoring, (c) => c.s).scores)}`,
);

// 3. Our detector, from scratch, on the labelled micrographs only.
if (!values.skip!.split(',').includes('train')) {
  await startBackend('wasm');
  const fcrn = buildFcrn({ seed: 3 });
  const fcrnMeta = detectorMetadata(FCRN_WORKING_RADIUS, 96, {});
  const t0 = performance.now();
  await fineTuneDetector(
    fcrn,
    fcrnMeta,
    labelled.map((m) => ({ name: m.name, image: m.micrograph.image, diameter: D, negativeStain: false, truth: m.truth })),
    {
      unlabelledWeight: 1,
      epochs: Number(values.epochs),
      learningRate: 1e-3,
      lrDecay: 0.93,
      onEpoch: (e) => process.stderr.write(`  epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}\n`),
    },
  );
  const candidates = async (mics: RealMicrograph[]) => {
    const out: { x: number; y: number; s: number }[][] = [];
    for (const m of mics) {
      const r = await pickMicrograph(
        new PickSession(m.name, m.micrograph),
        { fcrn, fcrnMeta },
        { ...DEFAULT_PICK_PARAMS, diameter: D, threshold: 0.5, useClassifier: false, calibrate: false },
      );
      out.push(r.all.map((p: ScoredPick) => ({ x: p.x, y: p.y, s: p.peakHeight })));
    }
    return out;
  };
  console.log(
    `3. detector trained from scratch on the 5 labelled (${values.epochs} epochs, ${((performance.now() - t0) / 1000).toFixed(0)} s), best threshold afterwards:`,
  );
  console.log(`   on the 14 scoring: ${pct(bestOver(await candidates(scoring), scoring, (c) => c.s).scores)}`);
  console.log(`   on the 5 it was trained on: ${pct(bestOver(await candidates(labelled), labelled, (c) => c.s).scores)}`);
}

// 4. Separability of one particle, and what the far false picks look like.
const far = (p: { x: number; y: number }, pts: readonly { x: number; y: number }[], r: number) =>
  pts.every((q) => Math.hypot(q.x - p.x, q.y - p.y) >= r);
const atLabels: number[] = [];
const atRandom: number[] = [];
/** d' of one micrograph's labels against its random places: with the labelled five's template, and with its own labels' (an oracle). */
const perMic = { shared: [] as number[], own: [] as number[] };
const dPrime = (pos: readonly number[], neg: readonly number[]) => {
  const n = imageStats(neg);
  return (imageStats(pos).mean - n.mean) / n.std;
};
scoring.forEach((m, i) => {
  const f = binned[i];
  const inner = (p: { x: number; y: number }) => {
    const x = toBinned(p.x);
    const y = toBinned(p.y);
    return x >= R && y >= R && x < f.width - R && y < f.height - R ? { x, y } : undefined;
  };
  const labels = m.truth.map(inner).filter((p) => p !== undefined);
  const { width: W, height: H } = m.micrograph.image;
  const random: { x: number; y: number }[] = [];
  for (let k = 0; k < 3000; k++) {
    const p = { x: rng.uniform(0, W - 1), y: rng.uniform(0, H - 1) };
    const b = far(p, m.truth, D) ? inner(p) : undefined;
    if (b) random.push(b);
  }
  const own = radialTemplate([f], [m.truth]);
  const read = (k: Kernel): [number[], number[]] => [
    labels.map((p) => responseAt(f, k, p.x, p.y)),
    random.map((p) => responseAt(f, k, p.x, p.y)),
  ];
  const [pos, neg] = read(kernel);
  atLabels.push(...pos);
  atRandom.push(...neg);
  perMic.shared.push(dPrime(pos, neg));
  perMic.own.push(dPrime(...read(own)));
});
const sortedRandom = [...atRandom].sort((a, b) => a - b);
const below = (v: number) => {
  let lo = 0;
  let hi = sortedRandom.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedRandom[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const auc = atLabels.reduce((sum, v) => sum + below(v) / sortedRandom.length, 0) / atLabels.length;
console.log(
  `4. one labelled particle against background, matched filter response at ${atLabels.length} labels and ${atRandom.length} random places at least a diameter from any label: AUC ${auc.toFixed(3)}, d' ${dPrime(atLabels, atRandom).toFixed(2)}`,
);
const meanOf = (v: readonly number[]) => (v.reduce((a, b) => a + b, 0) / v.length).toFixed(2);
console.log(
  `   per micrograph, mean d' with the labelled five's template ${meanOf(perMic.shared)}, with each micrograph's own labels' template (an oracle) ${meanOf(perMic.own)}`,
);

// Particles nobody labelled would show as more, and stronger, matched-filter maxima far from every
// label than noise gives. The noise: each micrograph with its spectrum kept and its phases
// randomised (so it holds no particle), read through the same labels.
function phaseRandomised(f: Image2D, seed: number): Image2D {
  const pw = nextPow2(f.width);
  const ph = nextPow2(f.height);
  const spec = rfft2d(padMirror(f.data, f.width, f.height, pw, ph), pw, ph);
  const noiseRng = createRng(seed);
  const noise = rfft2d(
    Float32Array.from({ length: pw * ph }, () => noiseRng.normal()),
    pw,
    ph,
  );
  // Multiplying by a real noise's unit-modulus spectrum keeps the result real and the amplitudes as they were.
  for (let i = 0; i < spec.data.length; i += 2) {
    const [a, b] = [noise.data[i], noise.data[i + 1]];
    const m = Math.hypot(a, b) || 1;
    const [c, d] = [spec.data[i], spec.data[i + 1]];
    spec.data[i] = (c * a - d * b) / m;
    spec.data[i + 1] = (c * b + d * a) / m;
  }
  const out = cropImage(createImage(pw, ph, irfft2d(spec)), 0, 0, f.width, f.height);
  const { mean, std } = imageStats(out.data);
  for (let i = 0; i < out.data.length; i++) out.data[i] = (out.data[i] - mean) / std;
  return out;
}
const labelMedian = [...atLabels].sort((a, b) => a - b)[atLabels.length >> 1];
const farMaxima = (peaks: readonly { x: number; y: number; s: number }[][]) => {
  const kept = peaks.flatMap((p, i) => p.filter((q) => far(q, scoring[i].truth, D)));
  return `${(kept.length / peaks.length).toFixed(1)} per micrograph, ${(kept.filter((q) => q.s > labelMedian).length / peaks.length).toFixed(1)} above the labels' median response`;
};
console.log(`   matched-filter maxima at least a diameter from every label: ${farMaxima(matched)};`);
for (const seed of [1, 2, 3])
  console.log(
    `   the same in phase-randomised copies (seed ${seed}): ${farMaxima(binned.map((f) => matchedPeaks(phaseRandomised(f, seed))))}`,
  );

// Steps 4 and 5 pick the scoring micrographs with the shipped models: one session per
// micrograph, so its detector map is made once, and the default picks are made once.
let shippedLoad: ReturnType<typeof loadModels> | undefined;
const shippedModels = () => (shippedLoad ??= startBackend('wasm').then(() => loadModels({ withClassifier: true })));
const sessions = scoring.map((m) => new PickSession(m.name, m.micrograph));
let defaultsLoad: Promise<ScoredPick[][]> | undefined;
const shippedDefaultPicks = () =>
  (defaultsLoad ??= (async () => {
    const models = await shippedModels();
    const picks: ScoredPick[][] = [];
    for (const session of sessions) picks.push((await pickMicrograph(session, models, { ...DEFAULT_PICK_PARAMS, diameter: D })).picks);
    return picks;
  })());

if (!values.skip!.split(',').includes('profiles')) {
  // Full-resolution radial profiles (4 px rings out to 1.5 radii), micrographs flattened (background
  // sigma one diameter) and scaled to unit standard deviation: labelled particles, and the shipped
  // models' default picks lying at least 0.75 diameters from every label.
  const defaultPicks = await shippedDefaultPicks();
  const rings = Math.ceil((0.75 * D) / 4);
  const profile = () => ({ sum: new Float64Array(rings), n: new Float64Array(rings) });
  const profiles = { found: profile(), missed: profile(), farPicks: profile() };
  for (const [i, m] of scoring.entries()) {
    const z = flatten(m.micrograph.image, 1, D);
    const add = (kind: keyof typeof profiles, p: { x: number; y: number }) => {
      const cx = Math.round(p.x);
      const cy = Math.round(p.y);
      for (let y = -4 * rings; y < 4 * rings; y++)
        for (let x = -4 * rings; x < 4 * rings; x++) {
          const k = Math.floor(Math.hypot(x, y) / 4);
          if (k >= rings || cx + x < 0 || cy + y < 0 || cx + x >= z.width || cy + y >= z.height) continue;
          profiles[kind].sum[k] += z.data[(cy + y) * z.width + cx + x];
          profiles[kind].n[k]++;
        }
    };
    const found = new Set(matchPicks(defaultPicks[i], m.truth, D / 2).pairs.map(([, j]) => j));
    m.truth.forEach((t, j) => add(found.has(j) ? 'found' : 'missed', t));
    for (const p of defaultPicks[i]) if (far(p, m.truth, 0.75 * D)) add('farPicks', p);
  }
  const row = (kind: keyof typeof profiles) => Array.from(profiles[kind].sum, (v, k) => (v / profiles[kind].n[k]).toFixed(3)).join(' ');
  console.log(`   radial profile (mean, noise standard deviations; rings of 4 px from the centre outwards):`);
  console.log(`   labelled particles the defaults find:      ${row('found')}`);
  console.log(`   labelled particles the defaults miss:      ${row('missed')}`);
  console.log(`   shipped models' picks far from any label:  ${row('farPicks')}`);
}

if (!values.skip!.split(',').includes('ranking')) {
  // Every candidate at a low peak threshold (as bench/real.ts's best-afterwards rows), with its
  // scores, and blob filters (differences of Gaussians tuned to dark disks of 0.75, 1 and 1.25
  // particle radii) on the binned, flattened micrograph, read at the candidate.
  const shipped = await shippedModels();
  const blobRadii = [0.75, 1, 1.25].map((k) => (k * D) / 2);
  type Candidate = ScoredPick & { dog: number[] };
  const all: Candidate[][] = [];
  const dogs: Image2D[][] = [];
  for (const [i, f] of binned.entries()) {
    const maps = blobRadii.map((r) => dogResponse(f, r / S));
    dogs.push(maps);
    const at = (img: Image2D, p: { x: number; y: number }) =>
      img.data[Math.min(img.height - 1, Math.max(0, toBinned(p.y))) * img.width + Math.min(img.width - 1, Math.max(0, toBinned(p.x)))];
    const r = await pickMicrograph(sessions[i], shipped, {
      ...DEFAULT_PICK_PARAMS,
      diameter: D,
      threshold: 0.5,
      cutoff: 1,
      calibrate: false,
    });
    all.push(r.all.map((p) => ({ ...p, dog: maps.map((img) => at(img, p)) })));
  }
  const perMic = all.reduce((n, c) => n + c.length, 0) / all.length;
  console.log(
    `5. ranking: the ${perMic.toFixed(0)} candidates per micrograph, each score's best threshold afterwards (picks per micrograph kept):`,
  );
  const line = (what: string, b: { scores: Scores; perMic: number }) =>
    console.log(`   ${what.padEnd(36)} ${pct(b.scores)}, ${b.perMic.toFixed(0)}`);
  const rankings: [string, (p: Candidate) => number | undefined][] = [
    ['classifier p(particle)', (p) => p.pClassifier],
    ['detector peak height', (p) => p.peakHeight],
    ['detector raw output', (p) => p.detectorRaw],
    ...blobRadii.map((r, k): [string, (p: Candidate) => number] => [`blob filter for radius ${r} px`, (p) => p.dog[k]]),
  ];
  for (const [what, score] of rankings) line(what, bestOver(all, scoring, score));

  // Where do the default picks that match a label lie? Uniform placement within the matching
  // radius puts a share proportional to each ring's area in it.
  const ring = 4;
  const hist = new Float64Array(Math.ceil(D / 2 / ring));
  const dists: number[] = [];
  for (const [i, picks] of (await shippedDefaultPicks()).entries()) {
    for (const p of picks) {
      const d = Math.min(...scoring[i].truth.map((t) => Math.hypot(p.x - t.x, p.y - t.y)));
      if (d >= D / 2) continue;
      hist[Math.floor(d / ring)]++;
      dists.push(d);
    }
  }
  dists.sort((a, b) => a - b);
  const ratio = Array.from(hist, (n, k) => (n / dists.length / (((k + 1) ** 2 - k ** 2) / hist.length ** 2)).toFixed(2));
  console.log(
    `   localisation: the ${dists.length} default picks within one radius of a label lie a median ${dists[dists.length >> 1].toFixed(1)} px from it (uniform placement: ${(D / 2 / Math.SQRT2).toFixed(1)} px);`,
  );
  console.log(`   their share in each ${ring} px ring from the label outwards, over a uniform placement's: ${ratio.join(' ')}`);

  // The candidates moved to their blob filter's maximum within `reach` binned px, ranked by p(particle).
  for (const [k, radius] of blobRadii.entries())
    for (const reach of [2, 4]) {
      const moved = all.map((cands, i) => {
        const img = dogs[i][k];
        return cands.map((c) => {
          const cx = toBinned(c.x);
          const cy = toBinned(c.y);
          let best = { x: cx, y: cy, v: -Infinity };
          for (let y = Math.max(0, cy - reach); y <= Math.min(img.height - 1, cy + reach); y++)
            for (let x = Math.max(0, cx - reach); x <= Math.min(img.width - 1, cx + reach); x++) {
              const v = img.data[y * img.width + x];
              if ((x - cx) ** 2 + (y - cy) ** 2 <= reach * reach && v > best.v) best = { x, y, v };
            }
          return { ...c, x: fromBinned(best.x), y: fromBinned(best.y) };
        });
      });
      line(
        `moved to radius-${radius} blob max within ${reach * S} px`,
        bestOver(moved, scoring, (p) => p.pClassifier),
      );
    }
}

if (!values.skip!.split(',').includes('replica')) {
  // An ideal replica of each scoring micrograph: the labelled five's mean particle (full
  // resolution, out to one diameter, less its value there) placed at every label of it, in white
  // Gaussian noise as strong as what is left of the real micrograph once that model is taken
  // away. A picker cannot do better on the real micrographs than on their replica unless real
  // particles carry more than the mean particle does; `gain` scales the particle to ask how much
  // stronger it would have to be for a target F1.
  const shipped = await shippedModels();
  const profile = radialProfile(
    labelled.map((m) => flatten(m.micrograph.image, 1, 2 * D)),
    labelled.map((m) => m.truth),
    1,
    D,
  );
  const particleAt = (w: number, h: number, pts: readonly { x: number; y: number }[], gain: number) => {
    const out = new Float32Array(w * h);
    for (const t of pts) {
      const cx = Math.round(t.x);
      const cy = Math.round(t.y);
      for (let y = Math.max(-D, -cy); y <= Math.min(D, h - 1 - cy); y++)
        for (let x = Math.max(-D, -cx); x <= Math.min(D, w - 1 - cx); x++) {
          const r = Math.round(Math.hypot(x, y));
          if (r <= D) out[(cy + y) * w + cx + x] += gain * (profile[r] - profile[D]);
        }
    }
    return out;
  };
  const noiseSd = scoring.map((m) => {
    const f = flatten(m.micrograph.image, 1, 2 * D);
    const model = particleAt(f.width, f.height, m.truth, 1);
    let ss = 0;
    for (let i = 0; i < f.data.length; i++) ss += (f.data[i] - model[i]) ** 2;
    return Math.sqrt(ss / f.data.length);
  });
  const replicaRng = createRng(6);
  console.log(
    `6. ideal replicas (the labelled mean particle at every label, white noise of sd ${Math.min(...noiseSd).toFixed(3)}-${Math.max(...noiseSd).toFixed(3)}):`,
  );
  for (const gain of [1, 1.5, 2, 3]) {
    const replicas = scoring.map((m, i) => {
      const { width: w, height: h } = m.micrograph.image;
      const img = createImage(w, h, particleAt(w, h, m.truth, gain));
      for (let k = 0; k < img.data.length; k++) img.data[k] += noiseSd[i] * replicaRng.normal();
      return img;
    });
    const mf = bestOver(
      replicas.map((img) => matchedPeaks(flatten(img, S, 2 * D))),
      scoring,
      (c) => c.s,
    );
    const picks: ScoredPick[][] = [];
    for (const [i, img] of replicas.entries()) {
      const session = new PickSession(scoring[i].name, decodedMicrograph(img, scoring[i].micrograph));
      picks.push((await pickMicrograph(session, shipped, { ...DEFAULT_PICK_PARAMS, diameter: D })).picks);
    }
    console.log(
      `   particle x${gain}: matched filter, best threshold afterwards: ${pct(mf.scores)}; shipped models at defaults: ${pct(scoreSet(picks, scoring).scores)}`,
    );
  }
}
