// Helpers shared by the coordinate-file tests: golden files, the fixed picks the writer goldens
// were written for, and checks on the typed error.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { CoordinateFileError } from '../../errors';
import type { Particle } from '../types';

/** Text of a golden file in this folder, byte for byte (utf8). */
export function golden(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

/** The picks every file in written/ was written from (micrograph Movies/mic_0001.mrc, box 180). */
export const WRITER_PICKS: Particle[] = [
  { x: 1234.5, y: 567.25, score: 2.345678, classNumber: 1, psi: 45 },
  { x: 88, y: 3900.75, score: 0.987654, classNumber: 2, psi: -120.5 },
  { x: 4001, y: 12, score: -1.5 },
  { x: 1234.5678, y: 0.000123456 },
];
export const WRITER_MICROGRAPH = 'Movies/mic_0001.mrc';
export const WRITER_BOX = 180;

/** Picks with more digits than the writers keep, one of them without a score. */
export const ROUND_TRIP_PICKS: Particle[] = [
  { x: 3712.45678, y: 0.25, score: -3.14159265 },
  { x: 10, y: 20 },
];

/** x rounded to the 6 significant digits the writers keep. */
export const sig6 = (x: number): number => Number(x.toPrecision(6));

/**
 * Runs `fn`, expects a CoordinateFileError that names `file` (and `line` when given, in the
 * message too), and returns it for further checks.
 */
export function expectCoordError(fn: () => unknown, file: string, line?: number): CoordinateFileError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CoordinateFileError);
  const err = caught as CoordinateFileError;
  expect(err.file).toBe(file);
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  if (line !== undefined) {
    expect(err.line).toBe(line);
    expect(err.message).toContain(`line ${line}: `);
  }
  return err;
}
