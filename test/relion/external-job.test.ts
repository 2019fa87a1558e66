// `drpnet relion-external` as a RELION 3.1 External job, run by RELION's own relion_pipeliner
// (--addJob External, --RunJobs), and its output consumed by RELION's own Extract job: the
// pipeline registers our coordinates node, and the extraction takes every pick we wrote.
// (The job-directory contract itself is tested directly with the command's own tests.)
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCoordinates, type Particle } from '../../src/core/coords';
import { matchPicks } from '../../src/core/metrics';
import { particleDiameterPx } from '../../src/core/simulate/phantoms';
import { PIXEL_SIZE, writeRandomModels, writeRelionProject, type RelionProject } from '../helpers/fixtures';
import { addJob, PROCESS_ABORTED, PROCESS_FAILED, PROCESS_FINISHED, processNamed, readPipeline, runJobs } from './helpers/pipeliner';
import { coordinateFilePath } from './helpers/project';
import { relionVersion } from './helpers/relion';

const repo = path.resolve(__dirname, '../..');
/** RELION runs fn_exe followed by its own arguments through the shell: node + our CLI + the subcommand. */
const FN_EXE = `${process.execPath} ${path.join(repo, 'bin/drpnet.js')} relion-external`;
/** NODE_MIC_COORDS in RELION 3.1 (src/pipeline_jobs.h). */
const NODE_MIC_COORDS = 2;
/** The External job's process type in RELION 3.1's pipeline (PROC_EXTERNAL). */
const PROC_EXTERNAL = 99;

let root: string;
let models: string;
let project: RelionProject;
const diameter = Math.round(particleDiameterPx('small', PIXEL_SIZE));

beforeAll(async () => {
  expect(relionVersion()).toMatch(/^3\.1\./);
  const dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-pipeliner-'));
  root = path.join(dir, 'project');
  // The shipped models are not needed to test the pipeline contract: random weights pick something.
  models = await writeRandomModels(path.join(dir, 'models'));
  project = await writeRelionProject(root, 2, '3.1');
});

afterAll(() => {
  if (root) rmSync(path.dirname(root), { recursive: true, force: true });
});

function externalJob(inMics: string, diameterValue: string): string {
  return addJob(root, 'External', {
    fn_exe: FN_EXE,
    in_mic: inMics,
    param1_label: 'diameter',
    param1_value: diameterValue,
    param2_label: 'models',
    param2_value: models,
  });
}

describe('relion_pipeliner runs `drpnet relion-external` as an External job', () => {
  it("finishes it, registers its coordinates node, and RELION's Extract job extracts every pick", () => {
    const job = externalJob(project.star, String(diameter));
    expect(job).toMatch(/^External\/job\d{3}\/$/);
    runJobs(root, [job]);

    // RELION records the command it ran in the job's note.txt.
    const run = readFileSync(path.join(root, job, 'note.txt'), 'utf8');
    expect(run).toContain(`--o ${job} --in_mics ${project.star} --diameter ${diameter} --models ${models} --j 1`);
    const pipeline = readPipeline(root);
    expect(processNamed(pipeline, job)).toEqual({ name: job, type: PROC_EXTERNAL, status: PROCESS_FINISHED });
    expect(pipeline.nodes).toContainEqual({ name: `${job}coords_suffix_autopick.star`, type: NODE_MIC_COORDS });

    const ours = new Map<string, Particle[]>(
      project.micrographs.map((m) => {
        const file = path.join(root, coordinateFilePath(job, m, '_autopick.star'));
        return [m, [...readCoordinates(readFileSync(file, 'utf8'), file).values()].flat()];
      }),
    );
    const total = [...ours.values()].reduce((s, p) => s + p.length, 0);
    expect(total).toBeGreaterThan(0);

    // RELION's Extract job, given our node as its coordinates, the way the GUI would chain them.
    const extract = addJob(root, 'Extract', {
      star_mics: project.star,
      coords_suffix: `${job}coords_suffix_autopick.star`,
      extract_size: String(2 * diameter),
      bg_diameter: '-1',
    });
    runJobs(root, [extract]);
    expect(processNamed(readPipeline(root), extract).status).toBe(PROCESS_FINISHED);
    const particlesFile = path.join(root, extract, 'particles.star');
    const particles = readCoordinates(readFileSync(particlesFile, 'utf8'), particlesFile);
    for (const [mic, picks] of ours) {
      const extracted = particles.get(mic) ?? [];
      expect(extracted).toHaveLength(picks.length);
      expect(matchPicks(extracted, picks, 0.01).tp).toBe(picks.length);
    }
  });

  it('is marked failed by RELION when the command fails (RELION_JOB_EXIT_FAILURE)', () => {
    const job = externalJob(project.star, '-5');
    runJobs(root, [job]);
    expect(processNamed(readPipeline(root), job).status).toBe(PROCESS_FAILED);
    expect(readFileSync(path.join(root, job, 'run.err'), 'utf8')).toMatch(/--diameter/);
  });

  it('is marked aborted by RELION when the command is stopped by SIGTERM (SLURM time limit, scancel)', async () => {
    // A project with enough micrographs that the job is still picking when it is stopped.
    const many = await writeRelionProject(path.join(path.dirname(root), 'many'), 8, '3.1');
    // The External executable records its process id (the shell exec's into node) so the test
    // can signal it as SLURM would.
    const wrapper = path.join(path.dirname(root), 'drpnet-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho $$ > "$2/drpnet.pid"\nexec ${FN_EXE} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const job = addJob(many.root, 'External', {
      fn_exe: wrapper,
      in_mic: many.star,
      param1_label: 'diameter',
      param1_value: String(diameter),
      param2_label: 'models',
      param2_value: models,
    });
    const pipeliner = spawn('relion_pipeliner', ['--RunJobs', job, '--sec_wait_after', '1'], { cwd: many.root, stdio: 'ignore' });
    const done = new Promise<number | null>((resolve) => pipeliner.on('close', (code) => resolve(code)));
    const runOut = path.join(many.root, job, 'run.out');
    const pidFile = path.join(many.root, job, 'drpnet.pid');
    const started = performance.now();
    while (!(existsSync(pidFile) && existsSync(runOut) && /\[1\/8\]/.test(readFileSync(runOut, 'utf8')))) {
      if (performance.now() - started > 60_000)
        throw new Error(
          `the External job did not start picking; run.out:\n${existsSync(runOut) ? readFileSync(runOut, 'utf8') : '(none)'}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    const timer = setTimeout(() => pipeliner.kill('SIGKILL'), 60_000);
    await done;
    clearTimeout(timer);
    expect(existsSync(path.join(many.root, job, 'RELION_JOB_EXIT_ABORTED'))).toBe(true);
    expect(processNamed(readPipeline(many.root), job).status).toBe(PROCESS_ABORTED);
  }, 180_000);
});
