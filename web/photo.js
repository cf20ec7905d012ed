// Photos in: a file or a camera frame, refused politely when too large or not
// an image, and cut to the model's input by a centred square crop.

import {PageError} from './animator.js';

export const MAX_MEGABYTES = 25;
export const MAX_PIXELS = 24_000_000;
/** The same budget as the Streamlit viewer's. */

/**
 * Decodes a photo file; its size is checked before, its pixel count before drawing.
 *
 * @param {File} file
 * @return {Promise<HTMLImageElement>} decoded, EXIF orientation applied.
 */
export async function readPhoto(file) {
  if (file.size > MAX_MEGABYTES * 2 ** 20) {
    throw new PageError(
      `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB; this page takes photos up to ` +
      `${MAX_MEGABYTES} MB.`);
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    // `load` fires once the header is read; pixels are decoded only when drawn.
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new PageError(
          `${file.name} is not an image this browser can read: choose a JPEG, PNG or WebP photo.`));
      image.src = url;
    });
    const [width, height] = [image.naturalWidth, image.naturalHeight];
    if (!width || !height) {
      throw new PageError(`${file.name} has no size in pixels: choose a JPEG, PNG or WebP photo.`);
    }
    if (width * height > MAX_PIXELS) {
      throw new PageError(
          `${file.name} is ${width}×${height} (${(width * height / 1e6).toFixed(1)} megapixels); ` +
          `this page takes photos up to ${MAX_PIXELS / 1e6} megapixels.`);
    }
    try {
      await image.decode();
    } catch (error) {
      throw new PageError(`${file.name} could not be decoded: ${error.message}`);
    }
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The centred square of `source`, scaled to `size` × `size`, as RGB bytes.
 *
 * The square's side is the shorter side; it starts at
 * floor((width − side) / 2), floor((height − side) / 2).
 *
 * @param {CanvasImageSource} source an image or a playing video.
 * @param {number} width the source's width in pixels.
 * @param {number} height its height.
 * @param {HTMLCanvasElement} canvas receives the crop (shown on the page).
 * @return {Uint8Array} size × size × 3 RGB.
 */
export function centreSquare(source, width, height, size, canvas) {
  const side = Math.min(width, height);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.fillStyle = '#fff';  // Transparent pixels: on white, as the Python loader does.
  context.fillRect(0, 0, size, size);
  context.drawImage(source, left, top, side, side, 0, 0, size, size);
  return rgbaToRgb(context.getImageData(0, 0, size, size).data);
}

/** Camera frames from the front camera, where the browser allows it. */
export class Camera {
  constructor(video) {
    this.video = video;
    this.stream = null;
  }

  /** @param {object} size wanted frame size (getUserMedia constraints); default up to 1280×720. */
  async start(size = {width: {ideal: 1280}, height: {ideal: 720}}) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new PageError(
          'This browser offers no camera to this page: cameras need https:// or http://localhost. ' +
          'Choose a photo instead.');
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia(
          {video: {facingMode: 'user', ...size}, audio: false});
    } catch (error) {
      const why = {
        NotAllowedError: 'permission to use the camera was refused',
        NotFoundError: 'no camera was found',
        OverconstrainedError: 'no camera was found that can film',
        NotReadableError: 'the camera is in use by another program',
      }[error.name] || error.message;
      throw new PageError(`The camera did not start: ${why}. Choose a photo instead.`);
    }
    this.video.srcObject = this.stream;
    await this.video.play();
  }

  /** The current frame: `[video, width, height]` for `centreSquare`. */
  frame() {
    if (!this.stream || !this.video.videoWidth) {
      throw new PageError('The camera has no picture yet: wait a moment and try again.');
    }
    return [this.video, this.video.videoWidth, this.video.videoHeight];
  }

  stop() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}

export function rgbaToRgb(rgba) {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let source = 0, target = 0; source < rgba.length; source += 4, target += 3) {
    rgb[target] = rgba[source];
    rgb[target + 1] = rgba[source + 1];
    rgb[target + 2] = rgba[source + 2];
  }
  return rgb;
}

/** Draws RGB bytes (3 channels) or a 0..1 map (1 channel, as grey) on a canvas. */
export function drawPixels(canvas, values, size) {
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  const channels = values.length / (size * size);
  for (let pixel = 0; pixel < size * size; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      image.data[4 * pixel + channel] = channels === 1 ?
          Math.round(Math.min(1, Math.max(0, values[pixel])) * 255) :
          values[3 * pixel + channel];
    }
    image.data[4 * pixel + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
