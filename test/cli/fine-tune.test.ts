// `drpnet fine-tune`: adapts both networks from labelled micrographs (or none) and writes a
// models folder `drpnet pick --models` reads. Small simulated micrographs and few epochs: these
// tests check the command and its files; docs/quality.md measures what fine-tuning gains.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelionCoordinates, writeRelionCoordinates } from '../../src/core/coords/relion';
import { writeMrc } from '../../src/core/io/mrc';
import { simulateMicrograph, truthPicks } from '../../src/core/simulate/simulate';
import { SETTINGS_MARGIN, SUPERVISED_CROPS_PER_EPOCH } from '../../src/core/train/adapt';
import { main } from '../../src/cli/main';
import { SHIPPED_MODELS_DIR } from '../../src/cli/models';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput, PIXEL_SIZE } from '../helpers/fixtures';

// 'small' particles are 60 A across: 46 px at 1.3 A/px.
const DIAMETER = '46';
let root: string;
let mics: string;
let truth: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-fine-tune-'));
  mics = path.join(root, 'mics');
  truth = path.join(root, 'truth');
  await mkdir(mics, { recursive: true });
  await mkdir(truth, { recursive: true });
  for (let i = 0; i < 3; i++) {
    const sim = simulateMicrograph({ width: 512, height: 448, pixelSize: PIXEL_SIZE, kind: 'small', density: 0.3, seed: 40 + i });
    const name = `mic_${i + 1}`;
    await writeFile(path.join(mics, `${name}.mrc`), new Uint8Array(writeMrc(sim.image, { pixelSize: PIXEL_SIZE })));
    await writeFile(path.join(truth, `${name}.star`), writeRelionCoordinates(truthPicks(sim)));
  }
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const fineTune = (...argv: string[]) => captureOutput(() => main(['fine-tune', ...argv]));
/** From the three labelled micrographs, every particle labelled, few epochs. */
const supervised = (out: string, epochs: string, ...extra: string[]) =>
  fineTune(
    '--micrographs',
    mics,
    '--truth',
    truth,
    '--diameter',
    DIAMETER,
    '--out',
    out,
    '--epochs',
    epochs,
    '--classifier-epochs',
    '1',
    '--labels',
    'complete',
    ...extra,
  );

describe('drpnet fine-tune', () => {
  it('from labelled micrographs: writes both models and a report, and pick reads them', async () => {
    const out = path.join(root, 'tuned');
    const run = await supervised(out, '2');
    expect(run.result, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'fine-tune.json'), 'utf8'));
    expect(report.method).toBe('supervised fine-tuning');
    expect(report.micrographs).toEqual(['mic_1.mrc', 'mic_2.mrc']);
    expect(report.check.micrograph).toBe('mic_3.mrc');
    expect(typeof report.adapted).toBe('boolean');
    expect(report.detectorCropsPerEpoch).toBe(Math.min(report.detectorCrops, SUPERVISED_CROPS_PER_EPOCH));
    expect(run.stderr).toContain('held-out mic_3.mrc: old models F1');
    expect(report.classifierHistory).toHaveLength(1); // complete labels: background examples, so the classifier trains
    for (const kind of ['fcrn', 'classifier']) {
      const meta = JSON.parse(await readFile(path.join(out, kind, 'model.json'), 'utf8')).userDefinedMetadata;
      expect(meta.kind).toBe(kind);
    }
    // Pick settings chosen on the three labelled micrographs, checked with each left out of the
    // choice in turn, and written with the detector only when they picked better both ways.
    const st = report.settings;
    expect(Object.keys(st.chosen).sort()).toEqual(['calibrate', 'cutoff', 'threshold']);
    expect(st.check.micrographs).toBe(3);
    expect(st.train.tuned.f1).toBeGreaterThanOrEqual(st.train.current.f1);
    expect(st.kept).toBe(st.train.tuned.f1 > st.train.current.f1 && st.check.tuned.f1 >= st.check.current.f1 + SETTINGS_MARGIN);
    const fcrnMeta = JSON.parse(await readFile(path.join(out, 'fcrn', 'model.json'), 'utf8')).userDefinedMetadata;
    expect(fcrnMeta.pickSettings).toEqual(st.kept ? st.chosen : undefined);
    expect(run.stderr).toMatch(
      /pick settings: threshold [\d.]+, cutoff [\d.]+, calibrate (true|false) on the labelled micrographs: F1 .*; each of the 3 left out of the choice in turn: F1/,
    );
    const picked = await captureOutput(() =>
      pickCommand([path.join(mics, 'mic_3.mrc'), '--diameter', DIAMETER, '--models', out, '--out', path.join(root, 'picks')]),
    );
    expect(picked.result, picked.stderr).toBe(0);
    expect(picked.stderr.includes("the models' own settings (drpnet fine-tune)")).toBe(st.kept);
    expect(picked.stderr).not.toContain('were fine-tuned at diameter');
    // Picked at a very different diameter: probably another data set, which the log says.
    const other = await captureOutput(() =>
      pickCommand([
        path.join(mics, 'mic_3.mrc'),
        '--diameter',
        String(2 * Number(DIAMETER)),
        '--models',
        out,
        '--out',
        path.join(root, 'picks2'),
      ]),
    );
    expect(other.stderr).toContain(`warning: the models in ${out} were fine-tuned at diameter ${DIAMETER} px (fine-tune.json)`);
    // A diameter in Å is converted with each micrograph's own pixel size, so the micrograph is named.
    const angstrom = await captureOutput(() =>
      pickCommand([
        path.join(mics, 'mic_3.mrc'),
        '--diameter-angstrom',
        (2 * Number(DIAMETER) * PIXEL_SIZE).toFixed(1),
        '--models',
        out,
        '--out',
        path.join(root, 'picks3'),
      ]),
    );
    expect(angstrom.result, angstrom.stderr).toBe(0);
    expect(angstrom.stderr).toContain(
      `warning: the models in ${out} were fine-tuned at diameter ${DIAMETER} px (fine-tune.json); ${path.join(mics, 'mic_3.mrc')} is picked at ${2 * Number(DIAMETER)} px`,
    );
  }, 300_000);

  it('from models that carry pick settings: tuning starts from them', async () => {
    // The shipped models with a peak threshold that keeps almost nothing, as an earlier fine-tune might have written.
    const start = path.join(root, 'strict-models');
    for (const kind of ['fcrn', 'classifier']) {
      await mkdir(path.join(start, kind), { recursive: true });
      await copyFile(path.join(SHIPPED_MODELS_DIR, kind, 'weights.bin'), path.join(start, kind, 'weights.bin'));
      const json = JSON.parse(await readFile(path.join(SHIPPED_MODELS_DIR, kind, 'model.json'), 'utf8'));
      if (kind === 'fcrn') json.userDefinedMetadata.pickSettings = { threshold: 40 };
      await writeFile(path.join(start, kind, 'model.json'), JSON.stringify(json));
    }
    const out = path.join(root, 'from-strict');
    const run = await supervised(out, '1', '--models', start);
    expect(run.result, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'fine-tune.json'), 'utf8'));
    // Threshold 40 was where tuning started; every setting of the grid keeps more, and picks better.
    expect(report.settings.train.current.recall).toBeLessThan(0.2);
    expect(report.settings.kept).toBe(true);
    expect(report.settings.chosen.threshold).toBeLessThan(40);
    const fcrnMeta = JSON.parse(await readFile(path.join(out, 'fcrn', 'model.json'), 'utf8')).userDefinedMetadata;
    expect(fcrnMeta.pickSettings).toEqual(report.settings.chosen);
  }, 300_000);

  it('partial labels (the default) give the classifier no background: it is kept, and the log says why', async () => {
    const out = path.join(root, 'partial');
    const run = await fineTune('--micrographs', mics, '--truth', truth, '--diameter', DIAMETER, '--out', out, '--epochs', '1');
    expect(run.result, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'fine-tune.json'), 'utf8'));
    expect(report.labelsComplete).toBe(false);
    expect(report.classifier).toBe('kept');
    expect(report.run).toEqual({
      diameter: Number(DIAMETER),
      negativeStain: false,
      truth: truth,
      labels: 'partial',
      classifierEpochs: 4,
      epochs: 1,
      seed: 1,
      models: 'shipped',
    });
    expect(run.stderr).toMatch(/classifier: kept as it was: the labels give \d+ particle and 0 background examples/);
    expect(run.stderr).toContain(
      'partial labels: particles nobody labelled count as false picks, so precision and F1 above are lower bounds',
    );
    const shippedClassifier = path.join(SHIPPED_MODELS_DIR, 'classifier', 'weights.bin');
    expect(await readFile(path.join(out, 'classifier', 'weights.bin'))).toEqual(await readFile(shippedClassifier));
  }, 300_000);

  it('without labels: self-training writes models, keeps the classifier and says nothing checks them', async () => {
    const out = path.join(root, 'self');
    const run = await fineTune(mics, '--unsupervised', '--diameter', DIAMETER, '--out', out, '--epochs', '1');
    expect(run.result, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'fine-tune.json'), 'utf8'));
    expect(report.method).toBe('self-training');
    expect(report.check).toBeNull();
    expect(report.micrographs).toHaveLength(3);
    expect(report.detectorCropsPerEpoch).toBe(report.detectorCrops); // self-training keeps every crop
    expect(report.classifier).toBe('kept');
    const shippedClassifier = path.join(SHIPPED_MODELS_DIR, 'classifier', 'weights.bin');
    expect(await readFile(path.join(out, 'classifier', 'weights.bin'))).toEqual(await readFile(shippedClassifier));
    expect(await readFile(path.join(out, 'fcrn', 'weights.bin'))).not.toEqual(
      await readFile(path.join(SHIPPED_MODELS_DIR, 'fcrn', 'weights.bin')),
    );
    const withEpochs = await fineTune(mics, '--unsupervised', '--diameter', DIAMETER, '--out', out, '--classifier-epochs', '1');
    expect(withEpochs.result).toBe(2);
    expect(withEpochs.stderr).toContain('--classifier-epochs goes with --truth');
  }, 300_000);

  it('with a single labelled micrograph: the networks are still checked, on that micrograph', async () => {
    const one = path.join(root, 'truth-one');
    await mkdir(one, { recursive: true });
    await copyFile(path.join(truth, 'mic_1.star'), path.join(one, 'mic_1.star'));
    const out = path.join(root, 'one');
    const run = await fineTune('--micrographs', mics, '--truth', one, '--diameter', DIAMETER, '--out', out, '--epochs', '1');
    expect(run.result, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'fine-tune.json'), 'utf8'));
    expect(report.micrographs).toEqual(['mic_1.mrc']);
    expect(report.check).toMatchObject({ micrograph: 'mic_1.mrc', heldOut: false });
    // Kept only if the new networks pick it at least as well as the old ones did.
    expect(report.adapted).toBe(report.check.adapted.f1 >= report.check.base.f1);
    expect(run.stderr).toContain('mic_1.mrc, the only labelled micrograph (nothing held out');
    const written = await readFile(path.join(out, 'fcrn', 'weights.bin'));
    const shipped = await readFile(path.join(SHIPPED_MODELS_DIR, 'fcrn', 'weights.bin'));
    expect(written.equals(shipped)).toBe(!report.adapted);
  }, 300_000);

  it('refuses labels that lie outside their micrograph (another binning), before training', async () => {
    const doubled = path.join(root, 'truth-x2');
    await mkdir(doubled, { recursive: true });
    for (const n of ['mic_1', 'mic_2', 'mic_3']) await copyFile(path.join(truth, `${n}.star`), path.join(doubled, `${n}.star`));
    const text = await readFile(path.join(truth, 'mic_2.star'), 'utf8');
    const picks = readRelionCoordinates(text, 'mic_2.star');
    const file = path.join(doubled, 'mic_2.star');
    await writeFile(file, writeRelionCoordinates(picks.map((p) => ({ ...p, x: 2 * p.x, y: 2 * p.y }))));
    const out = path.join(root, 'x2');
    const run = await fineTune('--micrographs', mics, '--truth', doubled, '--diameter', DIAMETER, '--out', out);
    expect(run.result).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${file}: \\d+ of ${picks.length} coordinates lie outside mic_2.mrc \\(512 x 448 px\\)`));
    expect(run.stderr).toContain('Nothing trained');
    await expect(readFile(path.join(out, 'fine-tune.json'))).rejects.toThrow();
  }, 120_000);

  it('refuses labels that all lie in the top-left quarter of their micrographs (written for them binned by 2), before training', async () => {
    const halved = path.join(root, 'truth-half');
    await mkdir(halved, { recursive: true });
    for (const n of ['mic_1', 'mic_2', 'mic_3']) {
      const picks = readRelionCoordinates(await readFile(path.join(truth, `${n}.star`), 'utf8'), `${n}.star`);
      expect(picks.length).toBeGreaterThanOrEqual(20);
      await writeFile(path.join(halved, `${n}.star`), writeRelionCoordinates(picks.map((p) => ({ ...p, x: p.x / 2, y: p.y / 2 }))));
    }
    const out = path.join(root, 'half');
    const run = await fineTune('--micrographs', mics, '--truth', halved, '--diameter', DIAMETER, '--out', out);
    expect(run.result).toBe(2);
    expect(run.stderr).toMatch(/warning: .*mic_2\.star: all \d+ coordinates for mic_2\.mrc lie in its top-left quarter/);
    expect(run.stderr).toContain('written for the micrographs binned by 2? Nothing trained');
    await expect(readFile(path.join(out, 'fine-tune.json'))).rejects.toThrow();
  }, 120_000);

  it('refuses what cannot work before training', async () => {
    const out = path.join(root, 'refused');
    const both = await fineTune(mics, '--truth', truth, '--unsupervised', '--diameter', DIAMETER, '--out', out);
    expect(both.result).toBe(2);
    expect(both.stderr).toContain('exactly one of --truth DIR and --unsupervised');
    const labels = await fineTune(mics, '--truth', truth, '--labels', 'most', '--diameter', DIAMETER, '--out', out);
    expect(labels.stderr).toContain("--labels: unknown kind 'most'");
    const models = await fineTune(mics, '--truth', truth, '--diameter', DIAMETER, '--out', out, '--models', path.join(root, 'nowhere'));
    expect(models.result).toBe(2);
    expect(models.stderr).toContain('--models');
    const none = await fineTune(mics, '--truth', path.join(root, 'mics'), '--diameter', DIAMETER, '--out', out);
    expect(none.result).toBe(2);
    expect(none.stderr).toContain(`--truth ${path.join(root, 'mics')}: no coordinate files found`);
    // A label file that cannot be parsed is named as such, not passed over as no coordinate file.
    const malformed = path.join(root, 'malformed-truth');
    await mkdir(malformed, { recursive: true });
    const labelled = await readFile(path.join(truth, 'mic_1.star'), 'utf8');
    await writeFile(path.join(malformed, 'mic_1.star'), labelled.replace(/^(\d.*)$/m, '$1 7'));
    const unparsed = await fineTune(mics, '--truth', malformed, '--diameter', DIAMETER, '--out', out);
    expect(unparsed.result).toBe(2);
    expect(unparsed.stderr).toMatch(new RegExp(`skipped truth file ${path.join(malformed, 'mic_1.star')}: line \\d+: row has`));
    expect(unparsed.stderr).toContain(`--truth ${malformed}: none of its 1 coordinate file(s) could be read`);
    // Labels named for other micrographs: one line that shows both sets of names, and no output folder made.
    const others = path.join(root, 'other-truth');
    await mkdir(others, { recursive: true });
    await copyFile(path.join(truth, 'mic_1.star'), path.join(others, 'grid3_0007.star'));
    const unmatched = await fineTune(mics, '--truth', others, '--diameter', DIAMETER, '--out', path.join(root, 'never-made'));
    expect(unmatched.result).toBe(2);
    expect(unmatched.stderr).toContain(
      'no micrograph of --micrographs has labels in --truth (micrographs mic_1, mic_2, mic_3; labels for grid3_0007): are they of the same data set?',
    );
    await expect(readdir(path.join(root, 'never-made'))).rejects.toThrow();
    // A RELION STAR list named as a micrograph is refused as such.
    const list = path.join(root, 'micrographs.star');
    await writeFile(list, 'data_micrographs\nloop_\n_rlnMicrographName #1\nmics/mic_1.mrc\n');
    const star = await fineTune(list, '--truth', truth, '--diameter', DIAMETER, '--out', out);
    expect(star.result).toBe(2);
    expect(star.stderr).toContain(`--micrographs: ${list}: a STAR file, not a micrograph`);
    // A labelled micrograph that cannot be read stops it, named once: leaving it out would change the held-out one unseen.
    const broken = path.join(root, 'broken-mics');
    await mkdir(broken, { recursive: true });
    for (const n of ['mic_1.mrc', 'mic_2.mrc']) await copyFile(path.join(mics, n), path.join(broken, n));
    await writeFile(path.join(broken, 'mic_3.mrc'), (await readFile(path.join(mics, 'mic_3.mrc'))).subarray(0, 2000));
    const cut = await fineTune('--micrographs', broken, '--truth', truth, '--diameter', DIAMETER, '--out', out);
    expect(cut.result).toBe(2);
    const file = path.join(broken, 'mic_3.mrc');
    expect(cut.stderr).toContain(`cannot read ${file}: `);
    expect(cut.stderr.split(file).length - 1).toBe(1);
    await expect(readFile(path.join(out, 'fine-tune.json'))).rejects.toThrow();
    // An empty file and a dangling link are said in words, as pick says them.
    await writeFile(path.join(broken, 'mic_3.mrc'), '');
    const empty = await fineTune('--micrographs', broken, '--truth', truth, '--diameter', DIAMETER, '--out', out);
    expect(empty.stderr).toContain(`cannot read ${file}: the file is empty (0 bytes)`);
    await rm(path.join(broken, 'mic_3.mrc'));
    await symlink(path.join(broken, 'gone.mrc'), path.join(broken, 'mic_3.mrc'));
    const dangling = await fineTune('--micrographs', broken, '--truth', truth, '--diameter', DIAMETER, '--out', out);
    expect(dangling.stderr).toContain(`cannot read ${file}: a symbolic link to ${path.join(broken, 'gone.mrc')}, which does not exist`);
  }, 120_000);
});
