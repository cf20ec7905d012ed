// The live mode's model, off the main thread: while a camera frame is being
// edited here, the page keeps drawing, recording and answering its sliders.
//
// A classic worker, not a module one: LiteRT.js loads its WebAssembly glue
// with importScripts, which module workers lack; the ES modules come in by
// dynamic import(). Workers have no import map, so the runtime is imported by
// its path (`tfganimation export --web` points its one bare import at
// litert/wasm-utils.js), and Emscripten is told where its files are.
//
// Messages in: {type: 'open', metadata, files: [{variant, name, bytes}],
// threads} and {type: 'run', id, pixels, aus}. Out: 'ready' (the file kept,
// each candidate's time), 'result' (image, attention, color, ms) and 'error'.

let modules = null;
let runtime = null;
let animator = null;
let queue = Promise.resolve();

const TRIAL_RUNS = 5;  // Timed runs per candidate file, after one warm-up.

self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(message) {
  try {
    if (message.type === 'open') {
      await open(message);
    } else if (message.type === 'run') {
      const result = await animator.runNow(message.pixels, message.aus);
      const out = {
        type: 'result', id: message.id, ms: result.ms,
        image: result.image.slice(), attention: result.attention.slice(), color: result.color.slice(),
      };
      self.postMessage(out, [out.image.buffer, out.attention.buffer, out.color.buffer]);
    }
  } catch (error) {
    self.postMessage({
      type: 'error', id: message.id, page: Boolean(modules && error instanceof modules.PageError),
      message: error && error.message ? error.message : String(error),
    });
  }
}

/** Compiles each candidate file, times it on a grey face, keeps the fastest. */
async function open({metadata, files, threads}) {
  if (!modules) {
    // Emscripten finds its .wasm (and its threads' script) beside the script
    // that started it, which here is this worker, not litert/wasm/: say where.
    const wasm = new URL('litert/wasm/', self.location.href).href;
    self.Module = {
      locateFile: (path) => wasm + path,
      mainScriptUrlOrBlob: `${wasm}litert_wasm_threaded_internal.js`,
    };
    modules = await import('./animator.js');
    runtime = await modules.startRuntime({base: self.location.href, load: () => import('./litert/index.js')});
  }
  if (animator) animator.delete();
  animator = null;
  threads = Math.max(1, Math.min(threads, runtime.threads));
  const folder = {metadata, files: Object.fromEntries(files.map(({variant, name, bytes}) =>
    [variant, {name, load: async () => bytes}]))};
  const size = metadata.image_size;
  const pixels = new Uint8Array(size * size * 3).fill(128);
  const aus = new Float32Array(modules.N_AUS);
  const trials = [];
  for (const {variant} of files) {
    const candidate = await modules.compile(folder, variant, threads);
    await candidate.runNow(pixels, aus);
    const times = [];
    for (let i = 0; i < (files.length > 1 ? TRIAL_RUNS : 1); i++) times.push((await candidate.runNow(pixels, aus)).ms);
    const ms = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
    trials.push({variant, name: candidate.name, ms});
    if (!animator || ms < trials.find((trial) => trial.variant === animator.variant).ms) {
      if (animator) animator.delete();
      animator = candidate;
    } else {
      candidate.delete();
    }
  }
  self.postMessage({
    type: 'ready', variant: animator.variant, name: animator.name, size: animator.size,
    threads: animator.threads, threaded: runtime.threaded, trials,
  });
}
