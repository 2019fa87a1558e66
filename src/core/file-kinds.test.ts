import { describe, expect, it } from 'vitest';
import {
  COORDINATE_FORMAT_IDS,
  COORDINATE_FORMATS,
  coordinateFileName,
  coordinateFormatOfExtension,
  detectCoordinateFormat,
  micrographMatcher,
  micrographKey,
} from './coords';
import { FILE_INPUT_ACCEPT, fileKind } from './file-kinds';
import { MICROGRAPH_EXTENSIONS } from './io/formats';

describe('file kinds', () => {
  it('classifies by extension, case-insensitively, ignoring folders', () => {
    expect(fileKind('data/Micrographs/a.MRC')).toBe('micrograph');
    expect(fileKind('a.mrcs')).toBe('micrograph');
    expect(fileKind('a.tiff')).toBe('micrograph');
    expect(fileKind('a.JPG')).toBe('micrograph');
    expect(fileKind('a_autopick.star')).toBe('coordinates');
    expect(fileKind('a.cbox')).toBe('coordinates');
    expect(fileKind('a.csv')).toBe('coordinates');
    expect(fileKind('notes.pdf')).toBe('other');
    expect(fileKind('README')).toBe('other');
  });

  it('takes every micrograph extension the readers take (the workbench reads .st and .map like the CLI)', () => {
    for (const ext of MICROGRAPH_EXTENSIONS) expect(fileKind(`m.${ext}`), ext).toBe('micrograph');
    expect(fileKind('tilt.st')).toBe('micrograph');
    expect(fileKind('vol.map')).toBe('micrograph');
    expect(fileKind('picks.tsv')).toBe('coordinates');
    const accepted = FILE_INPUT_ACCEPT.split(',');
    for (const name of ['a.mrc', 'a.st', 'a.map', 'a.tif', 'a.jpeg', 'a.star', 'a.box', 'a.cbox', 'a.txt', 'a.tsv', 'a.csv']) {
      expect(accepted).toContain(name.slice(1));
    }
  });

  it('writes each format under a name that reads back as that format and that micrograph', () => {
    for (const f of COORDINATE_FORMAT_IDS) {
      const name = coordinateFileName('Movies/stack_0001.mrc', f);
      expect(fileKind(name), f).toBe('coordinates');
      expect(micrographKey(name), f).toBe('stack_0001');
      if (COORDINATE_FORMATS[f].nameDecides) expect(detectCoordinateFormat('', name), f).toBe(f);
      expect(coordinateFormatOfExtension(name), f).toBe(f);
    }
    expect(coordinateFormatOfExtension('picks.TSV')).toBe('topaz');
    expect(coordinateFormatOfExtension('mic.mrc')).toBeUndefined();
  });
});

describe('matching coordinate files to micrographs', () => {
  const mics = ['stack_0001.mrc', 'stack_0001_2.mrc', 'other.tif'];

  it('matches same base name, known suffixes and the longest prefix', () => {
    expect(micrographMatcher(mics)('stack_0001.box')).toBe('stack_0001.mrc');
    expect(micrographMatcher(mics)('stack_0001_autopick.star')).toBe('stack_0001.mrc');
    expect(micrographMatcher(mics)('stack_0001_2_truth.star')).toBe('stack_0001_2.mrc');
    expect(micrographMatcher(mics)('OTHER.cbox')).toBe('other.tif');
    expect(micrographMatcher(mics)('stack_0001_2_topaz-run3.txt')).toBe('stack_0001_2.mrc');
    // Suffixes only one of the two old matchers knew, and names from inside a table.
    expect(micrographMatcher(mics)('stack_0001_picked.star')).toBe('stack_0001.mrc');
    expect(micrographMatcher(mics)('stack_0001_gt.star')).toBe('stack_0001.mrc');
    expect(micrographMatcher(mics)('stack_0001')).toBe('stack_0001.mrc');
    expect(micrographMatcher(mics)('Movies/stack_0001.mrc')).toBe('stack_0001.mrc');
  });

  it('does not match a different micrograph sharing a prefix without a separator', () => {
    expect(micrographMatcher(mics)('stack_00012.star')).toBeUndefined();
    expect(micrographMatcher(mics)('unrelated.star')).toBeUndefined();
  });

  it('keys ground truth by the micrograph, as the CLI matches truth files', () => {
    expect(micrographKey('mic_0001_truth.star')).toBe(micrographKey('mic_0001.mrc'));
    expect(micrographKey('vol.map')).toBe('vol');
  });
});
