// Typed errors shared by every layer. Each names the file it concerns and says, in words a
// user understands, what is wrong, so the UI and CLI can show it as is.

export type ErrorCode =
  | 'empty-file'
  | 'truncated'
  | 'not-mrc'
  | 'unsupported-mode'
  | 'bad-dimensions'
  | 'unsupported-format'
  | 'decode-failed'
  | 'bad-coordinates'
  | 'bad-parameter'
  | 'model-error'
  | 'cancelled';

export class DrpnetError extends Error {
  readonly code: ErrorCode;
  /** The file the problem is in, when there is one. */
  readonly file?: string;

  constructor(code: ErrorCode, message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'DrpnetError';
    this.code = code;
    this.file = file;
  }
}

/** A micrograph that cannot be read (MRC, TIFF, PNG/JPEG). */
export class MicrographError extends DrpnetError {
  constructor(code: ErrorCode, message: string, file?: string) {
    super(code, message, file);
    this.name = 'MicrographError';
  }
}

/** A coordinate file (STAR, BOX, CBOX, Topaz, CSV) that cannot be read. */
export class CoordinateFileError extends DrpnetError {
  readonly line?: number;
  constructor(message: string, file?: string, line?: number) {
    super('bad-coordinates', line !== undefined ? `line ${line}: ${message}` : message, file);
    this.name = 'CoordinateFileError';
    this.line = line;
  }
}

/** A corner-based coordinate file (.box, .cbox) that gives no box size, read without one: the caller may give one. */
export class MissingBoxSizeError extends CoordinateFileError {
  constructor(message: string, file?: string, line?: number) {
    super(`${message}; give the box size to read it`, file, line);
    this.name = 'MissingBoxSizeError';
  }
}

/** A headerless table of numbers whose columns cannot be told (centres or box corners?): a coordinate file that cannot be read, not a stray note. */
export class UnknownColumnsError extends CoordinateFileError {
  constructor(message: string, file?: string) {
    super(message, file);
    this.name = 'UnknownColumnsError';
  }
}

/** A parameter outside its meaningful range (diameter, sigma, threshold, ...). */
export class ParameterError extends DrpnetError {
  /** `file`: the file the value does not fit (a frame it does not hold). */
  constructor(message: string, file?: string) {
    super('bad-parameter', message, file);
    this.name = 'ParameterError';
  }
}

/** Thrown when a long call is cancelled through its AbortSignal. */
export class CancelledError extends DrpnetError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
