import { describe, expect, it } from 'vitest';
import { filesFromEntries } from './drop';

/** Minimal stand-ins for the File and Directory Entries API (a dropped folder). */
function file(name: string): FileSystemEntry {
  const f = new File([name], name);
  return { isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(f) } as unknown as FileSystemEntry;
}
function dir(name: string, children: FileSystemEntry[], chunk = 2): FileSystemEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      // readEntries hands out the listing in chunks and an empty chunk at the end, as browsers do.
      return { readEntries: (ok: (e: FileSystemEntry[]) => void) => setTimeout(() => ok(children.slice(at, (at += chunk))), 0) };
    },
  } as unknown as FileSystemEntry;
}

describe('filesFromEntries', () => {
  it('walks dropped folders recursively, reading listings chunk by chunk', async () => {
    const tree = [
      file('top.mrc'),
      dir('run', [file('a.mrc'), file('b.mrc'), file('c.mrc'), dir('truth', [file('a.star'), file('b.star')])]),
    ];
    const out = await filesFromEntries(tree);
    expect(out.map((f) => f.name)).toEqual(['top.mrc', 'a.mrc', 'b.mrc', 'c.mrc', 'a.star', 'b.star']);
    expect(await out[4].blob.text()).toBe('a.star');
  });
});
