// A RELION job directory as RELION's own picking job lays it out, and the files of RELION's
// External-job protocol. Pure string functions; the CLI does the file system work.
//
// Facts, checked against RELION 3.1.3 (Debian package) running a LoG AutoPick job and an
// External job through relion_pipeliner, and against the RELION source (3dem/relion):
// - An External job is run from the project directory as
//   `<exe> --o External/job005/ --in_mics CtfFind/job003/micrographs_ctf.star --<label> <value> ... --j <threads>`
//   (a parameter with an empty value is passed as a bare `--<label>`); the program writes
//   RELION_JOB_EXIT_SUCCESS or RELION_JOB_EXIT_FAILURE into --o, and may write
//   RELION_OUTPUT_NODES.star (block data_output_nodes) naming its output nodes
//   (src/pipeline_jobs.cpp help text; PipeLine::getOutputNodesFromStarFile).
// - RELION programs delete the old exit files when they start, and stop with
//   RELION_JOB_EXIT_ABORTED when RELION_JOB_ABORT_NOW appears in the job directory
//   (src/pipeline_control.cpp).
// - Coordinate files: AutoPicker::getOutputRootName() = job dir + the micrograph name after
//   its `<Type>/jobNNN/` part (decomposePipelineFileName, src/filename.cpp), extension removed,
//   + "_autopick.star": MotionCorr/job002/Movies/mic.mrc -> AutoPick/job004/Movies/mic_autopick.star,
//   Micrographs/sub/m1.mrc -> AutoPick/job004/Micrographs/sub/m1_autopick.star.
// - RELION 3.1 lists them with coords_suffix_autopick.star, whose whole content is the input
//   micrographs STAR's name and a newline; its pipeline node type is 2 (NODE_MIC_COORDS,
//   src/pipeline_jobs.h), read from the integer column _rlnPipeLineNodeType.
// - RELION 4/5 list them in autopick.star (data_coordinate_files: _rlnMicrographName,
//   _rlnMicrographCoordinates); node type label "MicrographsCoords.star.relion.autopick",
//   read from _rlnPipeLineNodeTypeLabel. Their default_pipeline.star uses the *TypeLabel
//   columns; RELION 3.1's uses _rlnPipeLineNodeType / _rlnPipeLineProcessType.
import { writeStar } from '../coords/star';

export const RELION_JOB_EXIT_SUCCESS = 'RELION_JOB_EXIT_SUCCESS';
export const RELION_JOB_EXIT_FAILURE = 'RELION_JOB_EXIT_FAILURE';
export const RELION_JOB_EXIT_ABORTED = 'RELION_JOB_EXIT_ABORTED';
export const RELION_JOB_ABORT_NOW = 'RELION_JOB_ABORT_NOW';
export const RELION_OUTPUT_NODES = 'RELION_OUTPUT_NODES.star';
/** The pipeline file in a RELION project directory. */
export const RELION_PIPELINE = 'default_pipeline.star';

/** RELION autopick's --pickname default: the coordinate files end in _autopick.star. */
export const PICK_NAME = 'autopick';
/** RELION 3.1's list file (its content names the micrographs STAR). */
export const COORDS_SUFFIX_FILE = `coords_suffix_${PICK_NAME}.star`;
/** RELION 4/5's list file (data_coordinate_files). */
export const COORDINATE_LIST_FILE = `${PICK_NAME}.star`;

/** NODE_MIC_COORDS in RELION 3.1's src/pipeline_jobs.h. */
export const NODE_TYPE_COORDS_31 = 2;
/** The node type label RELION 4/5's AutoPick job gives autopick.star. */
export const NODE_LABEL_COORDS = 'MicrographsCoords.star.relion.autopick';

/** Which pipeline dialect the output node file is written for. */
export type RelionPipelineVersion = '3.1' | '4';

const JOB_COMPONENT = /^job\d{3}/;

/**
 * The part of a micrograph's name after its `<Type>/jobNNN/` directories, as RELION's
 * decomposePipelineFileName() finds it (the first `jobNNN` directory after a slash, else one
 * at the very start); the whole name when there is none.
 */
export function pathAfterJobDir(name: string): string {
  const parts = name.split('/');
  const at = (k: number) => k < parts.length - 1 && JOB_COMPONENT.test(parts[k]);
  let k = parts.findIndex((_, i) => i > 0 && at(i));
  if (k < 0 && at(0)) k = 0;
  return k < 0 ? name : parts.slice(k + 1).join('/');
}

/** The name without the extension of its last component ("Movies/a.b.mrc" -> "Movies/a.b"). */
export function withoutExtension(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return dot > slash + 1 ? name.slice(0, dot) : name;
}

/** Joins a job directory ("External/job005/" or "External/job005") and a relative path with one slash. */
export function joinJobPath(jobDir: string, rel: string): string {
  return `${jobDir.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}

/** Where RELION's picking job writes the coordinate file of this micrograph (project-relative). */
export function coordinateFilePath(jobDir: string, micrographName: string): string {
  return joinJobPath(jobDir, `${withoutExtension(pathAfterJobDir(micrographName))}_${PICK_NAME}.star`);
}

/** RELION 3.1's coords_suffix_autopick.star: the micrographs STAR's name on one line. */
export function coordsSuffixText(inMics: string): string {
  return `${inMics}\n`;
}

/** The dialect of a project's default_pipeline.star, or undefined when the text does not say. */
export function pipelineVersion(pipelineText: string): RelionPipelineVersion | undefined {
  if (/_rlnPipeLine(Node|Process)TypeLabel\b/.test(pipelineText)) return '4';
  if (/_rlnPipeLine(Node|Process)Type\b/.test(pipelineText)) return '3.1';
  return undefined;
}

/** RELION_OUTPUT_NODES.star announcing a picking job's coordinate list to the pipeline. */
export function outputNodesText(jobDir: string, version: RelionPipelineVersion): string {
  const loop =
    version === '3.1'
      ? {
          columns: ['rlnPipeLineNodeName', 'rlnPipeLineNodeType'],
          rows: [[joinJobPath(jobDir, COORDS_SUFFIX_FILE), String(NODE_TYPE_COORDS_31)]],
        }
      : {
          columns: ['rlnPipeLineNodeName', 'rlnPipeLineNodeTypeLabel'],
          rows: [[joinJobPath(jobDir, COORDINATE_LIST_FILE), NODE_LABEL_COORDS]],
        };
  return writeStar([{ name: 'output_nodes', loops: [loop] }]);
}
