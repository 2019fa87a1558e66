import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrpnetError } from '../errors';
import { initBackend } from './backend';
import { buildClassifier } from './classifier';
import { buildFcrn } from './fcrn';
import { createServer } from 'node:http';
import { loadModelFromUrl, readMetadata, validateMetadata, type ModelMetadata } from './model-io';
import { loadModelFromDir, saveModelToDir } from '../../cli/model-io-node';

const meta = (kind: 'fcrn' | 'classifier'): ModelMetadata => ({
  kind,
  workingRadius: 18,
  inputSmoothing: 3,
  patchSize: 64,
  created: '2025-01-01T00:00:00.000Z',
  trainingSummary: { epochs: 2, finalLoss: 0.5 },
});

describe('model files', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'drpnet-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('FCRN: save -> load gives identical outputs and metadata', async () => {
    const m = buildFcrn({ seed: 5 });
    await saveModelToDir(m, join(dir, 'fcrn'), meta('fcrn'));
    const json = JSON.parse(await readFile(join(dir, 'fcrn', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const loaded = await loadModelFromDir(join(dir, 'fcrn'));
    expect(readMetadata(loaded)).toEqual(meta('fcrn'));
    const x = tf.randomUniform([1, 19, 26, 1], 0, 1, 'float32', 4);
    const [a, b] = [m, loaded].map((mm) => (mm.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    tf.dispose([x]);
  });

  it('classifier: round trip keeps batch-norm statistics, file under 2 MB', async () => {
    const m = buildClassifier({ seed: 5 });
    // Non-trivial moving statistics so the round trip is meaningful.
    const bn = m.getLayer('bn1');
    bn.setWeights(bn.getWeights().map((w, i) => tf.fill(w.shape, 0.5 + i)));
    await saveModelToDir(m, join(dir, 'cls'), meta('classifier'));
    const bytes = (await readFile(join(dir, 'cls', 'weights.bin'))).byteLength;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    const loaded = await loadModelFromDir(join(dir, 'cls'));
    const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 4);
    const [a, b] = [m, loaded].map((mm) => (mm.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(readMetadata(loaded).kind).toBe('classifier');
  });

  it('missing, corrupt or mismatched files give a model-error naming the file', async () => {
    const missing = await loadModelFromDir(join(dir, 'nope')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DrpnetError);
    expect((missing as DrpnetError).message).toMatch(/nope.*model\.json.*does not exist/);

    await writeFile(join(dir, 'fcrn', 'model.json'), '{"modelTopology": ');
    await expect(loadModelFromDir(join(dir, 'fcrn'))).rejects.toThrow(/not valid JSON/);

    await writeFile(join(dir, 'cls', 'weights.bin'), new Uint8Array(100));
    await expect(loadModelFromDir(join(dir, 'cls'))).rejects.toThrow(/weights file has 100 bytes/);
  });

  it('loads over HTTP from a URL (weights found next to model.json)', async () => {
    const m = buildFcrn({ seed: 6 });
    await saveModelToDir(m, join(dir, 'http'), meta('fcrn'));
    const server = createServer(async (req, res) => {
      try {
        res.end(await readFile(join(dir, 'http', (req.url ?? '').split('/').pop()!)));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const loaded = await loadModelFromUrl(`http://127.0.0.1:${port}/models/model.json`);
      expect(readMetadata(loaded).workingRadius).toBe(18);
      expect(Array.from(loaded.getWeights()[0].dataSync())).toEqual(Array.from(m.getWeights()[0].dataSync()));
      const err = await loadModelFromUrl(`http://127.0.0.1:${port}/none/missing.json`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DrpnetError);
      expect((err as DrpnetError).message).toMatch(/missing\.json/);
    } finally {
      server.close();
    }
  });

  it('a model without our metadata is refused by readMetadata', () => {
    const m = buildFcrn();
    expect(() => readMetadata(m)).toThrow(DrpnetError);
  });

  it("pick settings in a detector's metadata: kept through save and load; unknown or out-of-range ones refused", async () => {
    const withSettings: ModelMetadata = { ...meta('fcrn'), pickSettings: { threshold: 0.5, cutoff: 1, calibrate: false } };
    await saveModelToDir(buildFcrn({ seed: 5 }), join(dir, 'tuned'), withSettings);
    expect(readMetadata(await loadModelFromDir(join(dir, 'tuned'))).pickSettings).toEqual({ threshold: 0.5, cutoff: 1, calibrate: false });
    expect(() => validateMetadata({ ...meta('fcrn'), pickSettings: { diameter: 64 } }, 'model.json')).toThrow(
      /pickSettings name 'diameter'; they may set only threshold, cutoff, calibrate/,
    );
    expect(() => validateMetadata({ ...meta('fcrn'), pickSettings: { cutoff: 2 } })).toThrow(
      /pickSettings give cutoff 2 \(a number from 0 to 1\)/,
    );
    expect(() => validateMetadata({ ...meta('fcrn'), pickSettings: { calibrate: 'yes' } })).toThrow(/calibrate "yes" \(true or false\)/);
    expect(() => validateMetadata({ ...meta('fcrn'), pickSettings: [] })).toThrow(/pickSettings must be an object/);
    expect(() => validateMetadata({ ...meta('classifier'), pickSettings: { cutoff: 1 } })).toThrow(/only a detector \(fcrn\) carries/);
  });
});
