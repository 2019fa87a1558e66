import { describe, expect, it } from 'vitest';
import { classifyFile, matchCoordinateFile, stemOf } from './file-routing';

describe('file routing', () => {
  it('classifies by extension, case-insensitively, ignoring folders', () => {
    expect(classifyFile('data/Micrographs/a.MRC')).toBe('micrograph');
    expect(classifyFile('a.mrcs')).toBe('micrograph');
    expect(classifyFile('a.tiff')).toBe('micrograph');
    expect(classifyFile('a.JPG')).toBe('micrograph');
    expect(classifyFile('a_autopick.star')).toBe('coordinates');
    expect(classifyFile('a.cbox')).toBe('coordinates');
    expect(classifyFile('a.csv')).toBe('coordinates');
    expect(classifyFile('notes.pdf')).toBe('other');
    expect(classifyFile('README')).toBe('other');
    expect(stemOf('x/y/mic.01.mrc')).toBe('mic.01');
  });

  const mics = ['stack_0001.mrc', 'stack_0001_2.mrc', 'other.tif'];

  it('matches same stem, known suffixes and longest prefix', () => {
    expect(matchCoordinateFile('stack_0001.box', mics)).toBe('stack_0001.mrc');
    expect(matchCoordinateFile('stack_0001_autopick.star', mics)).toBe('stack_0001.mrc');
    expect(matchCoordinateFile('stack_0001_2_truth.star', mics)).toBe('stack_0001_2.mrc');
    expect(matchCoordinateFile('OTHER.cbox', mics)).toBe('other.tif');
    expect(matchCoordinateFile('stack_0001_2_topaz-run3.txt', mics)).toBe('stack_0001_2.mrc');
  });

  it('does not match a different micrograph sharing a prefix without a separator', () => {
    expect(matchCoordinateFile('stack_00012.star', mics)).toBeUndefined();
    expect(matchCoordinateFile('unrelated.star', mics)).toBeUndefined();
  });
});
