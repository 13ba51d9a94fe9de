/*
 * A file of named typed-array and text sections behind one JSON header, so that a reader gets
 * views over the file's own buffer: nothing is parsed per element. Layout: "NDBS", the header's
 * byte length (uint32 LE), the header (JSON), then each section, every one 8-byte aligned.
 */

import { open } from 'node:fs/promises';
import { withTempFile } from './fs-atomic.js';

export type Section = Int32Array | Uint32Array | Uint16Array | Float64Array | string;

const MAGIC = 'NDBS';
const ALIGN = 8;

const KINDS = {
  Int32Array,
  Uint32Array,
  Uint16Array,
  Float64Array,
} as const;
type Kind = keyof typeof KINDS | 'utf8';

interface Entry {
  name: string;
  kind: Kind;
  offset: number;
  bytes: number;
}

interface Header {
  meta: unknown;
  sections: Entry[];
}

const aligned = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

function kindOf(section: Section): Kind {
  if (typeof section === 'string') return 'utf8';
  return section.constructor.name as Kind;
}

function bytesOf(section: Section): Uint8Array {
  return typeof section === 'string' ? Buffer.from(section, 'utf8') : new Uint8Array(section.buffer, section.byteOffset, section.byteLength);
}

/**
 * The file's pieces, in order, ready for one `writev`: the sections are not copied. `meta` goes
 * into the header as JSON.
 */
export function encodeSections(meta: unknown, sections: Record<string, Section>): Uint8Array[] {
  const parts = Object.entries(sections).map(([name, section]) => ({ name, kind: kindOf(section), bytes: bytesOf(section) }));
  // Offsets depend on the header's length, which depends on the offsets: lay out after a first guess, then fix.
  let headerBytes = 0;
  let header: Header;
  let encoded: Buffer;
  for (;;) {
    let offset = aligned(8 + headerBytes);
    const entries = parts.map((p) => {
      const entry = { name: p.name, kind: p.kind, offset, bytes: p.bytes.byteLength };
      offset = aligned(offset + p.bytes.byteLength);
      return entry;
    });
    header = { meta, sections: entries };
    encoded = Buffer.from(JSON.stringify(header), 'utf8');
    if (encoded.byteLength <= headerBytes) break;
    headerBytes = encoded.byteLength + 64;
  }
  // JSON.parse ignores the spaces that pad the header.
  const head = Buffer.alloc(aligned(8 + headerBytes), 0x20);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(headerBytes, 4);
  encoded.copy(head, 8);
  const pieces: Uint8Array[] = [head];
  for (const part of parts) {
    pieces.push(part.bytes);
    const padding = aligned(part.bytes.byteLength) - part.bytes.byteLength;
    if (padding > 0) pieces.push(new Uint8Array(padding));
  }
  return pieces;
}

/** Writes the sections file atomically (temp file, fsync, rename), straight from the arrays. */
export async function writeSectionsAtomic(path: string, meta: unknown, sections: Record<string, Section>): Promise<void> {
  const pieces = encodeSections(meta, sections);
  await withTempFile(path, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      // writev takes a limited number of buffers per call.
      for (let i = 0; i < pieces.length; i += 512) await handle.writev(pieces.slice(i, i + 512));
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

export interface DecodedSections {
  meta: unknown;
  get(name: string, kind: 'utf8'): string;
  get<K extends keyof typeof KINDS>(name: string, kind: K): InstanceType<(typeof KINDS)[K]>;
}

/** Views over `file`'s buffer; throws an Error naming what is wrong when the file is not such a file. */
export function decodeSections(file: Uint8Array): DecodedSections {
  // Views need the buffer aligned: a pooled or offset buffer is copied once.
  const bytes = file.byteOffset % ALIGN === 0 ? file : new Uint8Array(file);
  const buffer = Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.byteLength < 8 || buffer.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a sections file');
  const headerBytes = buffer.readUInt32LE(4);
  let header: Header;
  try {
    header = JSON.parse(buffer.toString('utf8', 8, 8 + headerBytes)) as Header;
  } catch {
    throw new Error('damaged header');
  }
  const entries = new Map(header.sections.map((entry) => [entry.name, entry]));
  return {
    meta: header.meta,
    get(name: string, kind: Kind): never {
      const entry = entries.get(name);
      if (!entry || entry.kind !== kind || entry.offset + entry.bytes > buffer.byteLength) throw new Error(`section ${name} is missing or damaged`);
      if (kind === 'utf8') return buffer.toString('utf8', entry.offset, entry.offset + entry.bytes) as never;
      const View = KINDS[kind];
      return new View(buffer.buffer, buffer.byteOffset + entry.offset, entry.bytes / View.BYTES_PER_ELEMENT) as never;
    },
  };
}
