/**
 * Kernels the GAN experiment's networks need beside gemm/reluBackward/colSums/adam (paper §5.3;
 * the networks follow PacGAN's 2D-grid configuration: batch-normalised ReLU generator, maxout
 * discriminator; docs/gan.md). Kept apart from kernels.ts, whose matrix product is tuned
 * separately; kernels.ts re-exports these. Matrices are Float32 row-major [rows, cols], pointers
 * are byte addresses, counts are in floats.
 */

/**
 * Batch normalisation in training mode (Ioffe & Szegedy 2015, Alg. 1) over the n rows of
 * z [n, h], then γ, β and optionally ReLU:
 *   μ = mean_r z,  σ² = mean_r (z − μ)²  (biased, two passes),  invStd = 1/sqrt(σ² + eps),
 *   xhat = (z − μ)·invStd,  out = γ·xhat + β  (ReLU if relu).
 * Stores xhat [n, h] and invStd [h] for bnBackward; mean [h] is scratch. out may not alias z.
 */
export function bnForward(
  out: usize, xhat: usize, mean: usize, invStd: usize, z: usize,
  gamma: usize, beta: usize, n: i32, h: i32, eps: f32, relu: i32,
): void {
  const rowBytes = <usize>h << 2;
  const hv = h & ~3;
  memory.fill(mean, 0, rowBytes);
  memory.fill(invStd, 0, rowBytes);
  for (let r = 0; r < n; r++) {
    const zr = z + <usize>r * rowBytes;
    let j = 0;
    for (; j < hv; j += 4) {
      const o = <usize>j << 2;
      v128.store(mean + o, f32x4.add(v128.load(mean + o), v128.load(zr + o)));
    }
    for (; j < h; j++) {
      const o = <usize>j << 2;
      store<f32>(mean + o, load<f32>(mean + o) + load<f32>(zr + o));
    }
  }
  const invN: f32 = <f32>1 / <f32>n;
  for (let j = 0; j < h; j++) {
    const o = <usize>j << 2;
    store<f32>(mean + o, load<f32>(mean + o) * invN);
  }
  // Second pass: the variance about the mean (as tf.moments and torch compute it).
  for (let r = 0; r < n; r++) {
    const zr = z + <usize>r * rowBytes;
    let j = 0;
    for (; j < hv; j += 4) {
      const o = <usize>j << 2;
      const d = f32x4.sub(v128.load(zr + o), v128.load(mean + o));
      v128.store(invStd + o, f32x4.add(v128.load(invStd + o), f32x4.mul(d, d)));
    }
    for (; j < h; j++) {
      const o = <usize>j << 2;
      const d = load<f32>(zr + o) - load<f32>(mean + o);
      store<f32>(invStd + o, load<f32>(invStd + o) + d * d);
    }
  }
  for (let j = 0; j < h; j++) {
    const o = <usize>j << 2;
    store<f32>(invStd + o, <f32>1 / sqrt<f32>(load<f32>(invStd + o) * invN + eps));
  }
  const zero = f32x4.splat(0);
  for (let r = 0; r < n; r++) {
    const ro = <usize>r * rowBytes;
    let j = 0;
    for (; j < hv; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(z + ro + o), v128.load(mean + o)), v128.load(invStd + o));
      v128.store(xhat + ro + o, xh);
      let y = f32x4.add(f32x4.mul(xh, v128.load(gamma + o)), v128.load(beta + o));
      if (relu) y = f32x4.max(y, zero);
      v128.store(out + ro + o, y);
    }
    for (; j < h; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(z + ro + o) - load<f32>(mean + o)) * load<f32>(invStd + o);
      store<f32>(xhat + ro + o, xh);
      let y = xh * load<f32>(gamma + o) + load<f32>(beta + o);
      if (relu && !(y > 0)) y = 0;
      store<f32>(out + ro + o, y);
    }
  }
}

/**
 * Batch normalisation backward (training mode), given dy = ∂L/∂(γ·xhat + β) [n, h] (any ReLU
 * mask already applied):
 *   dβ = Σ_r dy,  dγ = Σ_r dy·xhat,  dz = (γ·invStd/n)·(n·dy − dβ − xhat·dγ).
 * Writes dz [n, h] (may alias dy) and dGamma, dBeta [h] (overwritten).
 */
export function bnBackward(
  dz: usize, dGamma: usize, dBeta: usize, dy: usize, xhat: usize, invStd: usize,
  gamma: usize, n: i32, h: i32,
): void {
  const rowBytes = <usize>h << 2;
  const hv = h & ~3;
  memory.fill(dGamma, 0, rowBytes);
  memory.fill(dBeta, 0, rowBytes);
  for (let r = 0; r < n; r++) {
    const ro = <usize>r * rowBytes;
    let j = 0;
    for (; j < hv; j += 4) {
      const o = <usize>j << 2;
      const g = v128.load(dy + ro + o);
      v128.store(dBeta + o, f32x4.add(v128.load(dBeta + o), g));
      v128.store(dGamma + o, f32x4.add(v128.load(dGamma + o), f32x4.mul(g, v128.load(xhat + ro + o))));
    }
    for (; j < h; j++) {
      const o = <usize>j << 2;
      const g = load<f32>(dy + ro + o);
      store<f32>(dBeta + o, load<f32>(dBeta + o) + g);
      store<f32>(dGamma + o, load<f32>(dGamma + o) + g * load<f32>(xhat + ro + o));
    }
  }
  const fn: f32 = <f32>n;
  const invN: f32 = <f32>1 / fn;
  const vn = f32x4.splat(fn), vinvN = f32x4.splat(invN);
  for (let r = 0; r < n; r++) {
    const ro = <usize>r * rowBytes;
    let j = 0;
    for (; j < hv; j += 4) {
      const o = <usize>j << 2;
      const k = f32x4.mul(f32x4.mul(v128.load(gamma + o), v128.load(invStd + o)), vinvN);
      const t = f32x4.sub(f32x4.sub(f32x4.mul(vn, v128.load(dy + ro + o)), v128.load(dBeta + o)),
        f32x4.mul(v128.load(xhat + ro + o), v128.load(dGamma + o)));
      v128.store(dz + ro + o, f32x4.mul(k, t));
    }
    for (; j < h; j++) {
      const o = <usize>j << 2;
      const k = load<f32>(gamma + o) * load<f32>(invStd + o) * invN;
      const t = fn * load<f32>(dy + ro + o) - load<f32>(dBeta + o) - load<f32>(xhat + ro + o) * load<f32>(dGamma + o);
      store<f32>(dz + ro + o, k * t);
    }
  }
}

/**
 * Maxout (Goodfellow et al. 2013): z [n, pieces·units] with the pieces in column blocks
 * (column p·units + j is piece p of unit j), out [n, units] = max over p.
 */
export function maxoutForward(out: usize, z: usize, n: i32, units: i32, pieces: i32): void {
  const uBytes = <usize>units << 2;
  const rowBytes = uBytes * <usize>pieces;
  const uv = units & ~3;
  for (let r = 0; r < n; r++) {
    const zr = z + <usize>r * rowBytes;
    const orow = out + <usize>r * uBytes;
    let j = 0;
    for (; j < uv; j += 4) {
      const o = <usize>j << 2;
      let m = v128.load(zr + o);
      for (let p = 1; p < pieces; p++) m = f32x4.max(m, v128.load(zr + <usize>p * uBytes + o));
      v128.store(orow + o, m);
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      let m = load<f32>(zr + o);
      for (let p = 1; p < pieces; p++) m = max<f32>(m, load<f32>(zr + <usize>p * uBytes + o));
      store<f32>(orow + o, m);
    }
  }
}

/**
 * Maxout backward: dz[r, p·units + j] = dout[r, j] where z[r, p·units + j] equals the maximum
 * out[r, j], else 0 (ties all receive the gradient, as tf.max's gradient does; with continuous
 * inputs a tie has probability zero). dz may not alias z.
 */
export function maxoutBackward(dz: usize, dout: usize, z: usize, out: usize, n: i32, units: i32, pieces: i32): void {
  const uBytes = <usize>units << 2;
  const rowBytes = uBytes * <usize>pieces;
  const uv = units & ~3;
  for (let r = 0; r < n; r++) {
    const zr = z + <usize>r * rowBytes;
    const dzr = dz + <usize>r * rowBytes;
    const orow = out + <usize>r * uBytes;
    const drow = dout + <usize>r * uBytes;
    let j = 0;
    for (; j < uv; j += 4) {
      const o = <usize>j << 2;
      const m = v128.load(orow + o), g = v128.load(drow + o);
      for (let p = 0; p < pieces; p++) {
        const q = <usize>p * uBytes + o;
        v128.store(dzr + q, v128.and(g, f32x4.eq(v128.load(zr + q), m)));
      }
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      const m = load<f32>(orow + o), g = load<f32>(drow + o);
      for (let p = 0; p < pieces; p++) {
        const q = <usize>p * uBytes + o;
        store<f32>(dzr + q, load<f32>(zr + q) == m ? g : 0);
      }
    }
  }
}

/** Exponential moving average of parameters: dst = decay·dst + (1 − decay)·src over count floats. */
export function emaUpdate(dst: usize, src: usize, count: i32, decay: f32): void {
  const vd = f32x4.splat(decay), vc = f32x4.splat(<f32>1 - decay);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(f32x4.mul(vd, v128.load(dst + o)), f32x4.mul(vc, v128.load(src + o))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, decay * load<f32>(dst + o) + (<f32>1 - decay) * load<f32>(src + o));
  }
}

/** dst += alpha·src over count floats (combining two gradients flowing into one activation). */
export function axpy(dst: usize, src: usize, count: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(va, v128.load(src + o))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + alpha * load<f32>(src + o));
  }
}
