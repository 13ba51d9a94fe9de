import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes through a temp file in the same directory, then renames over the target: readers see the
 * old file or the new one, never half of one. fsync first, so a crash cannot rename an empty file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await withTempFile(path, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** Lets `write` produce a temp file by any means (e.g. a native library), then renames it into place. */
export async function withTempFile(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempPath(path);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
