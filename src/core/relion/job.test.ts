import { describe, expect, it } from 'vitest';
import { columnIndex, findBlock, parseStar } from '../coords/star';
import { coordinateFilePath, coordsSuffixText, outputNodesText, pathAfterJobDir, pipelineVersion, withoutExtension } from './job';

describe('RELION job directory layout', () => {
  // The first two cases are what RELION 3.1.3's own AutoPick job wrote (relion_autopick,
  // --odir AutoPick/job004/ and --odir Test/job009/) for these micrograph names.
  it.each([
    ['MotionCorr/job002/Movies/mic_0001.mrc', 'AutoPick/job004/', 'AutoPick/job004/Movies/mic_0001_autopick.star'],
    ['Micrographs/sub/m1.mrc', 'Test/job009/', 'Test/job009/Micrographs/sub/m1_autopick.star'],
    ['MotionCorr/job002/a.b.mrc', 'External/job005', 'External/job005/a.b_autopick.star'],
    ['Import/job001/Raw/job003/x.tiff', 'External/job005/', 'External/job005/Raw/job003/x_autopick.star'],
    ['job007/Movies/y.mrc', 'External/job005/', 'External/job005/Movies/y_autopick.star'],
    ['/data/mics/z.mrc', 'External/job005/', 'External/job005/data/mics/z_autopick.star'],
  ])('%s in %s -> %s', (mic, job, expected) => {
    expect(coordinateFilePath(job, mic)).toBe(expected);
  });

  it('finds the first jobNNN directory after a slash before one at the start, as RELION does', () => {
    expect(pathAfterJobDir('job001/MotionCorr/job002/m.mrc')).toBe('m.mrc');
    expect(pathAfterJobDir('Movies/m.mrc')).toBe('Movies/m.mrc');
  });

  it('removes only the last extension of the file name', () => {
    expect(withoutExtension('Movies.v2/mic')).toBe('Movies.v2/mic');
    expect(withoutExtension('Movies/mic.mrc')).toBe('Movies/mic');
    expect(withoutExtension('Movies/.hidden')).toBe('Movies/.hidden');
  });
});

describe('RELION pipeline files', () => {
  it('coords_suffix_autopick.star holds the micrographs STAR name and a newline (RELION 3.1: echo in_mics > file)', () => {
    expect(coordsSuffixText('CtfFind/job003/micrographs_ctf.star')).toBe('CtfFind/job003/micrographs_ctf.star\n');
  });

  it('tells RELION 3.1 pipelines from 4/5 ones by their node and process type columns', () => {
    expect(pipelineVersion('data_pipeline_nodes\nloop_\n_rlnPipeLineNodeName #1\n_rlnPipeLineNodeType #2\n')).toBe('3.1');
    expect(pipelineVersion('loop_\n_rlnPipeLineProcessTypeLabel #3\n')).toBe('4');
    expect(pipelineVersion('data_pipeline_general\n_rlnPipeLineJobCounter 3\n')).toBeUndefined();
  });

  it('writes RELION_OUTPUT_NODES.star for 3.1 (node type 2) and for 4/5 (type label)', () => {
    const v31 = findBlock(parseStar(outputNodesText('External/job005/', '3.1'), 'n'), 'output_nodes')!.loops[0];
    expect(v31.columns).toEqual(['rlnPipeLineNodeName', 'rlnPipeLineNodeType']);
    expect(v31.rows).toEqual([['External/job005/coords_suffix_autopick.star', '2']]);
    const v4 = findBlock(parseStar(outputNodesText('External/job005', '4'), 'n'), 'output_nodes')!.loops[0];
    expect(columnIndex(v4, 'rlnPipeLineNodeTypeLabel')).toBe(1);
    expect(v4.rows).toEqual([['External/job005/autopick.star', 'MicrographsCoords.star.relion.autopick']]);
  });
});
