// What opening a micrograph file gives, whatever the format and however it was read: a
// description of the file, and a source of its pixels (preprocess/reduce.ts's PixelSource),
// which is all picking needs. A micrograph decoded whole (the workbench, which also displays it;
// training) is one more PixelSource that also holds its image; an MRC streamed from its file
// (the CLI, io/mrc-stream.ts) holds none. Kept apart from the readers so they and the entry
// point (micrograph.ts) all import it, and none of them each other's types.
import { ParameterError } from '../errors';
import type { Image2D } from '../image';
import { reduceImage, type PixelSource } from '../preprocess/reduce';
import type { MicrographFormat } from './formats';

/** What a reader tells about a micrograph besides its pixels. */
export interface MicrographDescription {
  /** Angstrom per pixel, when the file says (formats.ts: MRC only) and it is a plausible one. */
  pixelSize?: number;
  /** The pixel size the header gave where it is none a micrograph has (taken as unknown; pixel-size.ts). */
  pixelSizeRefused?: number;
  /** Frames (sections, pages) in the file. */
  frames: number;
  /** True when several frames were averaged into one image. */
  averaged: boolean;
  format: MicrographFormat;
  /** What the reader decided on the user's behalf (frames averaged, byte order guessed, ...). */
  note?: string;
}

/** A micrograph opened for picking: its description and the source of its pixels. */
export interface OpenedMicrograph extends MicrographDescription, PixelSource {}

/** A micrograph decoded whole: its image is in memory. */
export interface Micrograph extends OpenedMicrograph {
  readonly image: Image2D;
}

/** A decoded image with its description, as the PixelSource picking reads. */
export function decodedMicrograph(image: Image2D, description: MicrographDescription): Micrograph {
  return {
    ...description,
    image,
    width: image.width,
    height: image.height,
    reduce: async (scale) => reduceImage(image, scale),
  };
}

/** Refuses a frame (an MRC section, a TIFF page; a PNG or JPEG has only frame 0) that the file does not hold. */
export function checkFrame(frame: number, frames: number, fileName: string, unit = 'frame'): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames)
    throw new ParameterError(`${unit} ${frame} does not exist; the file has ${frames} ${unit}(s), numbered 0..${frames - 1}`, fileName);
}

/**
 * What is said of a stack averaged into one image: a plain mean, no frame aligned to another, so
 * a movie's drift blurs its particles (a tester's 8-frame movie was picked 40 px off); RELION,
 * crYOLO and Topaz pick motion-corrected micrographs.
 */
export function averagedNote(count: number, what: 'frames' | 'pages'): string {
  return `averaged ${count} ${what} without aligning them: if this is a movie, pick its motion-corrected micrograph`;
}
