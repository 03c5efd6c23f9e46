/**
 * Recording and submitting the `webgpu` backend's work. Every dispatch and copy goes
 * into one command encoder (dispatches share one compute pass between copies); nothing
 * is submitted until `flush` — called for a read-back, when the uniform buffer is full,
 * or when the upload staging is — so a training step that reads its loss is one
 * `queue.submit`, and nothing waits inside it. Each dispatch's parameters take one
 * 256-byte slot of a uniform buffer, bound with a dynamic offset, written once per
 * submission: no buffer is created per op. Every submission runs inside validation
 * and out-of-memory error scopes; a device error becomes `failure`.
 */
import { OPERAND_BASE, PARAM_WORDS } from './params.js';
import { USAGE, type GBuffer, type GDevice, type GEncoder, type GPass } from './gpu.js';

/** Bytes per dispatch in the uniform buffer (minUniformBufferOffsetAlignment is at most 256). */
export const SLOT = PARAM_WORDS * 4;
/** Dispatches recorded before the encoder is submitted anyway (bounds the uniform buffer). */
const MAX_RECORDED = 4096;

export class Recorder {
  /** The uniform buffer of parameter slots (binding 0 of every kernel). */
  readonly paramBuffer: GBuffer;
  private readonly params = new Uint32Array(MAX_RECORDED * PARAM_WORDS);
  private readonly pipelines = new Map<string, unknown>();
  /** Upload staging: host data is written here, then copied into place in recording order. */
  private staging: GBuffer;
  private stagingTop = 0;
  /** Buffers the recorded commands still use, destroyed after the next submission. */
  private retired: GBuffer[] = [];
  private encoder: GEncoder | undefined;
  private pass: GPass | undefined;
  private lastPipeline: unknown;
  private recorded = 0;
  private readonly checks = new Set<Promise<void>>();
  /** The first error the device reported; the backend refuses work after it. */
  failure: Error | undefined;
  submissions = 0;
  dispatches = 0;

  constructor(private readonly device: GDevice) {
    this.paramBuffer = device.createBuffer({ size: MAX_RECORDED * SLOT, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.staging = device.createBuffer({ size: 1 << 20, usage: USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  /** Pipelines compiled so far. */
  get pipelineCount(): number { return this.pipelines.size; }

  /** Bytes held by the parameter and staging buffers. */
  get bytes(): number { return this.paramBuffer.size + this.staging.size; }

  /** The current encoder, opened (inside fresh error scopes) on first use. */
  private open(): GEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Records a buffer-to-buffer copy (byte offsets), in order with the dispatches. */
  copy(from: GBuffer, fromOffset: number, to: GBuffer, toOffset: number, bytes: number): void {
    const encoder = this.open();
    this.endPass();
    encoder.copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
  }

  /**
   * Records an upload of `host` to `to` at byte `toOffset`: written to the staging buffer
   * at a fresh offset, then copied in recording order, so it never overtakes a recorded
   * kernel that reads the destination's previous contents.
   */
  upload(host: Float32Array, to: GBuffer, toOffset: number): void {
    const bytes = host.length * 4;
    if (this.stagingTop + bytes > this.staging.size) {
      this.flush(); // submitting frees the whole staging buffer for reuse
      if (bytes > this.staging.size) {
        this.retire(this.staging);
        this.staging = this.device.createBuffer({ size: Math.ceil(bytes / 256) * 256, usage: USAGE.COPY_SRC | USAGE.COPY_DST });
      }
    }
    this.device.queue.writeBuffer(this.staging, this.stagingTop, host, 0, host.length);
    this.copy(this.staging, this.stagingTop, to, toOffset, bytes);
    this.stagingTop += Math.ceil(bytes / 256) * 256;
  }

  /** Destroys `buffer` after the next submission (recorded commands may still use it). */
  retire(buffer: GBuffer): void {
    this.retired.push(buffer);
  }

  /** The pipeline of kernel `key`, compiled from `source()` with `layout` on first use. */
  pipeline(key: string, source: () => string, layout: unknown): unknown {
    let p = this.pipelines.get(key);
    if (!p) {
      this.open(); // first, so its error scopes cover the compilation too
      const module = this.device.createShaderModule({ code: source() });
      p = this.device.createComputePipeline({ layout, compute: { module, entryPoint: 'main' } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Records one dispatch of `pipeline` with bind group `group` on a `groups` grid; its
   * parameters are `words`, then the operands' heap offsets from word OPERAND_BASE on.
   */
  dispatch(pipeline: unknown, group: unknown, words: readonly number[], operands: readonly { offset: number }[], groups: readonly [number, number]): void {
    if (this.recorded === MAX_RECORDED) this.flush();
    const encoder = this.open();
    const at = this.recorded * PARAM_WORDS;
    this.params.fill(0, at, at + PARAM_WORDS);
    for (let i = 0; i < words.length; i++) this.params[at + i] = words[i]!;
    for (let i = 0; i < operands.length; i++) this.params[at + OPERAND_BASE + i] = operands[i]!.offset;
    if (!this.pass) {
      this.pass = encoder.beginComputePass();
      this.lastPipeline = undefined;
    }
    if (pipeline !== this.lastPipeline) this.pass.setPipeline(pipeline);
    this.lastPipeline = pipeline;
    this.pass.setBindGroup(0, group, [this.recorded * SLOT]);
    this.pass.dispatchWorkgroups(groups[0], groups[1]);
    this.recorded++;
    this.dispatches++;
  }

  /** Submits the recorded commands, with their parameters, as one submission. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.recorded) this.device.queue.writeBuffer(this.paramBuffer, 0, this.params, 0, this.recorded * PARAM_WORDS);
    this.device.queue.submit([this.encoder.finish()]);
    this.submissions++;
    this.encoder = undefined;
    this.recorded = 0;
    this.stagingTop = 0;
    for (const b of this.retired) b.destroy(); // WebGPU keeps them alive until the submitted work is done
    this.retired = [];
    const check = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]).then((errs) => {
      const e = errs.find((x) => x);
      if (e) this.failure ??= new Error(`webgpu: the device rejected a command: ${e.message.split('\n')[0]}`);
    });
    this.checks.add(check);
    void check.finally(() => this.checks.delete(check));
  }

  /** Waits for every submission's error check; throws the device's first error. */
  async settleChecks(): Promise<void> {
    while (this.checks.size) await Promise.all([...this.checks]);
    if (this.failure) throw this.failure;
  }

  /** Destroys the buffers this recorder owns. */
  destroy(): void {
    for (const b of [this.paramBuffer, this.staging, ...this.retired]) b.destroy();
    this.retired = [];
    this.pipelines.clear();
  }
}
