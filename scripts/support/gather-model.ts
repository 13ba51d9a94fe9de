import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface GatherModelSpec {
  /** Where the model goes: `<dir>/<name>/`, which is `env.localModelPath` + model name. */
  dir: string;
  name: string;
  /** Whole lowercase words; anything else tokenizes to [UNK]. */
  words: readonly string[];
  dimensions: number;
  /** Seed of the embedding table (mulberry32). */
  seed: number;
  producer: string;
}

/**
 * Writes a minimal BERT-shaped model that transformers.js 2.17 loads offline with
 * `pipeline('feature-extraction', name)` when `env.localModelPath = dir`.
 *
 * The "network" is one Gather from a seeded embedding table: enough for the real tokenizer,
 * onnxruntime session and pooling code to run, deterministic, and cheap to run. The tests use an
 * 8-dimension one to assert exact values; the scale bench a 512-dimension one so that embedding
 * does not dominate what it measures.
 */
export async function buildGatherModel(spec: GatherModelSpec): Promise<{ modelsDir: string; model: string; dimensions: number }> {
  const modelDir = path.join(spec.dir, spec.name);
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });
  const vocab = [...SPECIAL_TOKENS, ...spec.words];
  const onnxBytes = buildOnnxModel(vocab, spec);
  await Promise.all([
    writeJson(path.join(modelDir, 'config.json'), configJson(vocab.length, spec.dimensions)),
    writeJson(path.join(modelDir, 'tokenizer.json'), tokenizerJson(vocab)),
    writeJson(path.join(modelDir, 'tokenizer_config.json'), tokenizerConfigJson()),
    // transformers.js picks the file by the `quantized` option; the tiny model needs no real quantization.
    writeFile(path.join(modelDir, 'onnx', 'model.onnx'), onnxBytes),
    writeFile(path.join(modelDir, 'onnx', 'model_quantized.onnx'), onnxBytes),
  ]);
  return { modelsDir: spec.dir, model: spec.name, dimensions: spec.dimensions };
}

function writeJson(file: string, value: unknown): Promise<void> {
  return writeFile(file, JSON.stringify(value, null, 2));
}

function configJson(vocabSize: number, dimensions: number): object {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: vocabSize,
    hidden_size: dimensions,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: dimensions,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
  };
}

function tokenizerConfigJson(): object {
  // transformers.js reads the special tokens (e.g. the padding id) from here, not from tokenizer.json.
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}

function tokenizerJson(vocab: string[]): object {
  const id = (token: string) => vocab.indexOf(token);
  const special = (token: string) => ({ id: token, ids: [id(token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, index) => [token, index])),
    },
  };
}

/** last_hidden_state = Gather(embeddings, input_ids); the other two inputs are declared like BERT's but unused. */
function buildOnnxModel(vocab: string[], spec: GatherModelSpec): Uint8Array {
  const { TensorProto } = onnx;
  const tokenInput = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: TensorProto.DataType.INT64,
          shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }] },
        },
      },
    });

  const graph = onnx.GraphProto.create({
    name: 'tiny-bert',
    node: [onnx.NodeProto.create({ opType: 'Gather', input: ['embeddings', 'input_ids'], output: ['last_hidden_state'] })],
    initializer: [
      TensorProto.create({
        name: 'embeddings',
        dims: [vocab.length, spec.dimensions],
        dataType: TensorProto.DataType.FLOAT,
        floatData: embeddingTable(vocab.length * spec.dimensions, spec.seed),
      }),
    ],
    input: [tokenInput('input_ids'), tokenInput('attention_mask'), tokenInput('token_type_ids')],
    output: [
      onnx.ValueInfoProto.create({
        name: 'last_hidden_state',
        type: {
          tensorType: {
            elemType: TensorProto.DataType.FLOAT,
            shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: spec.dimensions }] },
          },
        },
      }),
    ],
  });

  // IR 8 / opset 13 is what onnxruntime-node 1.14 (bundled with transformers.js 2.17) understands.
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: spec.producer,
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Seeded pseudo-random rows (mulberry32): fixed across runs, and no two words share a direction. */
function embeddingTable(length: number, seed: number): number[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length }, () => next() * 2 - 1);
}
