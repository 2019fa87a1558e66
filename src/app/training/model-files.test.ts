// The model file format both ways between the CLI and the app:
// - `drpnet train-detector` output (a folder, or that folder zipped) loads through the app's
//   file loader (readModelUpload) and modelFromFiles to the very same network;
// - models trained by the app's worker code (trainModel -> modelToFiles) and downloaded as the
//   app's zip (modelZip) unpack into folders that `drpnet pick --models` and `train-* --init` use.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput, writeRandomModels } from '../../../test/helpers/fixtures';
import { writeCoordinates } from '../../core/coords';
import { DrpnetError } from '../../core/errors';
import { writeMrc } from '../../core/io/mrc';
import { initBackend } from '../../core/model/backend';
import { modelFromFiles, readMetadata } from '../../core/model/model-io';
import { loadModelFromDir } from '../../cli/model-io-node';
import { DEFAULT_PICK_PARAMS } from '../../core/params';
import type { Models } from '../../core/pipeline';
import { simulateMicrograph, truthPicks } from '../../core/simulate/simulate';
import { pickCommand } from '../../cli/pick';
import { trainClassifierCommand, trainDetectorCommand } from '../../cli/train';
import { detectorPatches, trainModel } from '../../../workers/training';
import { PickSession } from '../../core/pipeline';
import { simMicrograph } from '../../core/train/dataset';
import { fileSafeName, modelZip, readModelUpload, type UploadedFile } from './model-files';
import { packXY } from './review';

const DIAMETER = 46; // 'small' particles at 1.3 A/px
let root: string;
let mics: string;

async function folderFiles(dir: string): Promise<UploadedFile[]> {
  const names = await readdir(dir);
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(dir, name))) })));
}

async function samePredictions(a: tf.LayersModel, b: tf.LayersModel, shape: number[]): Promise<void> {
  const x = tf.randomUniform(shape, 0, 1, 'float32', 7);
  const [pa, pb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  expect(Array.from(pb.dataSync())).toEqual(Array.from(pa.dataSync()));
  tf.dispose([x, pa, pb]);
}

async function unzipTo(zip: Uint8Array, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(unzipSync(zip))) await writeFile(path.join(dir, name), bytes);
}

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-model-files-'));
  mics = path.join(root, 'mics');
  await mkdir(path.join(root, 'truth'), { recursive: true });
  await mkdir(mics, { recursive: true });
  const sim = simulateMicrograph({ width: 640, height: 640, pixelSize: 1.3, kind: 'small', seed: 81 });
  await writeFile(path.join(mics, 'mic_1.mrc'), new Uint8Array(writeMrc(sim.image, { pixelSize: sim.pixelSize })));
  await writeFile(
    path.join(root, 'truth', 'mic_1_autopick.star'),
    writeCoordinates('star', truthPicks(sim), { micrographName: 'mic_1.mrc', boxSize: DIAMETER }),
  );
  await writeRandomModels(path.join(root, 'random'));
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('CLI output loads in the app', () => {
  it('a train-detector folder, chosen as files or as a zip, builds the same network', async () => {
    const out = path.join(root, 'cli-fcrn');
    const run = await captureOutput(() =>
      trainDetectorCommand([
        '--micrographs',
        mics,
        '--truth',
        path.join(root, 'truth'),
        '--diameter',
        String(DIAMETER),
        '--out',
        out,
        '--epochs',
        '1',
        '--batch-size',
        '8',
      ]),
    );
    expect(run.result, run.stderr).toBe(0);
    const cli = await loadModelFromDir(out);
    const files = await folderFiles(out);
    expect(files.map((f) => f.name).sort()).toEqual(['model.json', 'training.json', 'weights.bin']);

    const asFiles = readModelUpload(files);
    const viaFiles = await modelFromFiles(asFiles.modelJson, asFiles.weights);
    expect(readMetadata(viaFiles)).toEqual(readMetadata(cli));
    await samePredictions(cli, viaFiles, [1, 48, 40, 1]);

    const zip = zipSync({
      'cli-fcrn/model.json': files.find((f) => f.name === 'model.json')!.bytes,
      'cli-fcrn/weights.bin': files.find((f) => f.name === 'weights.bin')!.bytes,
    });
    const asZip = readModelUpload([{ name: 'cli-fcrn.zip', bytes: zip }]);
    expect(asZip.source).toBe('cli-fcrn.zip');
    await samePredictions(cli, await modelFromFiles(asZip.modelJson, asZip.weights), [1, 48, 40, 1]);
  });

  it('joins weight shards into one weights.bin in manifest order', async () => {
    const dir = path.join(root, 'random', 'classifier');
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    const weights = new Uint8Array(await readFile(path.join(dir, 'weights.bin')));
    const cut = 1000;
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    const shards: UploadedFile[] = [
      { name: 'group1-shard2of2.bin', bytes: weights.subarray(cut) },
      { name: 'model.json', bytes: strToU8(JSON.stringify(json)) },
      { name: 'group1-shard1of2.bin', bytes: weights.subarray(0, cut) },
    ];
    const up = readModelUpload(shards);
    expect((up.modelJson.weightsManifest as { paths: string[] }[])[0].paths).toEqual(['weights.bin']);
    expect(Array.from(new Uint8Array(up.weights))).toEqual(Array.from(weights));
    await samePredictions(await loadModelFromDir(dir), await modelFromFiles(up.modelJson, up.weights), [2, 64, 64, 1]);
  });

  it('says which file is wrong or missing', () => {
    const json = {
      name: 'model.json',
      bytes: strToU8(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] })),
    };
    const err = (files: UploadedFile[]) => {
      try {
        readModelUpload(files);
      } catch (e) {
        expect(e).toBeInstanceOf(DrpnetError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err([json])).toMatch(/model\.json: model\.json names the weights file weights\.bin, which is not among the files chosen/);
    expect(err([{ name: 'weights.bin', bytes: new Uint8Array(4) }])).toMatch(
      /no model\.json: choose a model's model\.json together with its weights file/,
    );
    expect(err([{ name: 'model.json', bytes: strToU8('{not json') }])).toMatch(/model\.json: model\.json is not valid JSON/);
    expect(err([{ name: 'm.zip', bytes: strToU8('PK nonsense') }])).toMatch(/m\.zip: not a readable zip file/);
    expect(err([{ name: 'model.json', bytes: strToU8('{"format":"graph-model"}') }])).toMatch(/not a TensorFlow\.js layers model/);
  });
});

describe('app output loads in the CLI', () => {
  it('a detector and a classifier trained by the worker code, downloaded as zips, run `drpnet pick` and `train-* --init`', async () => {
    const fcrn = await loadModelFromDir(path.join(root, 'random', 'fcrn'));
    const models: Models = {
      fcrn,
      fcrnMeta: readMetadata(fcrn),
      classifier: await loadModelFromDir(path.join(root, 'random', 'classifier')),
    };
    const sim = simulateMicrograph({ width: 640, height: 640, pixelSize: 1.3, kind: 'small', seed: 81 });
    const session = new PickSession('mic_1.mrc', simMicrograph(sim));
    const params = { ...DEFAULT_PICK_PARAMS, diameter: DIAMETER };
    const options = { epochs: 1, batchSize: 4, learningRate: 1e-4, lrDecay: 1, validationFraction: 0, seed: 2 };
    const picks = truthPicks(sim).slice(0, 8);
    const det = await detectorPatches(session, models, params, packXY(picks), picks.length, 1);
    const trainedFcrn = await trainModel(
      { kind: 'detector', ...det },
      { init: 'active', options, summary: { labels: 'user picks' } },
      models,
    );
    const patches = new Float32Array(8 * 64 * 64).map((_, i) => (i % 97) / 97);
    const labels = Uint8Array.from({ length: 8 }, (_, i) => i % 2);
    const trainedCls = await trainModel(
      { kind: 'classifier', patches, labels, n: 8 },
      { init: 'active', options, summary: { labels: 'unsupervised' } },
      models,
    );

    const appModels = path.join(root, 'app-models');
    await unzipTo(
      modelZip(trainedFcrn.modelJson as Record<string, unknown>, trainedFcrn.weights, trainedFcrn.metadata),
      path.join(appModels, 'fcrn'),
    );
    await unzipTo(
      modelZip(trainedCls.modelJson as Record<string, unknown>, trainedCls.weights, trainedCls.metadata),
      path.join(appModels, 'classifier'),
    );
    const training = JSON.parse(await readFile(path.join(appModels, 'classifier', 'training.json'), 'utf8'));
    expect(training).toMatchObject({ labels: 'unsupervised', epochs: 1, history: [expect.objectContaining({ epoch: 1 })] });

    // The CLI's loader reads what the app built, weights for weights.
    const viaCli = await loadModelFromDir(path.join(appModels, 'classifier'));
    await samePredictions(await modelFromFiles(trainedCls.modelJson, trainedCls.weights), viaCli, [2, 64, 64, 1]);

    const out = path.join(root, 'picks');
    const pick = await captureOutput(() =>
      pickCommand([path.join(mics, 'mic_1.mrc'), '--diameter', String(DIAMETER), '--models', appModels, '--out', out, '--cutoff', '1']),
    );
    expect(pick.result).toBe(0);
    expect(strFromU8(new Uint8Array(await readFile(path.join(out, 'mic_1_autopick.star'))))).toContain('_rlnCoordinateX');

    const more = await captureOutput(() =>
      trainClassifierCommand([
        '--micrographs',
        mics,
        '--diameter',
        String(DIAMETER),
        '--unsupervised',
        '--detector',
        path.join(appModels, 'fcrn'),
        '--init',
        path.join(appModels, 'classifier'),
        '--epochs',
        '1',
        '--threshold',
        '1',
        '--out',
        path.join(root, 'cli-from-app'),
      ]),
    );
    expect(more.stderr).toContain(`from ${path.join(appModels, 'classifier')}`);
    expect(more.result).toBe(0);
  });

  it('names downloads safely', () => {
    expect(fileSafeName('classifier (unsupervised) 2026-01-02 10:11')).toBe('classifier_unsupervised_2026-01-02_10_11');
    expect(fileSafeName('///')).toBe('model');
  });
});
