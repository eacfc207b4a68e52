/**
 * Spectral normalisation (Miyato et al. 2018; paper eq. 12–13): W_SN = W / σ(W), with σ(W)
 * estimated by one power-iteration step per training step on a persistent vector u:
 *   v ← Wᵀu / ‖Wᵀu‖,   u ← W v / ‖W v‖,   σ = uᵀ W v.
 * u and v are constants for the gradient (as in torch.nn.utils.spectral_norm), so
 *   ∂L/∂W = (G − ⟨G, W_SN⟩ · u vᵀ) / σ,   where G = ∂L/∂W_SN.
 * For a 256→1 layer u is a sign and σ = ‖w‖₂ exactly after one step.
 * This file is the float64 reference every engine must agree with.
 */

/** One power-iteration step. Updates u in place; returns σ and v. W is [out, in] row-major. */
export function powerIteration(
  w: ArrayLike<number>, out: number, inp: number, u: Float32Array | Float64Array, eps = 1e-12,
): { sigma: number; v: Float64Array } {
  const v = new Float64Array(inp);
  for (let i = 0; i < out; i++) {
    const ui = u[i];
    for (let j = 0; j < inp; j++) v[j] += w[i * inp + j] * ui;
  }
  let nv = 0;
  for (let j = 0; j < inp; j++) nv += v[j] * v[j];
  nv = Math.sqrt(nv) + eps;
  for (let j = 0; j < inp; j++) v[j] /= nv;
  const wv = new Float64Array(out);
  for (let i = 0; i < out; i++) {
    let s = 0;
    for (let j = 0; j < inp; j++) s += w[i * inp + j] * v[j];
    wv[i] = s;
  }
  let nu = 0;
  for (let i = 0; i < out; i++) nu += wv[i] * wv[i];
  nu = Math.sqrt(nu) + eps;
  let sigma = 0;
  for (let i = 0; i < out; i++) { u[i] = wv[i] / nu; sigma += u[i] * wv[i]; }
  return { sigma, v };
}

/** Largest singular value by running power iteration to convergence (for tests and reports). */
export function spectralNormExact(w: ArrayLike<number>, out: number, inp: number, iters = 200): number {
  const u = new Float64Array(out).fill(1 / Math.sqrt(out));
  let sigma = 0;
  for (let k = 0; k < iters; k++) sigma = powerIteration(w, out, inp, u).sigma;
  return sigma;
}
