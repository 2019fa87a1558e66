// Micro-benchmark of the numeric core (preprocessing, blurs, percentiles, peak search).
// Run: npx tsx bench/numerics.ts [--quick]. Prints the median of several runs per item.
import { createImage, type Image2D } from '../src/core/image';
import { createRng } from '../src/core/random';
import { downsampleArea } from '../src/core/preprocess/downsample';
import { gaussianBlurExact, gaussianBlurRecursive } from '../src/core/preprocess/gaussian';
import { percentiles } from '../src/core/preprocess/percentile';
import { correctIllumination } from '../src/core/preprocess/illumination';
import {
  normaliseToUnit,
  preprocessForDetection,
  prepareNetworkInput,
  recentreMean,
  robustStretch,
} from '../src/core/preprocess/preprocess';
import { toGreyImage } from '../src/core/preprocess/display';
import { valueRange } from '../src/core/preprocess/reduce';
import { PeakFinder } from '../src/core/peaks';
import { median } from './stats';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 9;

function time(label: string, fn: () => unknown, runs = RUNS): number {
  fn(); // warm-up (JIT)
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  const m = median(ts);
  console.log(
    `${label.padEnd(52)} median ${m.toFixed(1).padStart(7)} ms  (min ${Math.min(...ts).toFixed(1)}, max ${Math.max(...ts).toFixed(1)}, n=${runs})`,
  );
  return m;
}

/** A micrograph-like image: noise, a slow ramp, dark blobs. */
function fakeMicrograph(w: number, h: number, seed: number): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  const d = img.data;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = 100 + 0.01 * x + rng.normal() * 5;
  for (let k = 0; k < 300; k++) {
    const cx = rng.uniform(0, w);
    const cy = rng.uniform(0, h);
    for (let y = Math.max(0, Math.floor(cy - 40)); y < Math.min(h, cy + 40); y++)
      for (let x = Math.max(0, Math.floor(cx - 40)); x < Math.min(w, cx + 40); x++)
        d[y * w + x] -= 6 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 20 * 20));
  }
  return img;
}

/** A detector-map-like image: Gaussian bumps of varied height on noise. */
function fakeMap(w: number, h: number, seed: number): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.next() * 0.05;
  const step = 24;
  for (let cy = step / 2; cy < h; cy += step)
    for (let cx = step / 2; cx < w; cx += step) {
      const a = rng.uniform(0.2, 1);
      const px = cx + rng.uniform(-3, 3);
      const py = cy + rng.uniform(-3, 3);
      for (let y = Math.max(0, Math.floor(py - 12)); y < Math.min(h, py + 12); y++)
        for (let x = Math.max(0, Math.floor(px - 12)); x < Math.min(w, px + 12); x++)
          d[y * w + x] += a * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * 4 * 4));
    }
  return img;
}

console.log(`node ${process.version}, single thread, ${RUNS} timed runs each (median)\n`);

console.log('# Preprocessing, 4096x4096 float32 at scale 3 (working 1366x1366)');
const big = fakeMicrograph(4096, 4096, 1);
const range = valueRange(big.data);
time('valueRange (min/max pass over 16.8M px)', () => valueRange(big.data));
time('downsampleArea x3', () => downsampleArea(big, 3));
const small = downsampleArea(big, 3);
time('normaliseToUnit (1366^2)', () => normaliseToUnit(small, range));
time('gaussian exact sigma 2 (1366^2)', () => gaussianBlurExact(small, 2));
time('percentiles 1/99 (1366^2, exact)', () => percentiles(small.data, [1, 99]));
time('percentiles 1/99 (4096^2, exact)', () => percentiles(big.data, [1, 99]), quick ? 1 : 3);
time('robustStretch (1366^2)', () => robustStretch(small));
time('recentreMean (1366^2)', () => recentreMean(small));
time('correctIllumination sigma 100 (1366^2)', () => correctIllumination(small));
time('preprocessForDetection total (4096^2, scale 3)', () => preprocessForDetection(big, 3, { negativeStain: false }));
time('preprocessForDetection total, negative stain', () => preprocessForDetection(big, 3, { negativeStain: true }), 3);
const pre = preprocessForDetection(big, 3, { negativeStain: false });
time('prepareNetworkInput (sigma 1)', () => prepareNetworkInput(pre, 1));
time('toGreyImage 4096^2 -> 2048 display', () => toGreyImage(big, { maxSide: 2048 }), 3);
time('toGreyImage 4096^2 -> 128 thumbnail', () => toGreyImage(big, { maxSide: 128 }), 3);

console.log('\n# Gaussian blur on 1800x1800: cost vs sigma');
const map = fakeMap(1800, 1800, 2);
for (const s of [2, 3, 4, 9]) time(`exact sigma ${s} (radius ${Math.ceil(3 * s)})`, () => gaussianBlurExact(map, s), quick ? 1 : 5);
for (const s of [2, 4, 9, 30, 100]) time(`recursive sigma ${s}`, () => gaussianBlurRecursive(map, s), quick ? 1 : 5);

console.log('\n# Peak detection on an 1800x1800 map (~5600 bumps)');
time('PeakFinder construct (normalise)', () => new PeakFinder(map));
const finder = new PeakFinder(map);
finder.find({ sigma: 4, threshold: 4, kLevel: 1 });
let n = 0;
const thresholds = [3, 4, 5, 6, 8];
let ti = 0;
const repick = time(
  're-pick, threshold change (maxima search only)',
  () => {
    n = finder.find({ sigma: 4, threshold: thresholds[ti++ % thresholds.length], kLevel: 1 }).length;
  },
  quick ? 5 : 21,
);
const sigmas = [4, 5, 6, 7, 9];
let si = 0;
time(
  're-pick, sigma change (one blur + search)',
  () => finder.find({ sigma: sigmas[si++ % sigmas.length], threshold: 4, kLevel: 1 }),
  quick ? 5 : 11,
);
time('findPeaks from scratch', () => new PeakFinder(map).find({ sigma: 4, threshold: 4, kLevel: 2 }), quick ? 3 : 7);
console.log(`(last re-pick found ${n} peaks)`);
console.log(`\nre-pick target <= 50 ms: ${repick <= 50 ? 'MET' : 'NOT MET'} (${repick.toFixed(1)} ms)`);
