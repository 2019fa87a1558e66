// `drpnet pick` and `drpnet eval` on the inputs a new user or a cluster operator gets wrong
// (issue 15): empty lists, named pipes, missing paths, folders where files belong, odd numbers,
// outputs that cannot be written. Bad arguments are refused before any work (exit 2); a bad
// input fails or is skipped on its own, with a message naming it, and the rest goes on.
// Random-weight models: these tests check the plumbing, not the quality of the picks.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCoordinates, writeRelionCoordinateList } from '../../src/core/coords';
import type { Particle } from '../../src/core/coords/types';
import { PICK_PARAMETERS } from '../../src/core/params';
import { describeFileSystemError, writeFileAtomic } from '../../src/cli/files';
import { evalCommand } from '../../src/cli/eval';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput, DRPNET_BIN, writeRandomModels, writeSimulatedMrc } from '../helpers/fixtures';

const DIAMETER = '28';
let root: string;
let mics: string;
let models: string;
const names = ['mic_01.mrc', 'mic_02.mrc'];

const pick = (...argv: string[]) => captureOutput(() => pickCommand([...argv, '--diameter', DIAMETER, '--models', models]));
/** `drpnet pick` with only the models added: the test gives every other option. */
const pickWith = (...argv: string[]) => captureOutput(() => pickCommand([...argv, '--models', models]));
const evaluate = (...argv: string[]) => captureOutput(() => evalCommand(argv));

/** Runs the real `drpnet` command; resolves with its exit status and output, or kills it after `limitMs`. */
function runCli(
  argv: string[],
  limitMs = 40_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DRPNET_BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const autopick = (mic: string) => mic.replace(/\.mrc$/, '_autopick.star');

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-hardening-'));
  mics = path.join(root, 'mics');
  models = await writeRandomModels(path.join(root, 'models'));
  for (let i = 0; i < names.length; i++) await writeSimulatedMrc(path.join(mics, names[i]), 31 + i);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pick: arguments are refused before any work (exit 2)', () => {
  it.each([[''], [','], [' , ']])('--format %j is an empty list', async (formats) => {
    const out = path.join(root, `empty-format-${formats.length}`);
    await expect(pick(mics, '--out', out, '--format', formats)).rejects.toThrow(/--format: .*no format/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('a mistyped option is refused with the one it most likely meant', async () => {
    await expect(pick(mics, '--out', path.join(root, 'typo'), '--treshold', '3')).rejects.toThrow(
      'unknown option --treshold; did you mean --threshold?',
    );
    await expect(evaluate('--pick', mics, '--truth', mics)).rejects.toThrow('unknown option --pick; did you mean --picks?');
    await expect(pick(mics, '--out', path.join(root, 'j'), '--j', '2')).rejects.toThrow(
      /^--j: this command picks in one process; .*--shard I\/N/,
    );
    await expect(evaluate('--colour', 'red')).rejects.toThrow(/^unknown option --colour\n/);
  });

  it('refuses two options where one would go unused without a word', async () => {
    await expect(evaluate('--picks', mics, '--truth', mics, '--radius', '10', '--diameter', '140')).rejects.toThrow(
      'give the matching radius once: --radius PX, or --diameter PX (the radius is half of it)',
    );
    await expect(pick(mics, '--out', path.join(root, 'box-star'), '--box-size', '200')).rejects.toThrow(
      '--box-size is written to .box and .cbox files, and --format star writes neither',
    );
    await expect(pick(mics, '--out', path.join(root, 'cut'), '--no-classifier', '--cutoff', '0.5')).rejects.toThrow(
      "--cutoff sets the classifier's cutoff, which --no-classifier leaves out; give one of them",
    );
  });

  it('a numeric option out of its range says what it takes, like the picking parameters do', async () => {
    await expect(pick(mics, '--out', path.join(root, 'box0'), '--box-size', '0')).rejects.toThrow(
      "--box-size: '0' is not a valid value (a number above 0)",
    );
    await expect(pick(mics, '--out', path.join(root, 'frame'), '--frame', '1.5')).rejects.toThrow(
      "--frame: '1.5' is not a valid value (a whole number, 0 or more)",
    );
    await expect(evaluate('--picks', mics, '--truth', mics, '--radius=-3')).rejects.toThrow(
      "--radius: '-3' is not a valid value (a number above 0)",
    );
  });

  it('--out "" is refused, not taken as the current folder', async () => {
    await expect(pick(mics, '--out', '')).rejects.toThrow(/--out: .*empty/);
  });

  it.each(['0x40', '0b101', '0o17', '1_000', '40px', 'Infinity', ''])('--diameter %j is not a number', async (value) => {
    await expect(pickWith(mics, '--out', path.join(root, 'nan'), '--diameter', value)).rejects.toThrow(
      /--diameter: .* is not a valid value/,
    );
  });

  // The smallest diameter is the parameter table's (src/core/params.ts); below it, refused as an argument.
  const { min: minDiameter } = PICK_PARAMETERS.diameter;
  it.each(['1', '1.5', String(minDiameter - 0.5)])('--diameter %s is too small to pick: refused as an argument', async (value) => {
    await expect(pickWith(mics, '--out', path.join(root, 'tiny'), '--diameter', value)).rejects.toThrow(
      new RegExp(`--diameter: .* is not a valid value \\(a number from ${minDiameter} to`),
    );
  });

  it('--models that does not exist fails once, before any micrograph', async () => {
    const missing = path.join(root, 'no-models');
    const run = captureOutput(() => pickCommand([mics, '--diameter', DIAMETER, '--models', missing, '--out', path.join(root, 'nomodels')]));
    await expect(run).rejects.toThrow(new RegExp(`--models: .*${missing}/fcrn/model\\.json`));
  });

  it('a models folder without a weights file fails once, before any micrograph, naming it', async () => {
    const partial = path.join(root, 'no-weights');
    await mkdir(partial, { recursive: true });
    for (const kind of ['fcrn', 'classifier']) {
      await mkdir(path.join(partial, kind), { recursive: true });
      await copyFile(path.join(models, kind, 'model.json'), path.join(partial, kind, 'model.json'));
    }
    await copyFile(path.join(models, 'fcrn', 'weights.bin'), path.join(partial, 'fcrn', 'weights.bin'));
    const run = captureOutput(() =>
      pickCommand([mics, '--diameter', DIAMETER, '--models', partial, '--out', path.join(root, 'noweights')]),
    );
    await expect(run).rejects.toThrow(`--models: ${partial}/classifier/weights.bin: no such file or folder`);
    // The weight files are those model.json names: the tfjs converter's names are found.
    const converted = path.join(root, 'converted');
    for (const kind of ['fcrn', 'classifier']) {
      await mkdir(path.join(converted, kind), { recursive: true });
      const json = JSON.parse(await readFile(path.join(models, kind, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['group1-shard1of1.bin'];
      await writeFile(path.join(converted, kind, 'model.json'), JSON.stringify(json));
      await copyFile(path.join(models, kind, 'weights.bin'), path.join(converted, kind, 'group1-shard1of1.bin'));
    }
    const ok = await captureOutput(() =>
      pickCommand([mics, '--diameter', DIAMETER, '--models', converted, '--out', path.join(root, 'converted-picks')]),
    );
    expect(ok.result, ok.stderr).toBe(0);
  });

  it('an --out that is a file is refused up front, in words, naming it', async () => {
    const file = path.join(root, 'out-is-a-file');
    await writeFile(file, 'x');
    await expect(pick(mics, '--out', file)).rejects.toThrow(new RegExp(`${file}.* is a file, not a folder`));
    await expect(pick(mics, '--out', path.join(file, 'below'))).rejects.toThrow(new RegExp(`${file}.* is a file, not a folder`));
  });

  it('an --out the system will not create (under /proc) is refused at once; Node alone would hang there', async () => {
    const run = await runCli(['pick', mics, '--diameter', DIAMETER, '--models', models, '--out', '/proc/drpnet-out/picks'], 20_000);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\/proc\/drpnet-out\/picks: cannot create the folder: cannot create \/proc\/drpnet-out: /);
  }, 30_000);
});

describe('pick: inputs', () => {
  it('--micrographs names inputs as fine-tune and train take them, with or beside positional ones', async () => {
    const out = path.join(root, 'named');
    const run = await pick('--micrographs', path.join(mics, names[0]), path.join(mics, names[1]), '--out', out);
    expect(run.result, run.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(names.map(autopick).sort());
  });

  it('a folder whose micrographs sit a level down (a RELION job: Movies/) is refused naming the subfolder', async () => {
    const job = path.join(root, 'MotionCorr', 'job002');
    await mkdir(path.join(job, 'Movies'), { recursive: true });
    await copyFile(path.join(mics, names[0]), path.join(job, 'Movies', names[0]));
    await expect(pick(job, '--out', path.join(root, 'job-picks'))).rejects.toThrow(
      new RegExp(`no micrograph files \\(.*\\) found in ${job}; its subfolders are not searched \\(${job}/Movies\\)`),
    );
  });

  it('micrographs in a subfolder of a folder that holds some too are named in a warning, not lost unseen', async () => {
    const raw = path.join(root, 'Raw');
    await mkdir(path.join(raw, 'sub'), { recursive: true });
    await mkdir(path.join(raw, 'logs'), { recursive: true });
    await copyFile(path.join(mics, names[0]), path.join(raw, names[0]));
    await copyFile(path.join(mics, names[1]), path.join(raw, 'sub', names[1]));
    await symlink(path.join(raw, 'sub'), path.join(raw, 'Movies')); // a linked folder, as RELION's Import makes
    const run = await pick(raw, '--out', path.join(root, 'raw-picks'));
    expect(run.result, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `warning: ${path.join(raw, 'sub')} holds 1 micrograph file(s), not read: subfolders are not searched (name it too)`,
    );
    expect(run.stderr).toContain(`warning: ${path.join(raw, 'Movies')} holds 1 micrograph file(s), not read`);
    expect(run.stderr).not.toContain('logs');
    expect(await readdir(path.join(root, 'raw-picks'))).toEqual([autopick(names[0])]);
  });

  it('a subfolder that is named too (or through a link) is read, not warned of as unsearched', async () => {
    const tree = path.join(root, 'named-tree');
    await mkdir(path.join(tree, 'b', 'c'), { recursive: true });
    await copyFile(path.join(mics, names[0]), path.join(tree, 'b', names[0]));
    await copyFile(path.join(mics, names[1]), path.join(tree, 'b', 'c', names[1]));
    await symlink(path.join(tree, 'b', 'c'), path.join(tree, 'c-link'));
    for (const sub of [path.join(tree, 'b', 'c'), path.join(tree, 'c-link')]) {
      const out = path.join(root, `named-tree-picks-${path.basename(sub)}`);
      const run = await pick(path.join(tree, 'b'), sub, '--out', out);
      expect(run.result, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('not searched');
      expect((await readdir(out)).sort()).toEqual([autopick(names[0]), autopick(names[1])]);
    }
  });

  it('a STAR file named as input fails alone, pointing to relion-external', async () => {
    const list = path.join(root, 'micrographs_ctf.star');
    await writeFile(list, 'data_micrographs\nloop_\n_rlnMicrographName #1\nmics/mic_01.mrc\n');
    const run = await pick(path.join(mics, names[0]), list, '--out', path.join(root, 'star-input'));
    expect(run.result).toBe(1);
    expect(run.stderr).toContain(
      `${list}: a STAR file, not a micrograph; to pick the micrographs a RELION STAR file lists, run drpnet relion-external --in_mics ${list}`,
    );
    expect(await readdir(path.join(root, 'star-input'))).toEqual([autopick(names[0])]);
  });
});

describe('pick: a bad input fails on its own, the rest are picked', () => {
  it('missing paths, a dangling link and a link loop on the command line: each named, the good ones picked, exit 1', async () => {
    const dir = path.join(root, 'missing');
    await mkdir(dir);
    await symlink(path.join(dir, 'nowhere.mrc'), path.join(dir, 'dangling.mrc'));
    await symlink(path.join(dir, 'loop_b.mrc'), path.join(dir, 'loop_a.mrc'));
    await symlink(path.join(dir, 'loop_a.mrc'), path.join(dir, 'loop_b.mrc'));
    const out = path.join(root, 'missing-out');
    const typo = path.join(root, 'micrograps');
    const glob = path.join(mics, '*.tiff');
    const run = await pick(
      typo,
      path.join(mics, names[0]),
      glob,
      path.join(dir, 'dangling.mrc'),
      path.join(dir, 'loop_a.mrc'),
      '--out',
      out,
    );
    expect(run.result).toBe(1);
    expect(run.stderr).toContain(`FAILED ${typo}: no such file or folder`);
    expect(run.stderr).toContain(`FAILED ${glob}: no such file or folder`);
    expect(run.stderr).toMatch(/FAILED .*dangling\.mrc: a symbolic link to .*nowhere\.mrc, which does not exist/);
    expect(run.stderr).toMatch(/FAILED .*loop_a\.mrc: a loop of symbolic links/);
    expect(run.stderr).toContain('1 picked, 4 failed');
    expect(await readdir(out)).toEqual([autopick(names[0])]);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--stats naming an existing folder: a warning, and picking goes on', async () => {
    const out = path.join(root, 'stats-dir');
    const statsDir = path.join(root, 'a-folder');
    await mkdir(statsDir);
    const run = await pick(path.join(mics, names[0]), '--out', out, '--stats', statsDir);
    expect(run.result).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`warning: --stats ${statsDir} cannot be written \\(.*is a folder.*\\); picking goes on without it`),
    );
    expect(await readdir(out)).toEqual([autopick(names[0])]);
  });

  it('a micrograph one of whose files cannot be written (a full disk) leaves none of them, and --resume picks it again', async () => {
    const out = path.join(root, 'half-written');
    // A folder where mic_01.box goes: the .star is written first, then the .box fails.
    await mkdir(path.join(out, 'mic_01.box'), { recursive: true });
    const run = await pick(path.join(mics, names[0]), '--out', out, '--format', 'star,box');
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/FAILED .*mic_01/);
    expect(await readdir(out)).toEqual(['mic_01.box']);
    await rm(path.join(out, 'mic_01.box'), { recursive: true });
    const again = await pick(path.join(mics, names[0]), '--out', out, '--format', 'star,box', '--resume');
    expect(again.result).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['mic_01.box', autopick(names[0])]);
  });

  it('named pipes called *.mrc, in a folder or given directly, are skipped with a message instead of blocking', async () => {
    const dir = path.join(root, 'fifo');
    await mkdir(dir);
    await copyFile(path.join(mics, names[0]), path.join(dir, names[0]));
    await copyFile(path.join(mics, names[1]), path.join(dir, 'z_last.mrc'));
    execFileSync('mkfifo', [path.join(dir, 'a_pipe.mrc'), path.join(root, 'direct_pipe.mrc')]);
    await mkdir(path.join(dir, 'folder.mrc'));
    const out = path.join(root, 'fifo-out');
    // In a folder: not a micrograph file, so skipped with a warning; the others are picked.
    const inFolder = await runCli(['pick', dir, '--diameter', DIAMETER, '--models', models, '--out', out]);
    expect(inFolder.timedOut).toBe(false);
    expect(inFolder.stderr).toMatch(/warning: skipped .*a_pipe\.mrc: not a regular file \(a named pipe\)/);
    expect(inFolder.stderr).toMatch(/warning: skipped .*folder\.mrc: not a regular file \(a folder\)/);
    expect(inFolder.stderr).toContain('2 picked, 0 failed');
    expect(inFolder.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([autopick(names[0]), 'z_last_autopick.star']);
    // Given by name: that input fails, the other is picked.
    const direct = await runCli([
      'pick',
      path.join(root, 'direct_pipe.mrc'),
      path.join(dir, names[0]),
      '--diameter',
      DIAMETER,
      '--models',
      models,
      '--out',
      path.join(root, 'fifo-out2'),
    ]);
    expect(direct.timedOut).toBe(false);
    expect(direct.stderr).toMatch(/FAILED .*direct_pipe\.mrc: not a regular file \(a named pipe\)/);
    expect(direct.stderr).toContain('1 picked, 1 failed');
    expect(direct.code).toBe(1);
  }, 90_000);
});

describe('file-system errors in words', () => {
  it('a full device (ENOSPC, which names no file) is said in words with the file it was writing', () => {
    let error: unknown;
    const fd = openSync('/dev/full', 'w');
    try {
      writeSync(fd, 'x');
    } catch (e) {
      error = e;
    } finally {
      closeSync(fd);
    }
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(describeFileSystemError(error, 'picks/mic_01_autopick.star')).toBe(
      'picks/mic_01_autopick.star: no space left on the device (the disk is full)',
    );
  });

  it('a failed atomic write names the file it meant to write', async () => {
    const target = path.join(root, 'atomic', 'x_autopick.star');
    await mkdir(target, { recursive: true });
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow(`${target}: cannot write the file: it is a folder`);
  });
});

describe('pick: output streams', () => {
  it('a reader that closes the pipe early (2>&1 | head) does not stop the picking', async () => {
    const out = path.join(root, 'closed-pipe');
    const child = spawn(process.execPath, [DRPNET_BIN, 'pick', mics, '--diameter', DIAMETER, '--models', models, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.destroy(); // as `head` exits: the next write meets EPIPE
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(names.map(autopick).sort());
  }, 60_000);
});

describe('eval', () => {
  const truthPicks: Particle[] = Array.from({ length: 10 }, (_, i) => ({ x: 40 + 60 * i, y: 50 + 17 * i }));
  /** What `pick --format ...` writes for mic_01.mrc, into `dir`. */
  async function writePicks(dir: string, formats: ('star' | 'box' | 'cbox' | 'topaz' | 'csv')[], picks: Particle[] = truthPicks) {
    await mkdir(dir, { recursive: true });
    const ext = { star: '_autopick.star', box: '.box', cbox: '.cbox', topaz: '.txt', csv: '.csv' };
    for (const f of formats)
      await writeFile(path.join(dir, `mic_01${ext[f]}`), writeCoordinates(f, picks, { micrographName: 'mic_01.mrc', boxSize: 28 }));
  }
  let truth: string;
  beforeAll(async () => {
    truth = path.join(root, 'truth');
    await writePicks(truth, ['star']);
  });

  it('reads one file per micrograph when a folder holds several formats (README: pick --format star,box, then eval)', async () => {
    const picks = path.join(root, 'eval-two-formats');
    // The .box holds extra false picks: reading both files would also show in the precision.
    await writePicks(picks, ['star']);
    await writePicks(picks, ['box'], [...truthPicks, { x: 900, y: 900 }]);
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json');
    expect(run.result).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.overall).toMatchObject({ tp: 10, fp: 0, fn: 0, precision: 1, recall: 1 });
    expect(run.stderr).toMatch(
      /warning: .*1 micrograph\(s\) have coordinates in several formats: used star, skipped box \(mic_01\.box\); --format chooses/,
    );
    expect(run.stderr).toMatch(/--picks .*: read star \(1 micrograph\)/);
    // --truth has no --format to choose with (nor have fine-tune and train-*): the warning says what does.
    const asTruth = await evaluate('--picks', truth, '--truth', picks, '--radius', '10', '--json');
    expect(asTruth.stderr).toMatch(
      /--truth .*several formats: used star, skipped box \(mic_01\.box\); to use another, keep only its files in the folder/,
    );
  });

  it("matches a pick file to the truth by the longest micrograph name it starts with, as the workbench does (Topaz's mic_01_topaz-run3.txt)", async () => {
    const picks = path.join(root, 'eval-prefix');
    await mkdir(picks, { recursive: true });
    await writeFile(
      path.join(picks, 'mic_01_run3.box'),
      writeCoordinates('box', truthPicks, { micrographName: 'mic_01.mrc', boxSize: 28 }),
    );
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json');
    expect(run.result).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).toMatch(/--picks: mic_01_run3 -> mic_01: matched to a micrograph by the start of the name only/);
    // Not where the micrograph has a file of its own: mic_01_2's picks stay mic_01_2's, not scored.
    const own = path.join(root, 'eval-prefix-own');
    await writePicks(own, ['box']);
    await writeFile(
      path.join(own, 'mic_01_2_autopick.star'),
      writeCoordinates('star', [{ x: 900, y: 900 }], { micrographName: 'mic_01_2.mrc', boxSize: 28 }),
    );
    const both = await evaluate('--picks', own, '--truth', truth, '--radius', '10', '--json');
    expect(JSON.parse(both.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(JSON.parse(both.stdout).picksWithoutTruth).toEqual(['mic_01_2']);
    // Given the micrographs, both folders are matched to them: truth named `mic_01_gt-v2`, picks `mic_01_run3`.
    const inside = truthPicks.slice(0, 5).map((p) => ({ x: p.x, y: p.y + 40 }));
    const labels = path.join(root, 'eval-prefix-truth');
    await mkdir(labels, { recursive: true });
    await writeFile(
      path.join(labels, 'mic_01_gt-v2.star'),
      writeCoordinates('star', inside, { micrographName: 'mic_01.mrc', boxSize: 28 }),
    );
    await writeFile(path.join(picks, 'mic_01_run3.box'), writeCoordinates('box', inside, { micrographName: 'mic_01.mrc', boxSize: 28 }));
    const given = await evaluate(
      '--picks',
      picks,
      '--truth',
      labels,
      '--radius',
      '10',
      '--json',
      '--micrographs',
      path.join(mics, 'mic_01.mrc'),
    );
    expect(given.result).toBe(0);
    expect(JSON.parse(given.stdout).overall).toMatchObject({ tp: 5, fp: 0, fn: 0 });
    expect(given.stderr).toMatch(/--truth: mic_01_gt-v2 -> mic_01: matched/);
  });

  it('--format chooses the format read (and the order of preference)', async () => {
    const picks = path.join(root, 'eval-choose');
    await writePicks(picks, ['star', 'topaz', 'csv']);
    await writePicks(picks, ['box'], [...truthPicks, { x: 900, y: 900 }]);
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json', '--format', 'box');
    expect(run.result).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 1, fn: 0 });
    expect(run.stderr).toMatch(/--picks .*: read box \(1 micrograph\)/);
    const csvFirst = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json', '--format', 'CSV,Star');
    expect(JSON.parse(csvFirst.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(csvFirst.stderr).toMatch(/used csv, skipped star \(mic_01_autopick\.star\)/);
    await expect(evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--format', 'png')).rejects.toThrow(
      /--format: unknown format 'png'/,
    );
    await expect(evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--format', ',')).rejects.toThrow(/--format: .*no format/);
  });

  it('two files of one format for one micrograph: refused, naming both', async () => {
    const picks = path.join(root, 'eval-same-format');
    await writePicks(picks, ['star']);
    await writeFile(
      path.join(picks, 'mic_01_manualpick.star'),
      writeCoordinates('star', truthPicks.slice(0, 3), { micrographName: 'mic_01.mrc', boxSize: 28 }),
    );
    await expect(evaluate('--picks', picks, '--truth', truth, '--radius', '10')).rejects.toThrow(
      /mic_01 has star coordinates in two files, .*mic_01_autopick\.star and .*mic_01_manualpick\.star/,
    );
  });

  it('skips what is not a coordinate file with a warning; a file that cannot be read fails alone (exit 1)', async () => {
    const picks = path.join(root, 'eval-strays');
    await writePicks(picks, ['star']);
    await mkdir(path.join(picks, 'x.star'));
    await writeFile(path.join(picks, 'remarks.txt'), 'remember to check the ice\n');
    await symlink(path.join(picks, 'gone.star'), path.join(picks, 'mic_02_autopick.star'));
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json');
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).toMatch(/warning: skipped .*x\.star: not a regular file \(a folder\)/);
    expect(run.stderr).toMatch(/warning: skipped .*remarks\.txt: not a coordinate file/);
    expect(run.stderr).toMatch(/FAILED .*mic_02_autopick\.star: a symbolic link to .*gone\.star, which does not exist/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.result).toBe(1);
  });

  it('a pick file that cannot be read leaves its micrograph out of the scores, not scored as nothing picked', async () => {
    const truth2 = path.join(root, 'truth-two');
    await writePicks(truth2, ['star']);
    await writeFile(
      path.join(truth2, 'mic_02_autopick.star'),
      writeCoordinates('star', truthPicks, { micrographName: 'mic_02.mrc', boxSize: 28 }),
    );
    const picks = path.join(root, 'eval-unreadable');
    await writePicks(picks, ['star']);
    await writeFile(path.join(picks, 'mic_02_autopick.star'), 'data_\nloop_\n_rlnAnglePsi #1\n12\n');
    const run = await evaluate('--picks', picks, '--truth', truth2, '--radius', '10', '--json');
    expect(run.result).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.micrographs.map((m: { micrograph: string }) => m.micrograph)).toEqual(['mic_01']);
    expect(json.overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).toMatch(/FAILED .*mic_02_autopick\.star/);
    // A truth micrograph with no pick file at all is scored as nothing picked, and said so.
    await rm(path.join(picks, 'mic_02_autopick.star'));
    const missing = await evaluate('--picks', picks, '--truth', truth2, '--radius', '10', '--json');
    expect(JSON.parse(missing.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 10 });
    expect(missing.stderr).toMatch(/ground truth without a pick file, scored as nothing picked: mic_02/);
  });

  it('a coordinate file that cannot be parsed (a row with a value too many) fails, named, in --picks and in --truth', async () => {
    const truth2 = path.join(root, 'truth-malformed');
    await writePicks(truth2, ['star']);
    const good = writeCoordinates('star', truthPicks, { micrographName: 'mic_02.mrc', boxSize: 28 });
    const extraValue = good.replace(/^(\d.*)$/m, '$1 7');
    await writeFile(path.join(truth2, 'mic_02_autopick.star'), good);
    const picks = path.join(root, 'eval-malformed');
    await writePicks(picks, ['star']);
    const bad = path.join(picks, 'mic_02_autopick.star');
    await writeFile(bad, extraValue);
    const run = await evaluate('--picks', picks, '--truth', truth2, '--radius', '10', '--json');
    expect(run.result).toBe(1);
    expect(JSON.parse(run.stdout).micrographs.map((m: { micrograph: string }) => m.micrograph)).toEqual(['mic_01']);
    expect(run.stderr).toMatch(new RegExp(`FAILED ${bad}: line \\d+: row has \\d+ values but the table has \\d+ columns`));
    expect(run.stderr).not.toMatch(/skipped .*mic_02/);
    // The same file as ground truth: named, its micrograph left out, not scored as all misses.
    await writeFile(path.join(picks, 'mic_02_autopick.star'), good);
    await writeFile(path.join(truth2, 'mic_02_autopick.star'), extraValue);
    const asTruth = await evaluate('--picks', picks, '--truth', truth2, '--radius', '10', '--json');
    expect(asTruth.result).toBe(1);
    expect(asTruth.stderr).toMatch(/FAILED .*truth-malformed\/mic_02_autopick\.star: line \d+: row has/);
    const json = JSON.parse(asTruth.stdout);
    expect(json.overall).toMatchObject({ tp: 10, fn: 0 });
    // Its picks are not "without ground truth": the ground truth is there, unreadable (said above).
    expect(json.picksWithoutTruth).toEqual([]);
  });

  it('an empty picks folder, or picks of another data set, are refused rather than scored 0', async () => {
    const empty = path.join(root, 'eval-empty');
    await mkdir(empty);
    await expect(evaluate('--picks', empty, '--truth', truth, '--radius', '10')).rejects.toThrow(
      /eval-empty: no coordinate files to score found/,
    );
    const other = path.join(root, 'eval-other-set');
    await mkdir(other);
    await writeFile(
      path.join(other, 'grid3_0007_autopick.star'),
      writeCoordinates('star', truthPicks, { micrographName: 'grid3_0007.mrc', boxSize: 28 }),
    );
    await expect(evaluate('--picks', other, '--truth', truth, '--radius', '10')).rejects.toThrow(
      /no micrograph of --picks has ground truth in --truth \(picks for grid3_0007; truth for mic_01\)/,
    );
    // Truth that cannot be read at all (corner-only .box rows, no --box-size) is named as the cause.
    const cornersOnly = path.join(root, 'eval-truth-corners');
    await mkdir(cornersOnly);
    await writeFile(path.join(cornersOnly, 'mic_01.box'), '10\t20\n30\t40\n');
    await expect(evaluate('--picks', other, '--truth', cornersOnly, '--radius', '10')).rejects.toThrow(
      '--truth: none of its 1 coordinate file(s) could be read (FAILED above)',
    );
    // The same on the picks' side: refused, no table of zeros on stdout.
    const picksCorners = path.join(root, 'eval-picks-corners');
    await mkdir(picksCorners);
    await writeFile(path.join(picksCorners, 'mic_01.box'), '10\t20\n30\t40\n');
    await expect(evaluate('--picks', picksCorners, '--truth', truth, '--radius', '10')).rejects.toThrow(
      '--picks: none of its 1 coordinate file(s) could be read (FAILED above)',
    );
  });

  describe('--micrographs', () => {
    // mic_01.mrc is 384 x 320: a grid of 30 particles inside it, and 2 cut by its left edge.
    const grid: Particle[] = Array.from({ length: 30 }, (_, i) => ({ x: 30 + 60 * (i % 6), y: 30 + 50 * Math.floor(i / 6) }));
    const edge: Particle[] = [
      { x: 4, y: 100 },
      { x: 6, y: 200 },
    ];
    async function files(name: string, points: Particle[]): Promise<string> {
      const dir = path.join(root, name);
      await mkdir(dir, { recursive: true });
      await writeFile(
        path.join(dir, 'mic_01_autopick.star'),
        writeCoordinates('star', points, { micrographName: 'mic_01.mrc', boxSize: 28 }),
      );
      return dir;
    }
    const mic01 = () => path.join(mics, 'mic_01.mrc');

    it('scores over the particles lying wholly inside each micrograph: one cut by the edge is neither missed nor right', async () => {
      const truthDir = await files('eval-edge-truth', [...grid, ...edge]);
      const picksDir = await files('eval-edge-picks', grid);
      const everywhere = await evaluate('--picks', picksDir, '--truth', truthDir, '--radius', '14', '--json');
      expect(JSON.parse(everywhere.stdout).overall).toMatchObject({ tp: 30, fp: 0, fn: 2 });
      const inside = await evaluate('--picks', picksDir, '--truth', truthDir, '--radius', '14', '--json', '--micrographs', mic01());
      expect(JSON.parse(inside.stdout)).toMatchObject({ region: 'inside each micrograph', overall: { tp: 30, fp: 0, fn: 0 } });
      // A micrograph the folder lacks is scored over all its particles, and named.
      const other = path.join(mics, 'mic_02.mrc');
      const unsized = await evaluate('--picks', picksDir, '--truth', truthDir, '--radius', '14', '--json', '--micrographs', other);
      expect(JSON.parse(unsized.stdout).overall).toMatchObject({ fn: 2 });
      expect(unsized.stderr).toContain('no micrograph in --micrographs for mic_01: scored over all its particles');
    });

    it('coordinates of another binning: refused when they fall outside the micrograph, said when all lie in its top-left quarter', async () => {
      const picksDir = await files('eval-bin-picks', grid);
      const doubled = await files(
        'eval-bin-x2',
        grid.map((p) => ({ x: 2 * p.x, y: 2 * p.y })),
      );
      await expect(evaluate('--picks', picksDir, '--truth', doubled, '--radius', '14', '--micrographs', mic01())).rejects.toThrow(
        /--truth: \d+ of 30 coordinates lie outside mic_01\.mrc \(384 x 320 px\).*another binning[\s\S]*Nothing scored/,
      );
      const halved = await files(
        'eval-bin-half',
        grid.map((p) => ({ x: p.x / 2, y: p.y / 2 })),
      );
      const withSizes = await evaluate('--picks', picksDir, '--truth', halved, '--radius', '14', '--micrographs', mic01());
      expect(withSizes.stderr).toMatch(/warning: --truth: all 30 coordinates for mic_01\.mrc lie in its top-left quarter .*binned by 2/);
      // Without the micrographs, the two sets' extents tell.
      const without = await evaluate('--picks', picksDir, '--truth', halved, '--radius', '14');
      expect(without.stderr).toMatch(/warning: the picks for mic_01 reach \(330, 230\), its ground truth \(165, 115\): .*another binning/);
      const agree = await evaluate('--picks', picksDir, '--truth', picksDir, '--radius', '14');
      expect(agree.stderr).not.toMatch(/warning/);
    });
  });

  it('reads a RELION job folder: its coordinates in the subfolders mirroring the micrographs, its job files passed over', async () => {
    const job = path.join(root, 'ManualPick', 'job005');
    await writePicks(path.join(job, 'Raw', 'day1'), ['star']);
    await writeFile(
      path.join(job, 'manualpick.star'),
      writeRelionCoordinateList([
        { micrographName: 'Raw/day1/mic_01.mrc', coordinateFile: 'ManualPick/job005/Raw/day1/mic_01_autopick.star' },
      ]),
    );
    await writeFile(path.join(job, 'coords_suffix_manualpick.star'), 'Raw/micrographs.star\n');
    // What RELION 3.1-5 also write there: the job's own settings and the user's note.
    await writeFile(path.join(job, 'job.star'), 'data_job\n_rlnJobTypeLabel relion.manualpick\n_rlnJobIsContinue 0\n');
    await writeFile(path.join(job, 'note.txt'), ' ++++ Executing new job on Mon Dec  7\n ++++ with the following command(s):\n');
    await writeFile(
      path.join(job, 'RELION_OUTPUT_NODES.star'),
      'data_output_nodes\nloop_\n_rlnPipeLineNodeName #1\n_rlnPipeLineNodeType #2\nx 2\n',
    );
    const run = await evaluate('--picks', job, '--truth', truth, '--radius', '10', '--json');
    expect(run.result, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).not.toMatch(/FAILED|warning/);
    // A subfolder that cannot be listed is skipped with a warning; the rest is still read.
    const locked = path.join(job, 'Raw', 'locked');
    await mkdir(locked);
    await chmod(locked, 0o000);
    const withLocked = await evaluate('--picks', job, '--truth', truth, '--radius', '10', '--json');
    await chmod(locked, 0o755);
    expect(JSON.parse(withLocked.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    if (process.getuid?.() !== 0) expect(withLocked.stderr).toMatch(/warning: skipped .*locked: permission denied/);
    // The list alone, its files elsewhere: said, not a parse error.
    const listOnly = path.join(root, 'list-only');
    await mkdir(listOnly);
    await copyFile(path.join(job, 'manualpick.star'), path.join(listOnly, 'manualpick.star'));
    await expect(evaluate('--picks', listOnly, '--truth', truth, '--radius', '10')).rejects.toThrow(/no coordinate files to score found/);
  });

  it("reads crYOLO's output folders (CBOX/, STAR/, EMAN/) as one, the preferred format of each micrograph", async () => {
    const out = path.join(root, 'cryolo-out');
    await writePicks(path.join(out, 'STAR'), ['star']);
    await writePicks(path.join(out, 'CBOX'), ['cbox']);
    await writePicks(path.join(out, 'EMAN'), ['box'], truthPicks.slice(0, 4));
    // A summary table beside them is not read as coordinates, and a linked folder is followed.
    await mkdir(path.join(out, 'DISTR'), { recursive: true });
    await writeFile(path.join(out, 'DISTR', 'size_distribution_summary.txt'), 'MEAN,SD,Q25,Q50,Q75\n148,12,140,149,157\n');
    await writePicks(path.join(root, 'cryolo-linked'), ['star'], [...truthPicks, { x: 900, y: 900 }]);
    const run = await evaluate('--picks', out, '--truth', truth, '--radius', '10', '--json');
    expect(run.result, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).toMatch(/used star, skipped cbox, box/);
    expect(run.stderr).not.toMatch(/FAILED|DISTR/);
    const linkedOnly = path.join(root, 'cryolo-link-only');
    await mkdir(linkedOnly);
    await symlink(path.join(root, 'cryolo-linked'), path.join(linkedOnly, 'STAR'));
    const linked = await evaluate('--picks', linkedOnly, '--truth', truth, '--radius', '10', '--json');
    expect(JSON.parse(linked.stdout).overall).toMatchObject({ tp: 10, fp: 1, fn: 0 });
  });

  it('a folder with coordinate files of its own is read alone; subfolders holding more are named in a warning', async () => {
    const picks = path.join(root, 'eval-with-old');
    await writePicks(picks, ['star']);
    await writePicks(path.join(picks, 'old-run'), ['star'], truthPicks.slice(0, 2));
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json');
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(run.stderr).toContain(`--picks: ${path.join(picks, 'old-run')} holds 1 coordinate file(s), not read`);
  });

  it('--picks and --truth take a single coordinate file too', async () => {
    const picks = path.join(root, 'eval-single');
    await writePicks(picks, ['box']);
    const run = await evaluate(
      '--picks',
      path.join(picks, 'mic_01.box'),
      '--truth',
      path.join(truth, 'mic_01_autopick.star'),
      '--radius',
      '10',
      '--json',
    );
    expect(run.result, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
  });

  it('matches picks to ground truth with case ignored, as the workbench does, naming micrographs as the truth does', async () => {
    const picks = path.join(root, 'eval-case');
    await mkdir(picks, { recursive: true });
    await writeFile(path.join(picks, 'MIC_01.box'), writeCoordinates('box', truthPicks, { micrographName: 'MIC_01.mrc', boxSize: 28 }));
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--json');
    expect(run.result, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
    expect(json.micrographs.map((m: { micrograph: string }) => m.micrograph)).toEqual(['mic_01']);
    expect(json.picksWithoutTruth).toEqual([]);
    // Two files of one format whose names differ only in case are one micrograph twice: refused.
    await writeFile(path.join(picks, 'mic_01.box'), writeCoordinates('box', truthPicks, { micrographName: 'mic_01.mrc', boxSize: 28 }));
    await expect(evaluate('--picks', picks, '--truth', truth, '--radius', '10')).rejects.toThrow(
      /MIC_01 has box coordinates in two files, .*MIC_01\.box and .*mic_01\.box/,
    );
  });

  it('a named pipe called *.star does not block eval', async () => {
    const picks = path.join(root, 'eval-fifo');
    await writePicks(picks, ['star']);
    execFileSync('mkfifo', [path.join(picks, 'pipe.star')]);
    const run = await runCli(['eval', '--picks', picks, '--truth', truth, '--radius', '10']);
    expect(run.timedOut).toBe(false);
    expect(run.stderr).toMatch(/warning: skipped .*pipe\.star: not a regular file \(a named pipe\)/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('--box-size reads .box files that give only the corner', async () => {
    const picks = path.join(root, 'eval-2col');
    await mkdir(picks);
    await writeFile(path.join(picks, 'mic_01.box'), truthPicks.map((p) => `${p.x - 14}\t${p.y - 14}\n`).join(''));
    // Nothing readable to score: exit 2 with the reason, and no table of zeros on stdout.
    const without = await runCli(['eval', '--picks', picks, '--truth', truth, '--radius', '10']);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/mic_01\.box: line 1: .*give the box size.*--box-size/);
    expect(without.stdout).toBe('');
    const run = await evaluate('--picks', picks, '--truth', truth, '--radius', '10', '--box-size', '28', '--json');
    expect(run.result).toBe(0);
    expect(JSON.parse(run.stdout).overall).toMatchObject({ tp: 10, fp: 0, fn: 0 });
  });
});
