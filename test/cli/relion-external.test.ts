// `drpnet relion-external` on a RELION-style project tree built here: what it leaves in the
// job directory, its exit files on success, failure and abort, and worker processes (--j).
// Random-weight models: these tests check the plumbing, not the quality of the picks.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelionCoordinateList, writeCoordinates } from '../../src/core/coords';
import { readRelionCoordinates } from '../../src/core/coords/relion';
import { findBlock, parseStar } from '../../src/core/coords/star';
import { decodeMicrograph } from '../../src/core/io/micrograph';
import { DEFAULT_PICK_PARAMS } from '../../src/core/params';
import { PickSession, pickMicrograph } from '../../src/core/pipeline';
import { chooseWorkingScale } from '../../src/core/preprocess/scale';
import { readArrayBuffer } from '../../src/cli/files';
import { loadModels, SHIPPED_MODELS_DIR } from '../../src/cli/models';
import { shyClassifierWeights } from '../helpers/shy-classifier';
import { parseRelionArgs, relionExternalCommand } from '../../src/cli/relion-external';
import { micrographsStarText } from '../relion/helpers/project';
import {
  captureOutput,
  DRPNET_BIN,
  PIXEL_SIZE,
  writePipelineFile,
  writeRandomModels,
  writeRelionProject,
  writeSimulatedMrc,
  type RelionProject,
} from '../helpers/fixtures';

const DIAMETER = 28;
const WIDTH = 384;
const HEIGHT = 320;
const COUNT = 3;

let tmp: string;
let models: string;
let project: RelionProject;

/** A fresh copy of the project built in beforeAll (each test gets its own job directories). */
async function copyProject(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(project.root, dir, { recursive: true });
  return dir;
}

function external(cwd: string, job: string, ...extra: string[]) {
  const argv = ['--o', job, '--in_mics', project.star, '--diameter', String(DIAMETER), '--models', models, ...extra];
  return captureOutput(() => relionExternalCommand(argv, { cwd }));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const coordFile = (job: string, i: number) => `${job}/Movies/mic_${String(i + 1).padStart(4, '0')}_autopick.star`;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'drpnet-relion-'));
  models = await writeRandomModels(path.join(tmp, 'models'));
  project = await writeRelionProject(path.join(tmp, 'project'), COUNT, '3.1');
}, 120_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('drpnet relion-external in a RELION 3.1 project', () => {
  let cwd: string;
  const job = 'External/job005';
  let run: Awaited<ReturnType<typeof external>>;
  beforeAll(async () => {
    cwd = await copyProject('success');
    run = await external(cwd, `${job}/`);
  }, 60_000);

  it('succeeds and leaves exactly the files RELION expects in the job directory', async () => {
    expect(run.result).toBe(0);
    expect(await filesUnder(path.join(cwd, job))).toEqual(
      [
        'Movies/mic_0001_autopick.star',
        'Movies/mic_0002_autopick.star',
        'Movies/mic_0003_autopick.star',
        'RELION_JOB_EXIT_SUCCESS',
        'RELION_OUTPUT_NODES.star',
        'autopick.star',
        'coords_suffix_autopick.star',
        'drpnet.log',
        'drpnet_settings.json',
      ].sort(),
    );
    expect(await readFile(path.join(cwd, job, 'RELION_JOB_EXIT_SUCCESS'), 'utf8')).toBe('');
    expect(run.stdout).toMatch(/\[1\/3\] MotionCorr\/job002\/Movies\/mic_0001\.mrc: \d+ picks/);
  });

  it('writes each coordinate file with the pick pipeline, in original micrograph pixels', async () => {
    const loaded = await loadModels({ dir: models, withClassifier: true });
    const { scale } = chooseWorkingScale(DIAMETER, WIDTH, { refRadius: loaded.fcrnMeta.workingRadius });
    expect(scale).toBeGreaterThan(1);
    for (let i = 0; i < COUNT; i++) {
      const file = path.join(cwd, project.micrographs[i]);
      const micrograph = await decodeMicrograph(await readArrayBuffer(file), file);
      const direct = await pickMicrograph(new PickSession(file, micrograph), loaded, { ...DEFAULT_PICK_PARAMS, diameter: DIAMETER });
      const text = await readFile(path.join(cwd, coordFile(job, i)), 'utf8');
      expect(text).toBe(writeCoordinates('star', direct.picks, { micrographName: path.basename(file), boxSize: DIAMETER }));
      const picks = readRelionCoordinates(text, coordFile(job, i));
      expect(picks.length).toBeGreaterThan(0);
      for (const p of picks) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThan(WIDTH);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThan(HEIGHT);
      }
      // Working-scale coordinates would all be below WIDTH / scale.
      expect(Math.max(...picks.map((p) => p.x))).toBeGreaterThan(WIDTH / scale);
    }
  });

  it('writes the list files of RELION 3.1 (coords_suffix_autopick.star) and 4/5 (autopick.star)', async () => {
    expect(await readFile(path.join(cwd, job, 'coords_suffix_autopick.star'), 'utf8')).toBe(`${project.star}\n`);
    const list = readRelionCoordinateList(await readFile(path.join(cwd, job, 'autopick.star'), 'utf8'), 'autopick.star');
    expect(list).toEqual(project.micrographs.map((m, i) => ({ micrographName: m, coordinateFile: coordFile(job, i) })));
    for (const e of list) expect(await exists(path.join(cwd, e.coordinateFile))).toBe(true);
  });

  it('announces the coordinate node in RELION_OUTPUT_NODES.star in the 3.1 pipeline form', async () => {
    const doc = parseStar(await readFile(path.join(cwd, job, 'RELION_OUTPUT_NODES.star'), 'utf8'), 'nodes');
    const loop = findBlock(doc, 'output_nodes')!.loops[0];
    expect(loop.columns).toEqual(['rlnPipeLineNodeName', 'rlnPipeLineNodeType']);
    expect(loop.rows).toEqual([[`${job}/coords_suffix_autopick.star`, '2']]);
  });

  it('a second run keeps the finished coordinate files (RELION "only do unfinished"), and says so when its settings differ', async () => {
    const before = await stat(path.join(cwd, coordFile(job, 0)));
    const again = await external(cwd, job);
    expect(again.result).toBe(0);
    expect(again.stdout.match(/skipped, output exists/g)).toHaveLength(COUNT);
    // Picked with these very settings (a Continue after an abort, the run after its shards): nothing to say.
    expect(again.stdout).not.toContain('earlier run');
    const changed = await external(cwd, job, '--threshold', '3');
    expect(changed.stdout).toContain(
      `${COUNT} micrograph(s) kept the coordinate files of an earlier run, picked with that run's settings; --overwrite picks them again with these`,
    );
    expect((await stat(path.join(cwd, coordFile(job, 0)))).mtimeMs).toBe(before.mtimeMs);
    // That run picked nothing: every file is still of the first run's options, and the record says so.
    expect(JSON.parse(await readFile(path.join(cwd, job, 'drpnet_settings.json'), 'utf8'))).not.toHaveProperty('mixed');
    expect((await external(cwd, job)).stdout).not.toContain('earlier run');
    // Once a run of other options picked some of the job's files, they are of either: said from then on.
    await rm(path.join(cwd, coordFile(job, 0)));
    const partly = await external(cwd, job, '--threshold', '3');
    expect(partly.stdout).toContain(`${COUNT - 1} micrograph(s) kept the coordinate files of an earlier run`);
    expect(JSON.parse(await readFile(path.join(cwd, job, 'drpnet_settings.json'), 'utf8'))).toHaveProperty('mixed');
    expect((await external(cwd, job)).stdout).toContain('kept the coordinate files of an earlier run');
    const redo = await external(cwd, job, '--overwrite');
    expect(redo.stdout).not.toContain('skipped');
    expect(redo.stdout).not.toContain('earlier run');
    // Every file picked again with one run's options: nothing to say.
    expect((await external(cwd, job)).stdout).not.toContain('earlier run');
    // A Continue of other options whose one micrograph to pick fails picks none with them: the record stays.
    const mic = path.join(cwd, project.micrographs[1]);
    const kept = await readFile(mic);
    await rm(path.join(cwd, coordFile(job, 1)));
    await rm(mic);
    const failing = await external(cwd, job, '--threshold', '3');
    expect(failing.result).toBe(1);
    const record = () =>
      readFile(path.join(cwd, job, 'drpnet_settings.json'), 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>);
    expect(await record()).not.toHaveProperty('mixed');
    // An --overwrite run of other options where one fails: that one keeps its old file, so the record is mixed.
    await writeFile(path.join(cwd, coordFile(job, 1)), await readFile(path.join(cwd, coordFile(job, 0))));
    expect((await external(cwd, job, '--overwrite', '--threshold', '3')).result).toBe(1);
    expect(await record()).toHaveProperty('mixed');
    await writeFile(mic, kept);
  });
});

describe('drpnet relion-external: RELION versions and inputs', () => {
  it('writes the 4/5 output node (autopick.star, type label) in a RELION 4/5 project', async () => {
    const cwd = await copyProject('v4');
    await writePipelineFile(cwd, '4', project.star);
    const run = await external(cwd, 'External/job007/');
    expect(run.result).toBe(0);
    const loop = findBlock(
      parseStar(await readFile(path.join(cwd, 'External/job007/RELION_OUTPUT_NODES.star'), 'utf8'), 'n'),
      'output_nodes',
    )!.loops[0];
    expect(loop.columns).toEqual(['rlnPipeLineNodeName', 'rlnPipeLineNodeTypeLabel']);
    expect(loop.rows).toEqual([['External/job007/autopick.star', 'MicrographsCoords.star.relion.autopick']]);
    // --relion_version overrides what the pipeline file says.
    const forced = await external(cwd, 'External/job008/', '--relion_version', '3.1');
    expect(forced.result).toBe(0);
    expect(await readFile(path.join(cwd, 'External/job008/RELION_OUTPUT_NODES.star'), 'utf8')).toContain(
      'External/job008/coords_suffix_autopick.star\t2',
    );
  });

  it('reads a RELION 3.0 micrographs STAR (one unnamed block, no optics)', async () => {
    const cwd = await copyProject('v30');
    const star30 = ['data_', 'loop_', '_rlnMicrographName #1', '_rlnDefocusU #2', ...project.micrographs.map((m) => `${m} 15000`), ''].join(
      '\n',
    );
    await writeFile(path.join(cwd, 'mics30.star'), star30);
    const run = await captureOutput(() =>
      relionExternalCommand(
        ['--o', 'External/job009/', '--in_mics', 'mics30.star', '--diameter', String(DIAMETER), '--models', models, '--no-classifier'],
        { cwd },
      ),
    );
    expect(run.result).toBe(0);
    expect(await readFile(path.join(cwd, 'External/job009/coords_suffix_autopick.star'), 'utf8')).toBe('mics30.star\n');
    for (let i = 0; i < COUNT; i++) expect(await exists(path.join(cwd, coordFile('External/job009', i)))).toBe(true);
  });

  it("--diameter_angstrom converts with the micrographs STAR's pixel size, over the headers'", async () => {
    const cwd = await copyProject('angstrom');
    // The STAR says half the headers' pixel size (PIXEL_SIZE): converted with the STAR's, the Å diameter is DIAMETER px.
    await writeFile(path.join(cwd, project.star), micrographsStarText(project.micrographs, { pixelSize: PIXEL_SIZE / 2 }, 15000));
    const px = await external(cwd, 'External/job010/');
    const argv = [
      '--o',
      'External/job011/',
      '--in_mics',
      project.star,
      '--diameter_angstrom',
      String((DIAMETER * PIXEL_SIZE) / 2),
      '--models',
      models,
    ];
    const a = await captureOutput(() => relionExternalCommand(argv, { cwd }));
    expect(px.result).toBe(0);
    expect(a.result).toBe(0);
    expect(a.stdout).toContain(
      `(diameter ${DIAMETER} px at ${PIXEL_SIZE / 2} Å/px from the micrographs STAR ${project.star}, its header says ${PIXEL_SIZE} Å/px, not used)`,
    );
    // --angpix over the STAR's pixel size: picked with it, and the STAR's said.
    const angpix = await captureOutput(() =>
      relionExternalCommand(
        [
          '--o',
          'External/job012/',
          '--in_mics',
          project.star,
          '--diameter_angstrom',
          String(DIAMETER * PIXEL_SIZE),
          '--angpix',
          String(PIXEL_SIZE),
          '--models',
          models,
        ],
        { cwd },
      ),
    );
    expect(angpix.result).toBe(0);
    expect(angpix.stdout).toContain(`(the micrographs STAR ${project.star} says ${PIXEL_SIZE / 2} Å/px, not used)`);
    // In pixels, what the diameter is in Å is said once (a RELION user's diameters are in Å everywhere else).
    expect(px.stdout).toContain(
      `diameter ${DIAMETER} px = ${(DIAMETER * PIXEL_SIZE) / 2} Å at ${PIXEL_SIZE / 2} Å/px (${project.micrographs[0]}: the micrographs STAR ${project.star}); for a diameter in Å give --diameter-angstrom`,
    );
    for (let i = 0; i < COUNT; i++)
      expect(await readFile(path.join(cwd, coordFile('External/job011', i)), 'utf8')).toBe(
        await readFile(path.join(cwd, coordFile('External/job010', i)), 'utf8'),
      );
  });

  it('takes pick options the way RELION passes External job parameters', () => {
    const v = parseRelionArgs([
      '--o',
      'External/job005/',
      '--in_mics',
      'a.star',
      '--k_level',
      '2',
      '--no_classifier',
      '--Negative_Stain',
      'No',
      '--threshold',
      '-0',
      '--j',
      '4',
      '--pipeline_control',
      'External/job005/',
    ]);
    expect(v).toEqual({
      o: 'External/job005/',
      'in-mics': 'a.star',
      'k-level': '2',
      'no-classifier': true,
      'negative-stain': false,
      threshold: '-0',
      j: '4',
      'pipeline-control': 'External/job005/',
    });
    expect(() => parseRelionArgs(['--o', 'x', '--sigmaa', '3'])).toThrow(/unknown option --sigmaa/);
    // A typo gets the option it most likely meant, in the spelling typed, and no whole help (it goes to the job's log).
    expect(() => parseRelionArgs(['--o', 'x', '--treshold', '3'])).toThrow(
      /^unknown option --treshold; did you mean --threshold\? \(drpnet relion-external --help lists them\)$/,
    );
    expect(() => parseRelionArgs(['--o', 'x', '--k_levle', '3'])).toThrow('did you mean --k_level?');
    // A parameter whose value was left empty in the job's tab comes as a bare --name: the default, with a warning.
    const warned: string[] = [];
    expect(parseRelionArgs(['--o', 'x', '--threshold', '--k_level', '2'], (w) => warned.push(w))).toEqual({ o: 'x', 'k-level': '2' });
    expect(warned).toEqual(["--threshold has no value (left empty in the job's parameters?): its default is used"]);
    // Options without a default are left out, not said to take one; RELION's own names are spelled as typed.
    warned.length = 0;
    expect(parseRelionArgs(['--o', 'x', '--diameter_angstrom', '--angpix'], (w) => warned.push(w))).toEqual({ o: 'x' });
    expect(warned).toEqual([
      "--diameter_angstrom has no value (left empty in the job's parameters?): left out",
      "--angpix has no value (left empty in the job's parameters?): left out",
    ]);
    expect(() => parseRelionArgs(['--o', 'x', '--particle_diameter', '150'])).toThrow(
      "unknown option --particle_diameter: RELION's particle diameter is in Å here too: give diameter_angstrom (or diameter, in pixels)",
    );
    expect(() => parseRelionArgs(['--o', 'x', '--Sigmaa', '3'])).toThrow(/unknown option --Sigmaa/);
    // The job's own options have no default to fall back on: a bare --shard would also leave RELION no exit file.
    expect(() => parseRelionArgs(['--o', 'x', '--shard'])).toThrow('--shard needs a value');
  });
});

describe('drpnet relion-external failures', () => {
  it('a missing micrograph: the others are picked, RELION_JOB_EXIT_FAILURE and the reason on stderr and in the log', async () => {
    const cwd = await copyProject('missing');
    const job = 'External/job010';
    const saved = await readFile(path.join(cwd, project.micrographs[1]));
    await rm(path.join(cwd, project.micrographs[1]));
    const run = await external(cwd, job);
    expect(run.result).toBe(1);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_FAILURE'))).toBe(true);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(false);
    for (const f of ['RELION_OUTPUT_NODES.star', 'autopick.star', 'coords_suffix_autopick.star'])
      expect(await exists(path.join(cwd, job, f))).toBe(false);
    expect(run.stderr).toContain('1 of 3 micrograph(s) failed');
    expect(run.stderr).toContain('MotionCorr/job002/Movies/mic_0002.mrc: the micrograph file does not exist');
    expect(await readFile(path.join(cwd, job, 'drpnet.log'), 'utf8')).toMatch(
      /FAILED: 1 of 3 micrograph\(s\) failed:\n.*mic_0002\.mrc: the micrograph file does not exist/,
    );
    expect(await exists(path.join(cwd, coordFile(job, 0)))).toBe(true);
    expect(await exists(path.join(cwd, coordFile(job, 1)))).toBe(false);

    // Put it back and continue the job: only the missing one is picked, the failure file goes.
    await writeFile(path.join(cwd, project.micrographs[1]), saved);
    const again = await external(cwd, job);
    expect(again.result).toBe(0);
    expect(again.stdout.match(/skipped, output exists/g)).toHaveLength(2);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_FAILURE'))).toBe(false);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(true);

    // A rerun that fails leaves none of the earlier success's list files (docs/slurm.md).
    await rm(path.join(cwd, project.micrographs[1]));
    await rm(path.join(cwd, coordFile(job, 1)));
    expect((await external(cwd, job)).result).toBe(1);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_FAILURE'))).toBe(true);
    for (const f of ['RELION_JOB_EXIT_SUCCESS', 'RELION_OUTPUT_NODES.star', 'autopick.star', 'coords_suffix_autopick.star'])
      expect(await exists(path.join(cwd, job, f)), f).toBe(false);
    expect(await exists(path.join(cwd, coordFile(job, 0)))).toBe(true);
  });

  it.each([
    [['--in_mics', 'CtfFind/job003/micrographs_ctf.star', '--diameter', '28', '--sigmaa', '3'], /unknown option --sigmaa/],
    [['--in_mics', 'CtfFind/job003/micrographs_ctf.star'], /--diameter PX \(pixels\) or --diameter-angstrom A \(Å\) is required/],
    [['--diameter', '28'], /--in_mics MICROGRAPHS_STAR is required/],
    [['--in_mics', 'nothere.star', '--diameter', '28'], /nothere\.star: cannot read the micrographs STAR file \(no such file\)/],
    [['--in_mics', 'CtfFind/job003/micrographs_ctf.star', '--diameter', '28', '--j', '0'], /--j: '0'/],
  ])('bad arguments %j: RELION_JOB_EXIT_FAILURE with the reason', async (args, reason) => {
    const cwd = await copyProject(`bad-${Math.random().toString(36).slice(2)}`);
    const run = await captureOutput(() => relionExternalCommand(['--o', 'External/job011/', ...args, '--models', models], { cwd }));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(await readFile(path.join(cwd, 'External/job011/drpnet.log'), 'utf8')).toMatch(reason);
    expect(await exists(path.join(cwd, 'External/job011/RELION_JOB_EXIT_FAILURE'))).toBe(true);
  });

  it('stops on RELION_JOB_ABORT_NOW with RELION_JOB_EXIT_ABORTED', async () => {
    const cwd = await copyProject('abort');
    const job = 'External/job012';
    await mkdir(path.join(cwd, job), { recursive: true });
    await writeFile(path.join(cwd, job, 'RELION_JOB_ABORT_NOW'), '');
    // One micrograph picked by an earlier run: the abort note counts the job's coordinate files.
    await mkdir(path.dirname(path.join(cwd, coordFile(job, 0))), { recursive: true });
    await writeFile(
      path.join(cwd, coordFile(job, 0)),
      writeCoordinates('star', [{ x: 50, y: 60 }], { micrographName: 'mic_0001.mrc', boxSize: DIAMETER }),
    );
    const run = await external(cwd, job);
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/stopped on RELION_JOB_ABORT_NOW with 1 of \d+ micrograph\(s\) picked/);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_ABORTED'))).toBe(true);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_ABORT_NOW'))).toBe(false);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(false);
    expect(await exists(path.join(cwd, coordFile(job, 1)))).toBe(false);

    // With --overwrite the earlier run's file (an hour old) is no pick of this run: the note counts this run's.
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(path.join(cwd, coordFile(job, 0)), hourAgo, hourAgo);
    await writeFile(path.join(cwd, job, 'RELION_JOB_ABORT_NOW'), '');
    const over = await external(cwd, job, '--overwrite');
    expect(over.stderr).toMatch(/stopped on RELION_JOB_ABORT_NOW with 0 of \d+ micrograph\(s\) picked again by this run \(--overwrite\)/);
  });

  it('--o the folder of --in_mics (the job that made it) is refused before anything is written there', async () => {
    const cwd = await copyProject('into-input-job');
    const nodes = path.join(cwd, 'CtfFind/job003/RELION_OUTPUT_NODES.star');
    await writeFile(
      nodes,
      'data_output_nodes\nloop_\n_rlnPipeLineNodeName #1\n_rlnPipeLineNodeType #2\nCtfFind/job003/micrographs_ctf.star 1\n',
    );
    const before = await filesUnder(path.join(cwd, 'CtfFind/job003'));
    await expect(external(cwd, 'CtfFind/job003/')).rejects.toThrow(
      /--o CtfFind\/job003\/ is the folder of --in_mics .*an External job writes into a folder of its own/,
    );
    expect(await filesUnder(path.join(cwd, 'CtfFind/job003'))).toEqual(before);
    expect(await readFile(nodes, 'utf8')).toContain('micrographs_ctf.star 1');
  });
});

describe('drpnet relion-external --j (worker processes), run as RELION runs it', () => {
  /** The command line RELION runs for the job with "Number of threads" 2. */
  const withWorkers = (job: string) => [
    'relion-external',
    '--o',
    job,
    '--in_mics',
    project.star,
    '--diameter',
    String(DIAMETER),
    '--models',
    models,
    '--j',
    '2',
  ];

  it('with --j 2 gives the same job directory as one process', async () => {
    const cwd = await copyProject('workers');
    const { stdout } = await promisify(execFile)(process.execPath, [DRPNET_BIN, ...withWorkers('External/job013/')], { cwd });
    expect(stdout).toContain('[shard 0/2]');
    expect(stdout).toContain('[shard 1/2]');
    // What the workers share is said once, by the first: the backend and the diameter, in pixels and in Å.
    expect(stdout.match(/backend wasm/g)).toHaveLength(1);
    expect(stdout.match(/for a diameter in Å give --diameter-angstrom/g)).toHaveLength(1);
    const single = await copyProject('single');
    expect((await external(single, 'External/job013/')).result).toBe(0);
    const a = path.join(cwd, 'External/job013');
    const b = path.join(single, 'External/job013');
    const names = (await filesUnder(a)).filter((f) => f !== 'drpnet.log');
    expect(names).toEqual((await filesUnder(b)).filter((f) => f !== 'drpnet.log'));
    for (const f of names) expect(await readFile(path.join(a, f), 'utf8')).toBe(await readFile(path.join(b, f), 'utf8'));
    // The job's last word counts what its workers picked.
    const log = (await readFile(path.join(a, 'drpnet.log'), 'utf8')).trimEnd().split('\n');
    expect(log.at(-1)).toMatch(/ 3 picked, 0 already done \(2 worker processes\)$/);
  }, 60_000);

  it("with --j 2 a micrograph that fails is picked once and said once in the job's failure, counted over the whole job", async () => {
    const cwd = await copyProject('workers-failing');
    await rm(path.join(cwd, project.micrographs[1]));
    const job = 'External/job016';
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [DRPNET_BIN, ...withWorkers(`${job}/`)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.code).toBe(1);
    const missing = `${project.micrographs[1]}: the micrograph file does not exist`;
    expect(run.out.split(`FAILED ${missing}`).length - 1, run.out).toBe(1); // tried once, by its worker
    expect(run.out.match(/micrograph\(s\) failed/g)).toEqual(['micrograph(s) failed']);
    expect(run.out).toContain(`1 of 3 micrograph(s) failed:\n  ${missing}`);
    const log = await readFile(path.join(cwd, job, 'drpnet.log'), 'utf8');
    expect(log.match(/FAILED: /g)).toHaveLength(1);
    expect(log).toContain('FAILED: 1 of 3 micrograph(s) failed');
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_FAILURE'))).toBe(true);
    for (const i of [0, 2]) expect(await exists(path.join(cwd, coordFile(job, i)))).toBe(true);
  }, 60_000);

  it('with --j 2 the networks disagreeing is said once by the job, over all its micrographs', async () => {
    const cwd = await copyProject('workers-shy');
    const shy = path.join(cwd, 'shy-models');
    await cp(SHIPPED_MODELS_DIR, shy, { recursive: true });
    await writeFile(path.join(shy, 'classifier', 'weights.bin'), shyClassifierWeights(SHIPPED_MODELS_DIR));
    const job = 'External/job018';
    const args = withWorkers(`${job}/`).map((a) => (a === models ? shy : a));
    const run = spawnSync(process.execPath, [DRPNET_BIN, ...args], { cwd, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.match(/the two networks disagreed/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/drpnet relion-external: warning: on 3 of 3 micrograph\(s\) the two networks disagreed/);
    expect(await readFile(path.join(cwd, job, 'drpnet.log'), 'utf8')).toContain(
      'warning: on 3 of 3 micrograph(s) the two networks disagreed',
    );
  }, 60_000);

  it('with --j 2 models that cannot be loaded fail the job once, not once per process', async () => {
    const cwd = await copyProject('workers-bad-models');
    const broken = path.join(cwd, 'broken-models');
    await cp(models, broken, { recursive: true });
    const weights = path.join(broken, 'fcrn', 'weights.bin');
    await writeFile(weights, (await readFile(weights)).subarray(0, 1000));
    const job = 'External/job017';
    const args = withWorkers(`${job}/`).map((a) => (a === models ? broken : a));
    const run = spawnSync(process.execPath, [DRPNET_BIN, ...args], { cwd, encoding: 'utf8' });
    expect(run.status).toBe(1);
    const reason = 'the weights file has 1000 bytes';
    expect(run.stderr.split(reason).length - 1, run.stderr).toBe(1);
    const log = await readFile(path.join(cwd, job, 'drpnet.log'), 'utf8');
    expect(log.match(/FAILED: .*the weights file has 1000 bytes/g)).toHaveLength(1);
    // Each worker's reason stays in the log as a note, not as a failure of the job.
    expect(
      log.match(/a worker process stopped \(.*the weights file has 1000 bytes.*\); the job picks its micrographs itself/g),
    ).toHaveLength(2);
    expect(await exists(path.join(cwd, job, 'RELION_JOB_EXIT_FAILURE'))).toBe(true);
  }, 60_000);
});

describe('drpnet relion-external: models', () => {
  it('--models that does not exist fails the job once, before any micrograph', async () => {
    const cwd = await copyProject('no-models');
    const missing = path.join(tmp, 'no-such-models');
    const run = await captureOutput(() =>
      relionExternalCommand(['--o', 'External/job014/', '--in_mics', project.star, '--diameter', String(DIAMETER), '--models', missing], {
        cwd,
      }),
    );
    expect(run.result).toBe(1);
    expect(run.stderr).toContain(`--models: ${missing}/fcrn/model.json: no such file or folder`);
    expect(run.stdout + run.stderr).not.toContain('[1/');
    expect(await exists(path.join(cwd, 'External/job014/RELION_JOB_EXIT_FAILURE'))).toBe(true);
  });

  it('run from outside the project directory: one error up front, not one per micrograph', async () => {
    const cwd = await copyProject('outside');
    const args = ['--in_mics', path.join(cwd, project.star), '--diameter', String(DIAMETER), '--models', models];
    const run = await captureOutput(() => relionExternalCommand(['--o', path.join(cwd, 'External/job015/'), ...args], { cwd: tmp }));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/none of its 3 micrograph\(s\) is found from .*; RELION names them relative to the project directory/);
    expect(run.stdout + run.stderr).not.toContain('[1/');
  });
});

describe('drpnet relion-external on SIGTERM or SIGINT (SLURM time limit, scancel, Ctrl-C)', () => {
  const MANY = 8;
  let many: RelionProject;
  beforeAll(async () => {
    many = await writeRelionProject(path.join(tmp, 'many'), MANY, '3.1');
  }, 120_000);

  /**
   * Starts the real command in a copy of the project, sends `signal` once `ready` matches its
   * output, and resolves when it has exited, with how long that took after the signal.
   */
  async function signalled(
    name: string,
    signal: NodeJS.Signals,
    extra: string[] = [],
    ready = /\[1\/\d+\] .*picks in/,
    prepare: (cwd: string) => Promise<void> = async () => {},
  ) {
    const cwd = path.join(tmp, name);
    await cp(many.root, cwd, { recursive: true });
    await prepare(cwd);
    const job = 'External/job020';
    const child = spawn(
      process.execPath,
      [
        DRPNET_BIN,
        'relion-external',
        '--o',
        `${job}/`,
        '--in_mics',
        many.star,
        '--diameter',
        String(DIAMETER),
        '--models',
        models,
        ...extra,
      ],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let sentAt = 0;
    /** Its worker processes (--j) when the signal was sent. */
    let workers: number[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, sig) => resolve({ code, signal: sig })),
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!sentAt && ready.test(out)) {
        sentAt = performance.now();
        // ps exits 1 when the process has no children (no --j): none.
        workers = (spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout ?? '')
          .split('\n')
          .filter((l) => l.trim())
          .map(Number);
        child.kill(signal);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const status = await exited;
    const alive = workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    return { cwd, job: path.join(cwd, job), status, out, afterSignalMs: performance.now() - sentAt, sent: sentAt > 0, workers, alive };
  }

  const coordinateFiles = async (job: string) =>
    (await readdir(path.join(job, 'Movies')).catch(() => [] as string[])).filter((f) => f.endsWith('_autopick.star'));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: writes RELION_JOB_EXIT_ABORTED and exits promptly, keeping what was picked',
    async (signal) => {
      const run = await signalled(`signal-${signal}`, signal);
      expect(run.sent).toBe(true);
      expect(run.status).toEqual({ code: 128 + (signal === 'SIGINT' ? 2 : 15), signal: null });
      expect(run.afterSignalMs).toBeLessThan(10_000);
      expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_ABORTED'))).toBe(true);
      expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(false);
      expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_FAILURE'))).toBe(false);
      expect(await readFile(path.join(run.job, 'drpnet.log'), 'utf8')).toMatch(new RegExp(`stopped by ${signal}`));
      const picked = await coordinateFiles(run.job);
      expect(picked.length).toBeGreaterThan(0);
      expect(picked.length).toBeLessThan(MANY);
      // Continuing the job picks only the rest and replaces the abort file with success.
      const again = await captureOutput(() =>
        relionExternalCommand(['--o', 'External/job020/', '--in_mics', many.star, '--diameter', String(DIAMETER), '--models', models], {
          cwd: run.cwd,
        }),
      );
      expect(again.result).toBe(0);
      expect(again.stdout.match(/skipped, output exists/g)).toHaveLength(picked.length);
      expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_ABORTED'))).toBe(false);
      expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(true);
    },
    90_000,
  );

  it('SIGINT with --j 2: the job passes the signal on and exits only once its workers have stopped', async () => {
    // Micrographs that take a while to pick: a worker hears the signal only between two.
    const larger = async (cwd: string) => {
      for (const [i, m] of many.micrographs.entries()) await writeSimulatedMrc(path.join(cwd, m), 300 + i, 768, 768);
    };
    const run = await signalled('signal-workers-wait', 'SIGINT', ['--j', '2'], /\[shard \d\/2\] \[1\/\d+\] .*picks in/, larger);
    expect(run.sent).toBe(true);
    expect(run.status.code).toBe(130);
    expect(run.workers).toHaveLength(2);
    expect(run.alive).toEqual([]);
    expect(await readFile(path.join(run.job, 'drpnet.log'), 'utf8')).toMatch(/stopped by SIGINT/);
    expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_ABORTED'))).toBe(true);
    expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_FAILURE'))).toBe(false);
  }, 90_000);

  it('SIGKILL of the job with --j 2 (no handler runs): its worker processes see it gone and stop, picking on beside no rerun', async () => {
    const run = await signalled('signal-kill', 'SIGKILL', ['--j', '2'], /\[shard \d\/2\] \[1\/\d+\] .*picks in/);
    expect(run.sent).toBe(true);
    expect(run.status.signal).toBe('SIGKILL');
    expect(run.workers).toHaveLength(2);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => run.workers.filter(alive), { timeout: 15_000 }).toEqual([]);
    const after = await coordinateFiles(run.job);
    expect(after.length).toBeLessThan(MANY);
  }, 90_000);

  it('drpnet pick on SIGTERM stops between micrographs, says how far it got, and leaves no half-written file', async () => {
    const cwd = path.join(tmp, 'pick-sigterm');
    await cp(many.root, cwd, { recursive: true });
    const out = path.join(cwd, 'picks');
    const child = spawn(
      process.execPath,
      [
        DRPNET_BIN,
        'pick',
        path.join(cwd, 'MotionCorr/job002/Movies'),
        '--diameter',
        String(DIAMETER),
        '--models',
        models,
        '--out',
        out,
        '--format',
        'star,box',
      ],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/\[1\/\d+\] .*picks in/.test(err) && !child.killed) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(143);
    expect(err).toMatch(
      /drpnet pick: stopped by SIGTERM: \d+ picked, 0 skipped, 0 failed, \d+ not reached; run again with --resume to pick the rest/,
    );
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.tmp') || f.startsWith('.'))).toEqual([]);
    // Both formats of every micrograph picked, none of one not reached.
    const stars = files.filter((f) => f.endsWith('.star')).map((f) => f.replace('_autopick.star', ''));
    expect(files.filter((f) => f.endsWith('.box')).map((f) => f.replace('.box', ''))).toEqual(stars);
    expect(stars.length).toBeGreaterThan(0);
    expect(stars.length).toBeLessThan(MANY);
  }, 90_000);

  it('SIGTERM with --j 2: the worker processes stop too, and the job is marked aborted', async () => {
    const run = await signalled('signal-workers', 'SIGTERM', ['--j', '2'], /\[shard \d\/2\] \[1\/\d+\] .*picks in/);
    expect(run.sent).toBe(true);
    expect(run.status.code).toBe(143);
    expect(run.afterSignalMs).toBeLessThan(10_000);
    // Said once, by the job: its worker processes got the signal too.
    expect((await readFile(path.join(run.job, 'drpnet.log'), 'utf8')).match(/stopped by SIGTERM/g)).toHaveLength(1);
    expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_ABORTED'))).toBe(true);
    expect(await exists(path.join(run.job, 'RELION_JOB_EXIT_SUCCESS'))).toBe(false);
    // No worker is left picking: nothing is written after the command has exited.
    const before = await coordinateFiles(run.job);
    expect(before.length).toBeLessThan(MANY);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await coordinateFiles(run.job)).toEqual(before);
  }, 90_000);
});
