// RELION 3.1's relion_pipeliner driven from a test: schedule a job with --addJob and
// --addJobOptions, run it with --RunJobs, read the pipeline back.
//
// Facts (RELION 3.1.3 here): --addJobOptions takes "variable == value;" pairs, the variables
// being the job.star names (External: fn_exe, in_mic, param1_label, param1_value, ...;
// Extract: star_mics, coords_suffix, extract_size, bg_diameter, ...). The project must already
// hold a default_pipeline.star. --RunJobs waits until the job writes RELION_JOB_EXIT_SUCCESS or
// RELION_JOB_EXIT_FAILURE (a job whose input node file does not exist stays scheduled and the
// pipeliner waits for it forever). Process status in 3.1's default_pipeline.star: 0 running,
// 1 scheduled, 2 finished, 3 failed, 4 aborted (src/pipeline_jobs.h).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { columnIndex, findBlock, parseStar } from '../../../src/core/coords/star';
import { runRelion } from './relion';

export const PROCESS_FINISHED = 2;
export const PROCESS_FAILED = 3;
export const PROCESS_ABORTED = 4;

export interface PipelineProcess {
  name: string;
  type: number;
  status: number;
}

export interface PipelineNode {
  name: string;
  type: number;
}

export interface Pipeline {
  processes: PipelineProcess[];
  nodes: PipelineNode[];
}

/** Reads a RELION 3.1 default_pipeline.star (integer type and status columns). */
export function readPipeline(projectDir: string): Pipeline {
  const file = path.join(projectDir, 'default_pipeline.star');
  const doc = parseStar(readFileSync(file, 'utf8'), file);
  const table = (block: string, columns: string[]): string[][] => {
    const loop = findBlock(doc, block)?.loops[0];
    if (!loop) return [];
    const idx = columns.map((c) => columnIndex(loop, c));
    return loop.rows.map((r) => idx.map((i) => r[i]));
  };
  const processes = table('pipeline_processes', ['rlnPipeLineProcessName', 'rlnPipeLineProcessType', 'rlnPipeLineProcessStatus']).map(
    ([name, type, status]) => ({
      name,
      type: Number(type),
      status: Number(status),
    }),
  );
  const nodes = table('pipeline_nodes', ['rlnPipeLineNodeName', 'rlnPipeLineNodeType']).map(([name, type]) => ({
    name,
    type: Number(type),
  }));
  return { processes, nodes };
}

/** Schedules a job (`--addJob TYPE --addJobOptions ...`) and returns its name, e.g. "External/job005/". */
export function addJob(projectDir: string, type: string, options: Record<string, string>): string {
  const before = new Set(readPipeline(projectDir).processes.map((p) => p.name));
  const text = Object.entries(options)
    .map(([k, v]) => {
      if (v.includes(';')) throw new Error(`job option ${k}: a value cannot contain ';' (--addJobOptions separator)`);
      return `${k} == ${v};`;
    })
    .join('');
  runRelion('relion_pipeliner', ['--addJob', type, '--addJobOptions', text], projectDir);
  const added = readPipeline(projectDir).processes.filter((p) => !before.has(p.name));
  if (added.length !== 1) throw new Error(`relion_pipeliner --addJob ${type} added ${added.length} jobs, expected one`);
  return added[0].name;
}

/** Runs scheduled jobs and waits for them (1 s instead of RELION's 10 s wait after each). */
export function runJobs(projectDir: string, jobs: string[], timeoutMs = 240_000): void {
  runRelion('relion_pipeliner', ['--RunJobs', jobs.join(' '), '--sec_wait_after', '1'], projectDir, { timeoutMs });
}

/** A process of the pipeline by name; throws when it is not there. */
export function processNamed(pipeline: Pipeline, name: string): PipelineProcess {
  const p = pipeline.processes.find((q) => q.name === name);
  if (!p) throw new Error(`no process ${name} in default_pipeline.star`);
  return p;
}
