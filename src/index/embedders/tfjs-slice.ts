/**
 * A faster Slice and SplitV for tfjs's WASM backend, which runs the Universal Sentence Encoder.
 * Its own Slice first copies the whole input out of the WASM heap into a new JavaScript array, and
 * SplitV does that once per piece: USE splits its attention projections ([batch, tokens, 1536] into
 * three) on every call, and those copies were ~18% of its time, and memory traffic that two threads
 * embedding at once compete for. These copy only the slice, heap to heap: the same bytes, so the
 * same vectors.
 */
import * as tfjs from '@energetic-ai/core';

/** The little of tfjs-core used here (its types are not shipped with @energetic-ai/core). */
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
}
interface KernelArgs {
  inputs: { x: TensorInfo };
  attrs: Record<string, unknown>;
  backend: WasmBackend;
}
interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[];
  setupFunc?: unknown;
  disposeFunc?: unknown;
}
interface Tfjs {
  getKernel(name: string, backend: string): KernelConfig | undefined;
  registerKernel(config: KernelConfig): void;
  unregisterKernel(name: string, backend: string): void;
  slice_util: { parseSliceParams(x: TensorInfo, begin: number | number[], size?: number | number[]): [number[], number[]] };
  backend_util: { prepareSplitSize(x: TensorInfo, sizes: number | number[], axis: number): number[] };
  util: { parseAxisParam(axis: number | number[], shape: number[]): number[]; computeStrides(shape: number[]): number[] };
}

const tf = tfjs as unknown as Tfjs;
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Copies the box `begin`..`begin + size` of `x` into `out`, one innermost row at a time. */
function copyBox(backend: WasmBackend, x: TensorInfo, out: TensorInfo, begin: number[], size: number[]): void {
  const bytes = BYTES[x.dtype]!;
  // Read after makeOutput: an allocation may have grown (and so replaced) the heap.
  const heap = backend.wasm.HEAPU8;
  const from = backend.dataIdMap.get(x.dataId).memoryOffset;
  const strides = [...tf.util.computeStrides(x.shape), 1];
  const last = x.shape.length - 1;
  const run = size[last]! * bytes;
  let to = backend.dataIdMap.get(out.dataId).memoryOffset;
  const walk = (dim: number, offset: number): void => {
    if (dim === last) {
      const start = from + (offset + begin[dim]!) * bytes;
      heap.copyWithin(to, start, start + run);
      to += run;
      return;
    }
    for (let i = begin[dim]!; i < begin[dim]! + size[dim]!; i++) walk(dim + 1, offset + i * strides[dim]!);
  };
  walk(0, 0);
}

function sliceOf(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.every((n) => n > 0)) copyBox(backend, x, out, begin, size);
  return out;
}

/** Installs the two kernels once per thread (each worker thread has its own tfjs); idempotent. */
export function installFastSlice(): void {
  const slice = tf.getKernel('Slice', 'wasm');
  const splitV = tf.getKernel('SplitV', 'wasm');
  if (!slice || !splitV || (slice as { fast?: boolean }).fast) return;
  const fallback = slice.kernelFunc;
  const handled = (x: TensorInfo) => x.dtype in BYTES && x.shape.length > 0;
  replace(slice, (args) => {
    const { x } = args.inputs;
    if (!handled(x)) return fallback(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x, args.attrs.begin as number[], args.attrs.size as number[]);
    return sliceOf(args.backend, x, begin, size);
  });
  replace(splitV, (args) => {
    const { x } = args.inputs;
    if (!handled(x)) return splitV.kernelFunc(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits as number[], axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((n) => {
      const piece = sliceOf(args.backend, x, [...begin], x.shape.map((d, i) => (i === axis ? n : d)));
      begin[axis]! += n;
      return piece;
    });
  });
}

function replace(kernel: KernelConfig, kernelFunc: KernelConfig['kernelFunc']): void {
  tf.unregisterKernel(kernel.kernelName, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc, fast: true } as KernelConfig);
}
