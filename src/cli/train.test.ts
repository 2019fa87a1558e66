// `drpnet train-detector` / `train-classifier` end to end on files in a temporary folder:
// simulated micrographs (MRC) with their truth (STAR), one unreadable micrograph and one
// unreadable truth file, which must be reported and skipped.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../../test/helpers/fixtures';
import { serveDir } from '../../test/helpers/static-server';
import { readCoordinates, writeCoordinates } from '../core/coords';
import { writeMrc } from '../core/io/mrc';
import { readMetadata, loadModelFromUrl } from '../core/model/model-io';
import { loadModelFromDir } from './model-io-node';
import { simulateMicrograph, truthPicks } from '../core/simulate/simulate';
import { loadModels } from './models';
import { pickCommand } from './pick';
import { trainClassifierCommand, trainDetectorCommand } from './train';

const DIAMETER = '46'; // 'small' particles at 1.3 A/px: working radius 5 at scale 4
let root: string;
let mics: string;
let truth: string;

const detector = (...argv: string[]) =>
  captureOutput(() => trainDetectorCommand(['--micrographs', mics, '--truth', truth, '--diameter', DIAMETER, ...argv]));
const classifier = (...argv: string[]) =>
  captureOutput(() => trainClassifierCommand(['--micrographs', mics, '--diameter', DIAMETER, ...argv]));

async function history(dir: string): Promise<{ epoch: number; valLoss: number | null; loss: number; accuracy?: number }[]> {
  return JSON.parse(await readFile(path.join(dir, 'training.json'), 'utf8')).history;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-train-'));
  mics = path.join(root, 'mics');
  truth = path.join(root, 'truth');
  await mkdir(mics, { recursive: true });
  await mkdir(truth, { recursive: true });
  for (let i = 0; i < 3; i++) {
    const sim = simulateMicrograph({ width: 768, height: 768, pixelSize: 1.3, kind: 'small', seed: 40 + i });
    const name = `mic_${i + 1}.mrc`;
    await writeFile(path.join(mics, name), new Uint8Array(writeMrc(sim.image, { pixelSize: sim.pixelSize })));
    await writeFile(
      path.join(truth, `mic_${i + 1}_autopick.star`),
      writeCoordinates('star', truthPicks(sim), { micrographName: name, boxSize: 46 }),
    );
  }
  await writeFile(path.join(mics, 'broken.mrc'), 'not an MRC file');
  await writeFile(path.join(truth, 'broken_autopick.star'), 'data_\nloop_\n_rlnCoordinateX #1\nnot-a-number\n');
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('drpnet train-detector', () => {
  it('trains, reports progress and validation loss per epoch, skips bad files, and writes a loadable model', async () => {
    const out = path.join(root, 'fcrn');
    const run = await detector(
      '--out',
      out,
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--validation',
      '0.2',
      '--seed',
      '3',
      '--progress-every',
      '2',
    );
    expect(run.result).toBe(0);
    expect(run.stderr).toMatch(/\[1\/4\] .*broken\.mrc/); // sorted: broken.mrc comes first
    expect(run.stderr).toMatch(/SKIPPED .*broken\.mrc/);
    expect(run.stderr).toMatch(/skipped truth file .*broken_autopick\.star/);
    expect(run.stderr).toMatch(/mic_1\.mrc: \d+ particles, \d+ patches at working radius 5/);
    expect(run.stderr).toMatch(/epoch 1 batch 2\/\d+ loss/);
    expect(run.stderr).toMatch(/detector epoch 2, lr 1\.0e-4, loss [\d.]+, val loss [\d.]+, [\d.]+ samples\/s/);
    const h = await history(out);
    expect(h.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of h) expect(e.valLoss).toBeGreaterThan(0);

    const model = await loadModelFromDir(out);
    const meta = readMetadata(model);
    expect(meta).toMatchObject({ kind: 'fcrn', workingRadius: 7, inputSmoothing: 1, patchSize: 64 });
    expect(meta.trainingSummary).toMatchObject({ micrographs: 3, epochs: 2, batchSize: 8, seed: 3, init: null });
    expect((meta.trainingSummary!.skipped as string[]).length).toBe(1);
    // Measured after training, so per-micrograph calibration runs with this detector.
    expect(meta.noiseLevel).toBeGreaterThan(0);
    expect(run.stderr).toContain(`saved ${out}; pick with it: drpnet pick ... --detector ${out}`);
    // The CLI's loader, and the browser's (over HTTP), read the same files.
    expect((await loadModels({ detector: out, withClassifier: false })).fcrnMeta.kind).toBe('fcrn');
    const server = await serveDir(root);
    try {
      const url = `${server.url}fcrn/model.json`;
      const viaUrl = await loadModelFromUrl(url);
      expect(readMetadata(viaUrl).kind).toBe('fcrn');
      const [a, b] = [model.getWeights()[0].dataSync(), viaUrl.getWeights()[0].dataSync()];
      expect(Array.from(b)).toEqual(Array.from(a));
    } finally {
      await server.close();
    }
  });

  it('--init continues from an existing detector', async () => {
    const start = path.join(root, 'fcrn');
    const out = path.join(root, 'fcrn-tuned');
    // With the smallest learning rate the table allows, one step leaves the starting weights within
    // about 1e-7 (Adam's steps are about the learning rate), where a fresh seed's differ by ~0.1.
    const run = await detector(
      '--out',
      out,
      '--init',
      start,
      '--epochs',
      '1',
      '--lr',
      '1e-7',
      '--batch-size',
      '16',
      '--per-micrograph',
      '5',
    );
    expect(run.result).toBe(0);
    expect(run.stderr).toContain(`from ${start}`);
    const [a, b] = await Promise.all([loadModelFromDir(start), loadModelFromDir(out)]);
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    let maxDiff = 0;
    wa.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - wb[i][j])))));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(readMetadata(b).trainingSummary).toMatchObject({ init: start, perMicrograph: 5 });
    await expect(detector('--out', out, '--init', path.join(root, 'nothing-here'))).rejects.toThrow(/nothing-here.*model description/);
  });

  it('refuses a STAR file named as a micrograph, as fine-tune does', async () => {
    const list = path.join(truth, 'mic_1_autopick.star');
    await expect(
      captureOutput(() =>
        trainDetectorCommand(['--micrographs', list, '--truth', truth, '--diameter', DIAMETER, '--out', path.join(root, 'star')]),
      ),
    ).rejects.toThrow(`--micrographs: ${list}: a STAR file, not a micrograph`);
  });

  it('exits non-zero when no micrograph has truth', async () => {
    const empty = path.join(root, 'empty-truth');
    await mkdir(empty, { recursive: true });
    const run = await captureOutput(() =>
      trainDetectorCommand(['--micrographs', mics, '--truth', empty, '--diameter', DIAMETER, '--out', path.join(root, 'none')]),
    );
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/no ground-truth picks for this micrograph/);
    expect(run.stderr).toMatch(/nothing trained/);
  });

  it('skips a micrograph whose labels lie outside it (written for another binning), naming the file', async () => {
    const doubled = path.join(root, 'truth-x2');
    await mkdir(doubled, { recursive: true });
    const text = await readFile(path.join(truth, 'mic_1_autopick.star'), 'utf8');
    const picks = [...readCoordinates(text, 'mic_1_autopick.star').values()][0];
    const file = path.join(doubled, 'mic_1_autopick.star');
    await writeFile(
      file,
      writeCoordinates(
        'star',
        picks.map((p) => ({ ...p, x: 2 * p.x, y: 2 * p.y })),
        { micrographName: 'mic_1.mrc', boxSize: 46 },
      ),
    );
    const run = await captureOutput(() =>
      trainDetectorCommand([
        '--micrographs',
        path.join(mics, 'mic_1.mrc'),
        '--truth',
        doubled,
        '--diameter',
        DIAMETER,
        '--out',
        path.join(root, 'x2'),
      ]),
    );
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`SKIPPED ${file}: \\d+ of ${picks.length} coordinates lie outside mic_1.mrc \\(768 x 768 px\\)`));
    expect(run.stderr).toMatch(/nothing trained/);
  });

  it('learns from labels a particles STAR puts just past the edge (within a radius), as eval does, leaving those points out', async () => {
    const past = path.join(root, 'truth-past');
    await mkdir(past, { recursive: true });
    const text = await readFile(path.join(truth, 'mic_1_autopick.star'), 'utf8');
    const picks = [...readCoordinates(text, 'mic_1_autopick.star').values()][0];
    const withEdge = [...picks, { x: -5, y: 300 }];
    await writeFile(
      path.join(past, 'mic_1_autopick.star'),
      writeCoordinates('star', withEdge, { micrographName: 'mic_1.mrc', boxSize: 46 }),
    );
    const out = path.join(root, 'past');
    const run = await captureOutput(() =>
      trainDetectorCommand([
        '--micrographs',
        path.join(mics, 'mic_1.mrc'),
        '--truth',
        past,
        '--diameter',
        DIAMETER,
        '--out',
        out,
        '--epochs',
        '1',
      ]),
    );
    expect(run.result, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/SKIPPED|lie outside/);
    expect(run.stderr).toContain(`mic_1.mrc: ${picks.length} particles,`);
  }, 120_000);
});

describe('drpnet train-classifier', () => {
  it('supervised from truth: trains with validation loss and accuracy, writes a classifier', async () => {
    const out = path.join(root, 'cls-truth');
    const run = await classifier(
      '--truth',
      truth,
      '--detector',
      path.join(root, 'fcrn'),
      '--out',
      out,
      '--epochs',
      '1',
      '--batch-size',
      '16',
      '--lr',
      '1e-4',
    );
    expect(run.result).toBe(0);
    expect(run.stderr).toMatch(/mic_2\.mrc: \d+ candidates; \d+ particle \/ \d+ background samples/);
    expect(run.stderr).toMatch(
      /classifier epoch 1, lr 1\.0e-4, loss [\d.]+, val loss [\d.]+, acc [\d.]+, val acc [\d.]+, [\d.]+ samples\/s/,
    );
    const model = await loadModelFromDir(out);
    expect(readMetadata(model)).toMatchObject({ kind: 'classifier', workingRadius: 7, patchSize: 64 });
    expect(readMetadata(model).trainingSummary).toMatchObject({ labels: 'truth', micrographs: 3 });
    expect((await history(out))[0].accuracy).toBeGreaterThan(0);
  });

  it('unsupervised: balanced detector-chosen samples, continuing from --init', async () => {
    const out = path.join(root, 'cls-unsup');
    const init = path.join(root, 'cls-truth');
    const run = await classifier(
      '--unsupervised',
      '--detector',
      path.join(root, 'fcrn'),
      '--threshold',
      '1',
      '--out',
      out,
      '--epochs',
      '1',
      '--init',
      init,
      '--seed',
      '2',
    );
    expect(run.result).toBe(0);
    expect(run.stderr).toContain('unsupervised labels: threshold 1 (levels 1, 2, 3)');
    const summary = readMetadata(await loadModelFromDir(out)).trainingSummary!;
    expect(summary).toMatchObject({ labels: 'unsupervised', init, batchSize: 8, learningRate: 5e-5 });
    expect(summary.particlePatches).toBe(summary.backgroundPatches);
    expect(summary.particlePatches).toBeGreaterThan(0);
    expect(Object.keys(summary.samplesChosenByReason as object)).toEqual(expect.arrayContaining(['strict-candidate', 'loose-candidate']));
    expect((await history(out))[0].valLoss).not.toBeNull();
    // `drpnet pick` loads the pair as it loads the shipped models.
    const models = await loadModels({ detector: path.join(root, 'fcrn'), classifier: out, withClassifier: true });
    expect(readMetadata(models.classifier!).kind).toBe('classifier');
    const picks = path.join(root, 'picks-own');
    const mic = path.join(mics, 'mic_1.mrc');
    const own = ['--diameter', DIAMETER, '--out', picks];
    const picked = await captureOutput(() => pickCommand([mic, ...own, '--detector', path.join(root, 'fcrn'), '--classifier', out]));
    expect(picked.result, picked.stderr).toBe(0);
    expect(await readFile(path.join(picks, 'mic_1_autopick.star'), 'utf8')).toContain('_rlnCoordinateX');
    // Each network's folder is checked for its kind, and for being there, before anything is picked.
    await expect(captureOutput(() => pickCommand([mic, ...own, '--detector', out]))).rejects.toThrow(
      `--detector ${out}: that is a classifier model, not a detector`,
    );
    await expect(captureOutput(() => pickCommand([mic, ...own, '--classifier', path.join(root, 'nowhere')]))).rejects.toThrow(
      /--classifier: .*nowhere\/model\.json: .*a network's folder holds model\.json and the weight files it names/,
    );
  });

  it('asks for exactly one of --truth and --unsupervised, and the right kind of --init model', async () => {
    await expect(detector('--out', path.join(root, 'x'), '--init', path.join(root, 'cls-truth'))).rejects.toThrow(
      /a classifier model, not a fcrn/,
    );
    await expect(classifier('--out', path.join(root, 'x'))).rejects.toThrow(/exactly one of --truth DIR and --unsupervised/);
    await expect(classifier('--out', path.join(root, 'x'), '--truth', truth, '--unsupervised')).rejects.toThrow(/exactly one/);
    await expect(classifier('--out', path.join(root, 'x'), '--truth', truth, '--strict-level', '3')).rejects.toThrow(
      '--strict-level goes with --unsupervised',
    );
  });

  it('refuses an output folder it cannot write before reading a micrograph, not after training', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    for (const run of [detector, (...a: string[]) => classifier('--truth', truth, ...a)]) {
      // checkWritableFolder's words: saving after training failed on a raw EEXIST from mkdir.
      await expect(run('--out', file)).rejects.toThrow(`${file}: cannot create the folder`);
    }
  });
});
