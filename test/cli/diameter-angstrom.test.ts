// `drpnet pick --diameter-angstrom`: the diameter in Å, converted with each micrograph's own pixel
// size (its MRC header) or with --angpix, gives the same picks as the same diameter in pixels.
// Random-weight models: these tests check the conversion and its refusals, not pick quality.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage } from '../../src/core/image';
import { writeMrc } from '../../src/core/io/mrc';
import { writeRelionCoordinates } from '../../src/core/coords/relion';
import { main } from '../../src/cli/main';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput, PIXEL_SIZE, writeRandomModels, writeSimulatedMrc } from '../helpers/fixtures';

const DIAMETER_PX = 28;
let root: string;
let mics: string;
let models: string;

const pick = (...argv: string[]) => captureOutput(() => pickCommand([...argv, '--models', models]));

async function outputs(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir).catch(() => [] as string[])).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as [string, string])));
}

/** A 16-bit PNG micrograph, grey.png in `dir`: a format that carries no pixel size. */
async function writeGreyPng(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const data = new Uint16Array(200 * 160).map((_, i) => (i * 7919) % 65536);
  await writeFile(path.join(dir, 'grey.png'), encodePng({ width: 200, height: 160, data, depth: 16, channels: 1 }));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-angstrom-'));
  mics = path.join(root, 'mics');
  models = await writeRandomModels(path.join(root, 'models'));
  for (let i = 0; i < 2; i++) await writeSimulatedMrc(path.join(mics, `mic_${i + 1}.mrc`), 30 + i);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('drpnet pick --diameter-angstrom', () => {
  it("converts with each MRC header's pixel size: the same files as --diameter in pixels, box size included", async () => {
    const px = await pick(mics, '--diameter', String(DIAMETER_PX), '--format', 'star,box', '--out', path.join(root, 'px'));
    const angstrom = DIAMETER_PX * PIXEL_SIZE;
    const a = await pick(mics, '--diameter-angstrom', String(angstrom), '--format', 'star,box', '--out', path.join(root, 'a'));
    expect(px.result).toBe(0);
    expect(a.result).toBe(0);
    const expected = await outputs(path.join(root, 'px'));
    expect(expected.size).toBe(4);
    expect(await outputs(path.join(root, 'a'))).toEqual(expected);
    expect(a.stderr).toContain(`diameter ${angstrom} Å, in each micrograph's pixels from its own pixel size`);
    expect(a.stderr).toMatch(new RegExp(`mic_1\\.mrc: \\d+ picks in [\\d.]+ s \\(diameter ${DIAMETER_PX} px at ${PIXEL_SIZE} Å/px`));
  });

  it('--angpix converts over what the header says, and says where they disagree', async () => {
    const a = await pick(mics, '--diameter-angstrom', String(DIAMETER_PX * 2), '--angpix', '2', '--out', path.join(root, 'angpix'));
    expect(a.result).toBe(0);
    expect(a.stderr).toContain(`diameter ${DIAMETER_PX * 2} Å = ${DIAMETER_PX} px at 2 Å/px (--angpix)`);
    expect(a.stderr).toMatch(new RegExp(`mic_1\\.mrc: \\d+ picks in [\\d.]+ s \\(its header says ${PIXEL_SIZE} Å/px, not used`));
    // RELION's --angpix -1 ("what the files say") is --angpix left out.
    const header = await pick(
      mics,
      '--diameter-angstrom',
      String(DIAMETER_PX * PIXEL_SIZE),
      '--angpix',
      '-1',
      '--out',
      path.join(root, 'angpix-1'),
    );
    expect(header.result).toBe(0);
    expect(header.stderr).toContain(`(diameter ${DIAMETER_PX} px at ${PIXEL_SIZE} Å/px from its header`);
    const star = (m: Map<string, string>) => new Map([...m].filter(([f]) => f.endsWith('.star')));
    expect(await outputs(path.join(root, 'angpix'))).toEqual(star(await outputs(path.join(root, 'px'))));
  });

  it('refuses PNG micrographs before picking (they carry no pixel size), and picks them with --angpix', async () => {
    const dir = path.join(root, 'png');
    await writeGreyPng(dir);
    const out = path.join(root, 'png-out');
    await expect(pick(dir, '--diameter-angstrom', '36', '--out', out)).rejects.toThrow(
      /grey\.png: PNG files carry no pixel size, so --diameter-angstrom cannot be converted to pixels; give --angpix/,
    );
    expect(await outputs(out)).toEqual(new Map());
    const run = await pick(dir, '--diameter-angstrom', '36', '--angpix', '1.2', '--out', out);
    expect(run.result).toBe(0);
    expect([...(await outputs(out)).keys()]).toEqual(['grey_autopick.star']);
  });

  it('an MRC whose header has no pixel size fails alone, named, and the others are picked', async () => {
    const dir = path.join(root, 'mixed');
    await mkdir(dir, { recursive: true });
    await writeSimulatedMrc(path.join(dir, 'a.mrc'), 40);
    await writeFile(path.join(dir, 'b.mrc'), new Uint8Array(writeMrc(createImage(200, 160, new Float32Array(200 * 160).fill(1)))));
    const run = await pick(dir, '--diameter-angstrom', '36.4', '--out', path.join(root, 'mixed-out'));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(
      /FAILED .*b\.mrc: no pixel size is known for this micrograph \(its file gives none\), so .* give --angpix A \(Å per pixel\), or --diameter in pixels/,
    );
    expect([...(await outputs(path.join(root, 'mixed-out'))).keys()]).toEqual(['a_autopick.star']);

    // A header that gives one no micrograph has (written wrong) is taken as none, and said so.
    await writeFile(
      path.join(dir, 'b.mrc'),
      new Uint8Array(writeMrc(createImage(200, 160, new Float32Array(200 * 160).fill(1)), { pixelSize: 1000 })),
    );
    const wrong = await pick(dir, '--diameter-angstrom', '36.4', '--out', path.join(root, 'mixed-out2'));
    expect(wrong.stderr).toMatch(
      /FAILED .*b\.mrc: no pixel size is known for this micrograph \(its header's, 1000 Å\/px, is none a micrograph has\)/,
    );
  });

  it.each([
    [['--diameter', '120A'], '--diameter is in pixels; for 120 Å give --diameter-angstrom 120'],
    [['--diameter', '64', '--diameter-angstrom', '120'], 'give the particle diameter once'],
    [['--diameter', '64', '--angpix', '1'], '--angpix converts --diameter-angstrom to pixels'],
    [
      ['--diameter-angstrom', '5000', '--angpix', '1'],
      '--diameter-angstrom 5000 is 5000 px at 1 Å/px, and the diameter must be a number from 10 to 800 pixels',
    ],
    [['--diameter-angstrom', '-5'], "--diameter-angstrom: '-5' is not a valid value"],
    [[], '--diameter PX (pixels) or --diameter-angstrom A (Å) is required'],
    [['--diameter-angstrom', '128A'], '--diameter-angstrom is in Å already: give --diameter-angstrom 128'],
  ])('refuses %j before picking', async (argv, message) => {
    const out = path.join(root, 'refused');
    await expect(pick(mics, ...argv, '--out', out)).rejects.toThrow(message);
    expect(await outputs(out)).toEqual(new Map());
  });

  it('a diameter that is out of range on one micrograph fails that one, naming it', async () => {
    const run = await pick(mics, '--diameter-angstrom', '2000', '--out', path.join(root, 'too-big'));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/FAILED .*mic_1\.mrc: --diameter-angstrom 2000 is 1538\.5 px at 1\.3 Å\/px, and the diameter must be/);
  });

  it('in pixels, says once what the diameter is in Å where a pixel size is known', async () => {
    const run = await pick(mics, '--diameter', String(DIAMETER_PX), '--out', path.join(root, 'px-note'));
    expect(run.result).toBe(0);
    const said = `diameter ${DIAMETER_PX} px = ${DIAMETER_PX * PIXEL_SIZE} Å at ${PIXEL_SIZE} Å/px`;
    expect(run.stderr.split(said)).toHaveLength(2);
  });

  it('train-classifier takes the diameter in Å, converted with each MRC header, and records both', async () => {
    const truth = path.join(root, 'truth');
    await mkdir(truth, { recursive: true });
    for (const n of ['mic_1', 'mic_2'])
      await writeFile(
        path.join(truth, `${n}.star`),
        writeRelionCoordinates([
          { x: 100, y: 100 },
          { x: 250, y: 180 },
          { x: 300, y: 80 },
        ]),
      );
    const out = path.join(root, 'classifier-a');
    const angstrom = DIAMETER_PX * PIXEL_SIZE;
    const run = await captureOutput(() =>
      main([
        'train-classifier',
        '--micrographs',
        mics,
        '--truth',
        truth,
        '--diameter-angstrom',
        String(angstrom),
        '--epochs',
        '1',
        '--out',
        out,
      ]),
    );
    expect(run.result, run.stderr).toBe(0);
    expect(run.stderr).toContain(`diameter ${angstrom} Å, in each micrograph's pixels from its own pixel size`);
    const summary = JSON.parse(await readFile(path.join(out, 'training.json'), 'utf8'));
    expect(summary).toMatchObject({ diameter: null, diameterAngstrom: angstrom });
    expect(run.stderr).toMatch(new RegExp(`mic_1\\.mrc: .*, diameter ${DIAMETER_PX} px \\(`));
  }, 120_000);

  it('fine-tune refuses micrographs without a pixel size before training, naming the file, and two diameters', async () => {
    const dir = path.join(root, 'png-train');
    await writeGreyPng(dir);
    const truth = path.join(root, 'png-truth');
    await mkdir(truth, { recursive: true });
    await writeFile(path.join(truth, 'grey.star'), writeRelionCoordinates([{ x: 60, y: 60 }]));
    const out = path.join(root, 'ft-png');
    const args = ['fine-tune', '--micrographs', dir, '--truth', truth, '--models', models, '--diameter-angstrom', '36', '--out', out];
    const run = await captureOutput(() => main(args));
    expect(run.result).toBe(2);
    expect(run.stderr).toMatch(
      /grey\.png.*no pixel size is known for this micrograph \(its file gives none\).*give --angpix A.*; nothing trained/,
    );
    await expect(readdir(path.join(out, 'fcrn'))).rejects.toThrow();
    // Both diameters, or --angpix with pixels: refused as pick refuses them.
    const twice = await captureOutput(() => main([...args, '--diameter', '30']));
    expect(twice.stderr).toContain('give the particle diameter once');
  });

  it('eval, which takes no pixel size, refuses the Å options with a pointer to --diameter', async () => {
    const run = await captureOutput(() => main(['eval', '--picks', mics, '--truth', mics, '--diameter-angstrom', '36']));
    expect(run.result).toBe(2);
    expect(run.stderr).toContain(
      '--diameter-angstrom: this command takes the particle diameter in pixels (--diameter PX); the commands that pick or train also take it in Å',
    );
  });
});
