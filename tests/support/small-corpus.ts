import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Four front-matter documents: small enough to index in a second, distinct enough to rank exactly. */
export const SMALL_CORPUS: Record<string, string> = {
  'bridge.md': doc('Harbour bridge closes for repairs', 'Valley Courier', '2025-03-03', 'The harbour bridge closed on Monday for repairs to its deck. Engineers expect the work to take six weeks.'),
  'port.md': doc('Port authority names a new director', 'Coast Herald', '2025-03-04', 'The port authority named Maria Lopez its director. She ran the container terminal for ten years.'),
  'cup.md': doc('Rovers win the regional football cup', 'Valley Courier', '2025-03-05', 'The Rovers beat the Wanderers two goals to one in the final of the regional football cup.'),
  'rain.md': doc('Heavy rain floods the riverside road', 'Coast Herald', '2025-03-06', 'Heavy rain flooded the riverside road overnight. The council closed it until the water recedes.'),
};

function doc(title: string, outlet: string, date: string, text: string): string {
  return `---\ntitle: ${title}\noutlet: ${outlet}\ndate: ${date}\n---\n${text}\n`;
}

export async function writeSmallCorpus(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(SMALL_CORPUS)) await writeFile(join(dir, name), text);
}
