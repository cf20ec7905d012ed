// Live mode: the camera stream edited frame by frame with the current AUs.
//
// Each new camera frame is captured (drawn onto a canvas), its centred square
// cropped to the model's size and sent to the model in a Web Worker
// (live-worker.js); when the edit comes back it is pasted into that same
// frame, feathered by the attention map (paste.js), and the frame is drawn.
// One frame at most is with the worker and one waits for it (the newest: a
// newer one replaces it); the rest are dropped, never queued, so the picture
// stays current when the model is slower than the camera (the page then says
// so). The waiting frame is sent as soon as an edit comes back, before that
// edit is pasted: the worker runs while the main thread pastes and draws.

import {PageError} from './animator.js';
import {pasteSquare} from './paste.js';
import {rgbaToRgb} from './photo.js';

const WINDOW = 30;            // Frames the shown stage times are medians over.
const STALL_MS = 2500;        // No camera frame for this long: the camera stopped.
const TOO_SLOW_SHARE = 0.25;  // Dropping more than this share of frames is "too slow".

export const STAGES = ['capture', 'crop', 'inference', 'paste', 'draw'];

export class LiveMode {
  /**
   * @param {HTMLVideoElement} video plays the camera stream (kept hidden).
   * @param {HTMLCanvasElement} canvas shows (and records) the edited frames.
   * @param {{aus: function(): Float32Array, strength: function(): number,
   *          onStats: function(object): void, onStop: function(Error|null): void}} hooks
   */
  constructor(video, canvas, hooks) {
    this.video = video;
    this.canvas = canvas;
    this.hooks = hooks;
    this.worker = null;
    this.model = null;       // The worker's 'ready' message: the file it kept.
    this.stream = null;
    this.running = false;
    this.busy = false;
    this.last = null;        // The last frame drawn: its crop, AUs and the model's outputs.
    this.frameCanvases = [document.createElement('canvas'), document.createElement('canvas')];
    this.sent = 0;
    this.cropCanvas = document.createElement('canvas');
    this.reset();
  }

  reset() {
    Object.assign(this, {seen: 0, dropped: 0, drawn: 0, times: [], drawnAt: [], seenAt: [], waiting: false});
  }

  /** Loads the model files into the worker; it keeps the fastest. */
  async open(folder, variants, threads) {
    if (!this.worker) {
      this.worker = new Worker('live-worker.js');
      this.worker.onmessage = (event) => this.onMessage(event.data);
      this.worker.onerror = (event) => this.fail(new Error(`the model's worker failed: ${event.message}`));
    }
    const files = [];
    for (const variant of variants) {
      files.push({variant, name: folder.files[variant].name, bytes: await folder.files[variant].load()});
    }
    this.model = null;
    this.model = await new Promise((resolve, reject) => {
      this.pendingOpen = {resolve, reject};
      this.worker.postMessage({type: 'open', metadata: folder.metadata, files, threads});
    });
    this.size = folder.metadata.image_size;
    return this.model;
  }

  /** Starts the camera (640×480 is plenty for a 128-px face) and the frame loop. */
  async start(camera) {
    await camera.start({width: {ideal: 640}, height: {ideal: 480}});
    this.camera = camera;
    this.stream = camera.stream;
    for (const track of this.stream.getVideoTracks()) {
      track.addEventListener('ended', () => this.stop(new PageError(
          'The camera stopped (it was unplugged, or another program or the browser closed it). ' +
          'Press “Live” to start it again.')));
    }
    this.reset();
    this.running = true;
    this.lastFrameAt = performance.now();
    this.watchdog = setInterval(() => this.check(), 500);
    this.nextFrame();
  }

  stop(error = null) {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.watchdog);
    if (this.camera) this.camera.stop();
    this.hooks.onStop(error);
  }

  nextFrame() {
    if (!this.running) return;
    if (this.video.requestVideoFrameCallback) {
      this.video.requestVideoFrameCallback(() => { this.onFrame(); this.nextFrame(); });
    } else {  // Browsers without it: poll once per display frame for a new video time.
      requestAnimationFrame(() => {
        if (this.video.currentTime !== this.videoTime) {
          this.videoTime = this.video.currentTime;
          this.onFrame();
        }
        this.nextFrame();
      });
    }
  }

  /**
   * A new camera frame: edit it if the worker is free. Else it waits, one
   * frame deep: the next frame to arrive replaces it (the older one is
   * dropped), and the worker takes it as soon as it is free.
   */
  onFrame() {
    const now = performance.now();
    this.lastFrameAt = now;
    this.seen++;
    this.seenAt.push(now);
    if (!this.model) {
      this.dropped++;
    } else if (this.busy) {
      if (this.waiting) this.dropped++;
      this.waiting = true;
    } else {
      this.send();
    }
  }

  /** Captures the video's current frame, crops it and sends the crop to the worker. */
  send() {
    this.waiting = false;
    const width = this.video.videoWidth, height = this.video.videoHeight;
    if (!width || !height) return;
    this.busy = true;
    const t0 = performance.now();
    // Two frame buffers: the next frame is captured while the last one's edit is pasted.
    this.flip = !this.flip;
    const frame = this.frameCanvases[this.flip ? 1 : 0];
    if (frame.width !== width || frame.height !== height) Object.assign(frame, {width, height});
    const frameContext = frame.getContext('2d', {willReadFrequently: true});
    frameContext.drawImage(this.video, 0, 0, width, height);
    const t1 = performance.now();
    const side = Math.min(width, height);
    const left = Math.floor((width - side) / 2), top = Math.floor((height - side) / 2);
    const size = this.size;
    const crop = this.cropCanvas;
    if (crop.width !== size) crop.width = crop.height = size;
    const cropContext = crop.getContext('2d', {willReadFrequently: true});
    cropContext.imageSmoothingEnabled = true;
    cropContext.imageSmoothingQuality = 'high';
    cropContext.drawImage(frame, left, top, side, side, 0, 0, size, size);
    const pixels = rgbaToRgb(cropContext.getImageData(0, 0, size, size).data);
    const aus = Float32Array.from(this.hooks.aus());
    const t2 = performance.now();
    this.inFlight = {
      id: ++this.sent, frame, pixels: pixels.slice(), aus, strength: this.hooks.strength(),
      square: [left, top, side], times: {capture: t1 - t0, crop: t2 - t1}, sentAt: t2,
    };
    this.worker.postMessage({type: 'run', id: this.inFlight.id, pixels, aus}, [pixels.buffer]);
  }

  onMessage(message) {
    if (message.type === 'ready') {
      this.pendingOpen.resolve(message);
    } else if (message.type === 'error') {
      const error = message.page ? new PageError(message.message) : new Error(message.message);
      if (this.pendingOpen && !this.model) this.pendingOpen.reject(error);
      else this.fail(error);
    } else if (message.type === 'result') {
      this.onResult(message);
    }
  }

  /** The edit of the frame in flight: the next frame goes to the worker, then this one is pasted and drawn. */
  onResult(result) {
    const job = this.inFlight;
    this.busy = false;
    this.inFlight = null;
    if (!this.running || !job || job.id !== result.id) return;
    const t3 = performance.now();
    if (this.waiting) this.send();
    const [left, top, side] = job.square;
    const frameContext = job.frame.getContext('2d', {willReadFrequently: true});
    const region = frameContext.getImageData(left, top, side, side);
    pasteSquare(region.data, side, job.pixels, result.image, result.attention, this.size, job.strength);
    frameContext.putImageData(region, left, top);
    const t4 = performance.now();
    const canvas = this.canvas;
    if (canvas.width !== job.frame.width || canvas.height !== job.frame.height) {
      Object.assign(canvas, {width: job.frame.width, height: job.frame.height});
    }
    canvas.getContext('2d').drawImage(job.frame, 0, 0);
    const t5 = performance.now();
    const times = {...job.times, inference: t3 - job.sentAt, paste: t4 - t3, draw: t5 - t4, model: result.ms};
    this.times.push(times);
    if (this.times.length > WINDOW) this.times.shift();
    this.drawn++;
    this.drawnAt.push(t5);
    this.last = {
      count: this.drawn, input: job.pixels, aus: Array.from(job.aus), strength: job.strength,
      image: result.image, attention: result.attention, color: result.color, ms: result.ms,
      square: job.square, frame: [job.frame.width, job.frame.height],
      variant: this.model.variant, file: this.model.name, threads: this.model.threads,
    };
    this.hooks.onStats(this.stats());
  }

  /** Frames per second over the last second, medians of the stage times over the last frames. */
  stats() {
    const now = performance.now();
    const recent = (stamps) => {
      while (stamps.length && now - stamps[0] > 1000) stamps.shift();
      return stamps.length;
    };
    const median = (key) => {
      const values = this.times.map((entry) => entry[key]).sort((x, y) => x - y);
      return values.length ? values[Math.floor(values.length / 2)] : null;
    };
    const stages = Object.fromEntries([...STAGES, 'model'].map((stage) => [stage, median(stage)]));
    const fps = recent(this.drawnAt), cameraFps = recent(this.seenAt);
    return {
      fps, cameraFps, stages, seen: this.seen, dropped: this.dropped, drawn: this.drawn,
      tooSlow: this.seen > 30 && cameraFps > 0 && fps < (1 - TOO_SLOW_SHARE) * cameraFps,
    };
  }

  check() {
    if (this.running && performance.now() - this.lastFrameAt > STALL_MS) {
      this.stop(new PageError(
          `The camera stopped sending pictures (none for ${STALL_MS / 1000} s): it may have been ` +
          'unplugged or taken by another program. Press “Live” to start it again.'));
    }
  }

  fail(error) {
    this.busy = false;
    if (this.running) this.stop(error);
    else this.hooks.onStop(error);
  }
}

/** Records the live canvas with MediaRecorder; `stop()` resolves to the file. */
export class Recorder {
  constructor(canvas) {
    if (typeof MediaRecorder !== 'function' || !canvas.captureStream) {
      throw new PageError('This browser cannot record video (no MediaRecorder).');
    }
    const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4']
        .find((candidate) => MediaRecorder.isTypeSupported(candidate));
    if (!type) throw new PageError('This browser records no video format this page knows (WebM or MP4).');
    this.type = type;
    this.chunks = [];
    this.recorder = new MediaRecorder(canvas.captureStream(30), {mimeType: type});
    this.recorder.ondataavailable = (event) => { if (event.data.size) this.chunks.push(event.data); };
    this.recorder.start(250);
  }

  stop() {
    return new Promise((resolve) => {
      this.recorder.onstop = () => resolve(new Blob(this.chunks, {type: this.type.split(';')[0]}));
      this.recorder.stop();
    });
  }
}
