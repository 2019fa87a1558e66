// One whole pick in a fresh process (read, preprocess, FCRN, peaks, classifier, write), so
// its peak resident memory can be measured alone. Prints one JSON line.
// Usage: tsx bench/pick-once.ts <micrograph.mrc> <diameter> <out-dir>
import path from 'node:path';
import { writeCoordinates } from '../src/core/coords';
import { decodeMicrograph } from '../src/core/io/micrograph';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession, pickMicrograph } from '../src/core/pipeline';
import { readArrayBuffer, writeFileAtomic } from '../src/cli/files';
import { loadModels, startBackend } from '../src/cli/models';

/** The JSON line this script prints (times in ms, memory in bytes). */
export interface PickOnceResult {
  total: number;
  read: number;
  write: number;
  timings: Record<string, number>;
  picks: number;
  candidates: number;
  mapPixels: number;
  mapSize: string;
  rssBeforeBytes: number;
  maxRssBytes: number;
}

const [file, diameterText, outDir] = process.argv.slice(2);
const diameter = Number(diameterText);
await startBackend('wasm');
const models = await loadModels({ withClassifier: true });
// What the process holds before the micrograph: Node, tfjs, the WASM runtime and both models.
const rssBeforeBytes = process.memoryUsage().rss;
const t0 = performance.now();
const micrograph = await decodeMicrograph(await readArrayBuffer(file), file);
const tRead = performance.now() - t0;
const res = await pickMicrograph(new PickSession(file, micrograph), models, { ...DEFAULT_PICK_PARAMS, diameter });
const t1 = performance.now();
await writeFileAtomic(path.join(outDir, 'pick-once_autopick.star'), writeCoordinates('star', res.picks, { micrographName: path.basename(file), boxSize: diameter }));
const tWrite = performance.now() - t1;
const total = performance.now() - t0;
const { width, height } = res.detection.map;
const result: PickOnceResult = {
  total,
  read: tRead,
  write: tWrite,
  timings: res.timings,
  picks: res.picks.length,
  candidates: res.all.length,
  mapPixels: width * height,
  mapSize: `${width}x${height}`,
  rssBeforeBytes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
console.log(JSON.stringify(result));
