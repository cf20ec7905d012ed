// The live mode's paste-back: the edit of the centred square put back into the
// camera frame, feathered by the attention map, as tfganimation/faces/paste.py
// does for photos (a port of `paste_face` for an axis-aligned square crop).
//
// Why not draw the model's output over the frame: the output is the crop's
// size (64 or 128 px) blown back up, which blurs the whole face; adding the
// *change* the model made keeps the camera's own detail wherever the
// attention kept the input, and the border ramp hides the square's outline.

export const FEATHER = 0.1;         // Border ramp, in crop sides (paste_face's default).
export const ATTENTION_GROW = 0.03;  // Dilation of the changed region, in crop sides.
export const ATTENTION_BLUR = 0.02;  // Gaussian sigma over it, in crop sides.

/**
 * The blending mask in crop space: a smooth border ramp times `1 − attention`
 * dilated and blurred (`_border_ramp` × `_grow` in paste.py).
 *
 * @param {Float32Array} attention size × size, 1 = input kept.
 * @param {number} size the crop's side.
 * @return {{mask: Float32Array, painted: Float32Array}} both size × size.
 */
export function pasteMask(attention, size) {
  const painted = new Float32Array(size * size);
  for (let i = 0; i < painted.length; i++) painted[i] = 1 - Math.min(1, Math.max(0, attention[i]));
  const grown = gaussianBlur(dilate(painted, size, Math.max(1, Math.round(ATTENTION_GROW * size))),
                             size, Math.max(0.5, ATTENTION_BLUR * size));
  const ramp = borderRamp(size, FEATHER);
  const mask = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      mask[y * size + x] = ramp[y] * ramp[x] * Math.min(1, Math.max(0, grown[y * size + x]));
    }
  }
  return {mask, painted};
}

/**
 * Pastes an edit of a square crop back into the square's pixels, in place.
 *
 * result = region + w·(edited − crop)↑ − w·painted↑·(region − crop↑), with
 * w = strength · mask↑ and ↑ bilinear upsampling to the square (0 outside
 * the crop), rounded and clipped to 0..255. `strength` 0 leaves the frame
 * as the camera gave it; 1 is the full edit.
 *
 * @param {Uint8ClampedArray} region RGBA, side × side: the frame's square.
 * @param {number} side its side in pixels.
 * @param {Uint8Array} crop RGB, size × size: what the model was given.
 * @param {Uint8Array} edited RGB, size × size: the model's image.
 * @param {Float32Array} attention size × size.
 * @param {number} size the crop's side.
 * @param {number} strength 0..1.
 */
export function pasteSquare(region, side, crop, edited, attention, size, strength = 1) {
  const {mask, painted} = pasteMask(attention, size);
  const delta = new Float32Array(size * size * 3);
  for (let i = 0; i < delta.length; i++) delta[i] = edited[i] - crop[i];
  const taps = bilinearTaps(side, size);
  const {a, b, wa, wb} = taps;
  for (let y = 0; y < side; y++) {
    const ya = a[y] * size, yb = b[y] * size, wya = wa[y], wyb = wb[y];
    for (let x = 0; x < side; x++) {
      const k00 = ya + a[x], k01 = ya + b[x], k10 = yb + a[x], k11 = yb + b[x];
      const w00 = wya * wa[x], w01 = wya * wb[x], w10 = wyb * wa[x], w11 = wyb * wb[x];
      const weight = strength * (w00 * mask[k00] + w01 * mask[k01] + w10 * mask[k10] + w11 * mask[k11]);
      if (weight === 0) continue;  // Outside the change: the camera's pixel, untouched.
      const paint = w00 * painted[k00] + w01 * painted[k01] + w10 * painted[k10] + w11 * painted[k11];
      const out = 4 * (y * side + x);
      for (let c = 0; c < 3; c++) {
        const change = w00 * delta[3 * k00 + c] + w01 * delta[3 * k01 + c] +
                       w10 * delta[3 * k10 + c] + w11 * delta[3 * k11 + c];
        const under = w00 * crop[3 * k00 + c] + w01 * crop[3 * k01 + c] +
                      w10 * crop[3 * k10 + c] + w11 * crop[3 * k11 + c];
        const value = region[out + c];
        region[out + c] = Math.round(value + weight * change - weight * paint * (value - under));
      }
    }
  }
}

/**
 * For each of `side` output pixels, the two crop pixels it samples and their
 * weights (pixel centres: u = (x + ½)·size/side − ½). A tap off the crop gets
 * weight 0, as cv2.warpAffine's constant-0 border gives.
 */
export function bilinearTaps(side, size) {
  const a = new Int32Array(side), b = new Int32Array(side);
  const wa = new Float32Array(side), wb = new Float32Array(side);
  const scale = size / side;
  for (let x = 0; x < side; x++) {
    const u = (x + 0.5) * scale - 0.5;
    const i = Math.floor(u);
    const f = u - i;
    const inA = i >= 0 && i < size, inB = i + 1 >= 0 && i + 1 < size;
    a[x] = inA ? i : 0;
    b[x] = inB ? i + 1 : 0;
    wa[x] = inA ? 1 - f : 0;
    wb[x] = inB ? f : 0;
  }
  return {a, b, wa, wb};
}

/** 0 on the outer pixels, rising (smoothstep) to 1 `feather · size` in. */
export function borderRamp(size, feather) {
  const ramp = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const r = Math.min(1, Math.max(0, Math.min(i, size - 1 - i) / (feather * size)));
    ramp[i] = r * r * (3 - 2 * r);
  }
  return ramp;
}

/** Grey dilation by an ellipse of radius `radius` (cv2.MORPH_ELLIPSE); off-image pixels ignored. */
export function dilate(values, size, radius) {
  const k = 2 * radius + 1;
  const offsets = [];
  for (let i = 0; i < k; i++) {
    const dy = i - radius;
    const dx = Math.round(radius * Math.sqrt((radius * radius - dy * dy) / (radius * radius)));
    for (let j = Math.max(radius - dx, 0); j < Math.min(radius + dx + 1, k); j++) offsets.push([dy, j - radius]);
  }
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let best = -Infinity;
      for (const [dy, dx] of offsets) {
        const yy = y + dy, xx = x + dx;
        if (yy >= 0 && yy < size && xx >= 0 && xx < size && values[yy * size + xx] > best) {
          best = values[yy * size + xx];
        }
      }
      out[y * size + x] = best;
    }
  }
  return out;
}

/** Separable Gaussian blur, cv2.GaussianBlur's float kernel size and reflect-101 border. */
export function gaussianBlur(values, size, sigma) {
  const k = Math.round(sigma * 8 + 1) | 1;
  const half = (k - 1) / 2;
  const kernel = new Float32Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) total += kernel[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < k; i++) kernel[i] /= total;
  const reflect = (i) => {
    if (size === 1) return 0;
    while (i < 0 || i >= size) i = i < 0 ? -i : 2 * size - 2 - i;
    return i;
  };
  const pass = (input, horizontal) => {
    const out = new Float32Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let i = 0; i < k; i++) {
          const offset = i - half;
          sum += kernel[i] * (horizontal ? input[y * size + reflect(x + offset)] :
                                           input[reflect(y + offset) * size + x]);
        }
        out[y * size + x] = sum;
      }
    }
    return out;
  };
  return pass(pass(values, true), false);
}
