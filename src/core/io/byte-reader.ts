// Random access to a file's bytes without holding the file: what a streamed reader needs.
// Node implements it over a file handle (src/cli/files.ts); tests over an ArrayBuffer.

export interface ByteReader {
  /** The file's length in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes from `offset` (the reader throws when the file has fewer). The
   * returned view may share memory with the reader's buffer: it is valid until the next read.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteReader over bytes already in memory. */
export function bufferReader(buffer: ArrayBuffer): ByteReader {
  return {
    size: buffer.byteLength,
    async read(offset, length) {
      if (offset < 0 || offset + length > buffer.byteLength)
        throw new RangeError(`bytes ${offset}..${offset + length} lie outside a buffer of ${buffer.byteLength}`);
      return new Uint8Array(buffer, offset, length);
    },
  };
}
