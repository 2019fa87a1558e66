// The shipped models (public/models) on a fixed input: the first demo micrograph
// (public/samples, simulated with a seed no training run used), picked at the default
// settings, checked against its ground truth. Guards the files the app and the CLI load.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModels, SHIPPED_MODELS_DIR } from '../../cli/models';
import { readCoordinates } from '../coords';
import { bufferReader } from '../io/byte-reader';
import { decodeMicrograph, openMicrograph, toArrayBuffer } from '../io/micrograph';
import { matchPicks } from '../metrics';
import { DEFAULT_PICK_PARAMS } from '../params';
import { PickSession, pickMicrograph, type Models } from '../pipeline';
import { chooseWorkingScale } from '../preprocess/scale';
import { initBackend } from './backend';
import { readMetadata } from './model-io';

const SAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public/samples');
const index: { micrograph: string; truth: string; diameter: number }[] = JSON.parse(readFileSync(path.join(SAMPLES, 'index.json'), 'utf8'));

describe('shipped models', () => {
  let models: Models;
  beforeAll(async () => {
    await initBackend('wasm');
    models = await loadModels({ withClassifier: true });
  });

  it('carry the metadata the pipeline relies on', () => {
    expect(models.fcrnMeta).toMatchObject({ kind: 'fcrn', workingRadius: 7, inputSmoothing: 1, patchSize: 64 });
    expect(readMetadata(models.classifier!, SHIPPED_MODELS_DIR)).toMatchObject({
      kind: 'classifier',
      workingRadius: 7,
      patchSize: 64,
      boxRadii: 4,
    });
    expect(models.fcrn.countParams()).toBe(26_561);
    expect(models.classifier!.countParams()).toBe(177_682);
  });

  it('pick the first demo micrograph at the defaults with F1 >= 0.85 against its truth', async () => {
    const s = index[0];
    const micrograph = await decodeMicrograph(toArrayBuffer(readFileSync(path.join(SAMPLES, s.micrograph))), s.micrograph);
    const truth = [...readCoordinates(readFileSync(path.join(SAMPLES, s.truth), 'utf8'), s.truth).values()].flat();
    const res = await pickMicrograph(new PickSession(s.micrograph, micrograph), models, { ...DEFAULT_PICK_PARAMS, diameter: s.diameter });
    const { scale } = chooseWorkingScale(s.diameter, micrograph.image.width, { refRadius: 7 });
    expect(res.detection.mapScale).toBe(scale);
    expect(res.detection.map.width).toBe(Math.ceil(micrograph.image.width / scale));
    // Measured when the models were made: F1 0.91 (recall 0.93, precision 0.89) on this micrograph.
    const m = matchPicks(res.picks, truth, s.diameter / 2);
    expect(m.f1).toBeGreaterThanOrEqual(0.85);
    for (const p of res.picks) expect(p.pParticle).toBeGreaterThan(1 - DEFAULT_PICK_PARAMS.cutoff);
  });

  it('pick the same from a streamed file as from the decoded micrograph (what the CLI does)', async () => {
    const s = index[0];
    const bytes = toArrayBuffer(readFileSync(path.join(SAMPLES, s.micrograph)));
    const params = { ...DEFAULT_PICK_PARAMS, diameter: s.diameter };
    const decoded = await pickMicrograph(new PickSession(s.micrograph, await decodeMicrograph(bytes, s.micrograph)), models, params);
    const streamed = await openMicrograph(bufferReader(bytes), s.micrograph);
    expect('image' in streamed).toBe(false);
    const fromFile = await pickMicrograph(new PickSession(s.micrograph, streamed), models, params);
    expect(fromFile.picks.length).toBeGreaterThan(0);
    expect(fromFile.all).toEqual(decoded.all);
  });
});
