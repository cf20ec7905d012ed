// The page: a model folder, a photo (file or camera), 17 AU sliders and the
// presets from metadata.json; every change runs the generator on this device.
//
// Address options: ?model=FOLDER/ (default: this page's folder),
// ?variant=float32|float16|dynamic|int8, ?threads=N (where the page can be
// cross-origin isolated; ?threads=1 also skips isolation.js).

import {N_AUS, PageError, compile, defaultVariant, openFiles, openFolder, startRuntime} from './animator.js';
import {LiveMode, Recorder} from './live.js';
import {Camera, centreSquare, drawPixels, readPhoto} from './photo.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** What the page holds; also read by tests/test_web_page.py. */
const page = {
  state: 'loading',   // 'loading' | 'ready' | 'error'
  runtime: null,       // {threaded, threads}
  folder: null,        // openFolder/openFiles result
  animator: null,
  photo: null,         // [image, width, height]: the current photo
  pixels: null,        // its centre crop at the model's size, RGB
  aus: new Float32Array(N_AUS),
  runs: [],            // ms of each run since the model was compiled
  lastRun: null,
  message: '',
  live: null,          // LiveMode: its `last` frame, `model` and `stats()`
  recording: null,     // the last live recording, a Blob
};
window.tfganimation = page;

function showMessage(error) {
  const text = error instanceof PageError ? error.message :
      `Something went wrong: ${error && error.message ? error.message : error}`;
  page.message = text;
  $('message').textContent = text;
  $('message').hidden = false;
  if (!(error instanceof PageError)) console.error(error);
}

function clearMessage() {
  page.message = '';
  $('message').hidden = true;
  $('message').textContent = '';
}

function setState(state) {
  page.state = state;
  document.body.dataset.state = state;
}

/** Runs `action`, putting any failure on the page. */
async function guard(action) {
  try {
    await action();
    return true;
  } catch (error) {
    if (page.state === 'loading') setState('error');
    showMessage(error);
    return false;
  }
}

window.addEventListener('error', (event) => showMessage(event.error || event.message));
window.addEventListener('unhandledrejection', (event) => showMessage(event.reason));

// Model.

async function openModel(folder) {
  const metadata = folder.metadata;
  const variant = defaultVariant(folder.files, params.get('variant'));
  const select = $('variant');
  select.replaceChildren(...Object.entries(folder.files).map(([name, entry]) =>
    new Option(`${name} (${entry.name})`, name, false, name === variant)));
  select.disabled = false;
  buildControls(metadata);
  await useModel(folder, variant);
  if (page.photo) {
    setPhoto(...page.photo);
  } else {
    await loadExample();
  }
  requestRun();
}

let modelTicket = 0;

async function useModel(folder, variant) {
  const ticket = ++modelTicket;
  const threads = Number($('threads').value || 1);
  setState('loading');
  $('model-status').textContent = `Compiling ${folder.files[variant].name}…`;
  const animator = await compile(folder, variant, threads);
  if (ticket !== modelTicket) {  // Another file was chosen meanwhile: that one wins.
    animator.delete();
    return;
  }
  const previous = page.animator;
  Object.assign(page, {folder, animator, runs: []});
  if (previous) previous.queue.then(() => previous.delete());  // After its runs in flight.
  const metadata = folder.metadata;
  const trained = metadata.training_data && metadata.training_data.name ?
      `, trained on ${metadata.training_data.name}` : '';
  const results = metadata.parity && Array.isArray(metadata.parity.results) ? metadata.parity.results : [];
  const failed = results.find((result) => result.name === variant && result.passed === false);
  $('model-status').textContent =
      `${animator.name} (${(animator.size / 1e6).toFixed(2)} MB) from ${folder.where}: ` +
      `${metadata.image_size}×${metadata.image_size} faces${trained}; WebAssembly, ` +
      `${threads} thread${threads > 1 ? 's' : ''}.` +
      (failed ? ` Note: this file failed its export check against Keras (${failed.measured}; ` +
                `needs ${failed.gate}).` : '');
  setState('ready');
}

// AU sliders and presets, from metadata.json.

function buildControls(metadata) {
  const regions = new Map();
  metadata.action_units.forEach((au, index) => {
    const region = au.region || 'other';
    if (!regions.has(region)) regions.set(region, []);
    regions.get(region).push([au, index]);
  });
  const groups = [];
  for (const [region, units] of regions) {
    const fieldset = document.createElement('fieldset');
    fieldset.append(Object.assign(document.createElement('legend'), {textContent: region}));
    for (const [au, index] of units) {
      const label = document.createElement('label');
      label.className = 'slider';
      const input = Object.assign(document.createElement('input'), {
        type: 'range', min: 0, max: 5, step: 0.1, value: page.aus[index], id: `au-${au.code}`,
      });
      input.setAttribute('aria-label', `${au.code} ${au.name}`);
      const value = Object.assign(document.createElement('output'), {textContent: page.aus[index].toFixed(1)});
      input.addEventListener('input', () => {
        page.aus[index] = Number(input.value);
        value.textContent = page.aus[index].toFixed(1);
        requestRun();
      });
      label.append(Object.assign(document.createElement('span'), {textContent: `${au.code} ${au.name}`}),
                   input, value);
      fieldset.append(label);
    }
    groups.push(fieldset);
  }
  $('sliders').replaceChildren(...groups);

  const presets = metadata.presets && typeof metadata.presets === 'object' ? metadata.presets : null;
  const buttons = [];
  for (const [name, values] of Object.entries(presets || {neutral: new Array(N_AUS).fill(0)})) {
    if (!Array.isArray(values) || values.length !== N_AUS) continue;
    const button = Object.assign(document.createElement('button'), {type: 'button', textContent: name});
    button.dataset.preset = name;
    button.addEventListener('click', () => setAus(values));
    buttons.push(button);
  }
  if (!presets) {
    buttons.push(Object.assign(document.createElement('span'), {
      className: 'hint', textContent: 'This export’s metadata.json lists no presets (an older export).',
    }));
  }
  $('presets').replaceChildren(...buttons);
}

function setAus(values) {
  values.forEach((value, index) => {
    page.aus[index] = value;
    const input = $(`au-${page.folder.metadata.action_units[index].code}`);
    input.value = value;
    input.nextElementSibling.textContent = Number(value).toFixed(1);
  });
  requestRun();
}

// Photos.

function setPhoto(source, width, height) {
  page.photo = [source, width, height];  // Kept, to crop again for a model of another size.
  const size = page.folder.metadata.image_size;
  page.pixels = centreSquare(source, width, height, size, $('input-canvas'));
}

function usePhoto(source, width, height) {
  setPhoto(source, width, height);
  requestRun();
}

async function loadExample() {
  const response = await fetch('example.png');
  if (!response.ok) return;  // Not deployed with an example: wait for the user's photo.
  const blob = await response.blob();
  const image = await readPhoto(new File([blob], 'example.png', {type: blob.type}));
  setPhoto(image, image.naturalWidth, image.naturalHeight);
}

// Running the model.

let running = false;
let pending = false;

function requestRun() {
  pending = true;
  if (!running) runLoop();
}

async function runLoop() {
  running = true;
  try {
    while (pending) {
      pending = false;
      if (!page.animator || !page.pixels) break;
      const animator = page.animator;
      const pixels = page.pixels;
      const aus = Float32Array.from(page.aus);
      const ok = await guard(async () => {
        const result = await animator.run(pixels, aus);
        if (animator !== page.animator) return;  // The model changed meanwhile.
        show(result, animator);
        page.lastRun = {
          ...result, input: pixels, aus: Array.from(aus), variant: animator.variant,
          threads: animator.threads, file: animator.name, count: page.runs.length,
        };
      });
      if (!ok) break;
    }
  } finally {
    running = false;
  }
}

function show(result, animator) {
  const size = animator.imageSize;
  drawPixels($('edited-canvas'), result.image, size);
  drawPixels($('attention-canvas'), result.attention, size);
  drawPixels($('color-canvas'), result.color, size);
  page.runs.push(result.ms);
  const warm = page.runs.slice(1);
  const median = warm.length ? warm.slice().sort((a, b) => a - b)[Math.floor(warm.length / 2)] : null;
  $('timing').textContent =
      `On-device inference: ${result.ms.toFixed(1)} ms` +
      (median === null ? ' (the first run after loading includes warm-up)' :
                         `; median ${median.toFixed(1)} ms over the ${warm.length} run` +
                         `${warm.length > 1 ? 's' : ''} after the first`) +
      ` · ${animator.name}, WebAssembly, ${animator.threads} thread${animator.threads > 1 ? 's' : ''}.`;
}

// Wiring.

$('variant').addEventListener('change', () => guard(async () => {
  clearMessage();
  await useModel(page.folder, $('variant').value);
  requestRun();
}));

$('threads').addEventListener('change', () => guard(async () => {
  clearMessage();
  await useModel(page.folder, $('variant').value);
  requestRun();
}));

$('model-files').addEventListener('change', (event) => guard(async () => {
  const chosen = event.target.files;
  if (!chosen.length) return;
  const folder = await openFiles(chosen);
  clearMessage();
  await openModel(folder);
}).finally(() => { event.target.value = ''; }));

$('photo-file').addEventListener('change', (event) => guard(async () => {
  const file = event.target.files[0];
  if (!file) return;
  if (!page.folder) throw new PageError('Open a model first.');
  const image = await readPhoto(file);
  clearMessage();
  usePhoto(image, image.naturalWidth, image.naturalHeight);
}).finally(() => { event.target.value = ''; }));

const camera = new Camera($('camera'));
function cameraButtons(on) {
  $('camera').hidden = $('camera-take').hidden = $('camera-stop').hidden = !on;
  $('camera-start').hidden = on;
}
$('camera-start').addEventListener('click', () => guard(async () => {
  await camera.start();
  clearMessage();
  cameraButtons(true);
}));
$('camera-take').addEventListener('click', () => guard(async () => {
  const [video, width, height] = camera.frame();
  const still = Object.assign(document.createElement('canvas'), {width, height});
  still.getContext('2d').drawImage(video, 0, 0, width, height);
  usePhoto(still, width, height);
}));
$('camera-stop').addEventListener('click', () => {
  camera.stop();
  cameraButtons(false);
});

// Live mode.

const live = new LiveMode($('live-video'), $('live-canvas'), {
  aus: () => page.aus,
  strength: () => Number($('live-strength').value),
  onStats: showLiveStats,
  onStop: (error) => {
    liveButtons(false);
    if (recorder) $('record-stop').click();
    if (error) showMessage(error);
  },
});
page.live = live;
let recorder = null;

function liveButtons(on) {
  $('live-start').hidden = on;
  $('live-stop').hidden = !on;
  $('record-start').disabled = !on;
  if (on) $('live-panel').hidden = false;
}

/** The files live mode may use: ?variant= if given, else every file that passed its export check. */
function liveVariants(folder) {
  const wanted = params.get('variant');
  if (wanted && folder.files[wanted]) return [wanted];
  const passed = liveVariants.passed(folder);
  return passed.length ? passed : Object.keys(folder.files);
}
liveVariants.passed = (folder) => {
  const results = folder.metadata.parity && Array.isArray(folder.metadata.parity.results) ?
      folder.metadata.parity.results : [];
  return Object.keys(folder.files).filter((variant) =>
    !results.some((result) => result.name === variant && result.passed === false));
};

function showLiveStats(stats) {
  const ms = (value) => (value === null ? '–' : value.toFixed(1));
  const s = stats.stages;
  $('live-stats').textContent =
      `Live: ${stats.fps} fps (camera ${stats.cameraFps} fps) · inference ${ms(s.model)} ms in the ` +
      `worker · per frame: capture ${ms(s.capture)}, crop ${ms(s.crop)}, inference ${ms(s.inference)} ` +
      `(with the hand-off to the worker), paste ${ms(s.paste)}, draw ${ms(s.draw)} ms · ` +
      `${stats.dropped} of ${stats.seen} camera frames dropped.`;
  const note = $('live-note');
  note.hidden = !stats.tooSlow;
  if (stats.tooSlow) {
    const perFrame = Object.values(s).reduce((sum, value) => sum + (value || 0), 0) - (s.model || 0);
    note.textContent =
        `The model is too slow for this camera: a frame takes ${perFrame.toFixed(0)} ms here, the ` +
        `camera sends ${stats.cameraFps} a second, so ${stats.dropped} of ${stats.seen} frames were ` +
        'dropped (never queued: the picture stays current, at a lower frame rate). A smaller ' +
        'model, another file or more threads would help.';
  }
}

$('live-start').addEventListener('click', () => guard(async () => {
  if (!page.folder) throw new PageError('Open a model first.');
  clearMessage();
  $('live-panel').hidden = false;
  $('live-stats').textContent = 'Starting the camera…';
  await live.start(new Camera($('live-video')));
  liveButtons(true);
  const threads = Number($('threads').value || 1);
  if (live.folder !== page.folder || live.threads !== threads) {
    const variants = liveVariants(page.folder);
    $('live-stats').textContent = variants.length > 1 ?
        `Timing ${variants.length} model files in the worker to keep the fastest…` : 'Loading the model…';
    live.model = null;
    const model = await live.open(page.folder, variants, threads);
    Object.assign(live, {folder: page.folder, threads});
    const trials = model.trials.length > 1 ? ' (of ' + model.trials.map((trial) =>
      `${trial.variant} ${trial.ms.toFixed(1)} ms`).join(', ') + ')' : '';
    const checked = liveVariants.passed(page.folder).includes(model.variant);
    $('live-model').textContent =
        `Live edits run ${model.name} in a Web Worker, ${model.threads} thread` +
        `${model.threads > 1 ? 's' : ''}: ` + (variants.length > 1 ?
            `the fastest file that passed its export check${trials}.` :
            checked ? 'it passed its export check.' : 'note: it failed its export check against Keras.');
  }
  live.reset();
}).then((ok) => { if (!ok) live.stop(); }));

$('live-stop').addEventListener('click', () => live.stop());

$('live-strength').addEventListener('input', () => {
  $('live-strength-value').textContent = `${Math.round(Number($('live-strength').value) * 100)}%`;
});

$('record-start').addEventListener('click', () => guard(async () => {
  recorder = new Recorder($('live-canvas'));
  $('record-start').hidden = true;
  $('record-stop').hidden = false;
  $('record-download').hidden = true;
}));

$('record-stop').addEventListener('click', () => guard(async () => {
  if (!recorder) return;
  const active = recorder;
  recorder = null;
  $('record-stop').hidden = true;
  $('record-start').hidden = false;
  const blob = await active.stop();
  page.recording = blob;
  const link = $('record-download');
  if (link.href) URL.revokeObjectURL(link.href);
  const extension = blob.type.includes('mp4') ? 'mp4' : 'webm';
  Object.assign(link, {
    href: URL.createObjectURL(blob), download: `tfganimation-live.${extension}`,
    textContent: `Download the recording (${(blob.size / 1e6).toFixed(2)} MB, ${extension.toUpperCase()})`,
  });
  link.hidden = false;
}));

/**
 * Once per tab: installs isolation.js and reloads, so that the threaded
 * runtime can start where the server sends no COOP/COEP headers. Service
 * workers need https:// or localhost; elsewhere the page runs one thread.
 */
async function isolate() {
  if (self.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator) ||
      params.get('threads') === '1' || sessionStorage.getItem('tfganimation-isolation')) {
    return false;
  }
  sessionStorage.setItem('tfganimation-isolation', 'tried');
  try {
    await navigator.serviceWorker.register('isolation.js');
    await navigator.serviceWorker.ready;
  } catch (error) {
    console.warn('No cross-origin isolation (one thread):', error);
    return false;
  }
  location.reload();
  return true;
}

async function main() {
  if (await isolate()) return;
  const ok = await guard(async () => {
    page.runtime = await startRuntime();
    const threads = page.runtime.threads;
    if (threads > 1) {
      // Default: up to 4, a common sweet spot for XNNPACK on phones.
      const wanted = Math.min(threads, Math.max(1, Number(params.get('threads')) || 4));
      $('threads').replaceChildren(...Array.from({length: threads}, (_, index) =>
        new Option(String(index + 1), String(index + 1), false, index + 1 === wanted)));
      $('threads-label').hidden = false;
    }
    await openModel(await openFolder(params.get('model') || './'));
  });
  if (!ok) setState('error');
}

main();
