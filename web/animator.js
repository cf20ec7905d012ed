// The exported generator on LiteRT.js: an export folder's metadata.json and one
// generator_<variant>.tflite, checked against each other, run through the
// `animate` signature (uint8 RGB `image` [1,S,S,3] + float32 OpenFace `aus`
// [1,17] in; uint8 `image`, float32 `attention` [1,S,S,1], uint8 `color` out).

export const N_AUS = 17;

/** An error whose message is meant for the page, as it stands. */
export class PageError extends Error {}

const VARIANT_PREFERENCE = ['dynamic', 'float32', 'float16', 'int8'];

let liteRt = null;

/**
 * Loads LiteRT.js's WebAssembly from `litert/wasm/` beside this page.
 *
 * The threaded build needs SharedArrayBuffer, which browsers give only to a
 * cross-origin-isolated page (COOP/COEP headers); elsewhere the single-thread
 * build runs. The live mode's Web Worker calls this too, with its own `base`
 * and `load`: workers have no import map and no `document`.
 *
 * @param {{base?: string, load?: function(): Promise<object>}} where
 *     `base`: the page's folder URL; `load`: imports `@litertjs/core`.
 * @return {{threads: number, threaded: boolean}} the most threads offered.
 */
export async function startRuntime({base = document.baseURI, load = () => import('@litertjs/core')} = {}) {
  if (typeof WebAssembly !== 'object') {
    throw new PageError('This browser has no WebAssembly, which the model runs on.');
  }
  let core;
  try {
    core = await load();
  } catch (error) {
    throw new PageError(
      'The LiteRT.js runtime (litert/ beside this page) could not be loaded: ' +
      'deploy the page with `tfganimation export … --web DIR` (or `python export/web.py`). ' +
      `(${error.message})`);
  }
  const threaded = Boolean(self.crossOriginIsolated) &&
      await core.supportsFeature('relaxedSimd') && await core.supportsFeature('threads');
  try {
    await core.loadLiteRt(new URL('litert/wasm/', base).href, {threads: threaded});
  } catch (error) {
    throw new PageError(`The LiteRT.js WebAssembly in litert/wasm/ did not start: ${error.message}`);
  }
  liteRt = core;
  return {threaded, threads: threaded ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : 1};
}

/**
 * An export folder: `metadata.json` and the LiteRT files it lists.
 *
 * @param {string|URL} folder URL of the folder (ends in `/`).
 */
export async function openFolder(folder) {
  const base = new URL(folder, document.baseURI);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const where = base.pathname;
  let response;
  try {
    response = await fetch(new URL('metadata.json', base));
  } catch (error) {
    throw new PageError(`Could not reach ${where}metadata.json: ${error.message}`);
  }
  if (!response.ok) {
    throw new PageError(
      `No metadata.json in ${where} (HTTP ${response.status}): this is not a ` +
      '`tfganimation export` folder, or the page was copied without the export.');
  }
  const metadata = checkMetadata(await parseJson(await response.text(), `${where}metadata.json`),
                                 `${where}metadata.json`);
  const files = {};
  for (const [variant, name] of Object.entries(metadata.litert.files)) {
    files[variant] = {name, load: () => fetchBytes(new URL(name, base), `${where}${name}`)};
  }
  const home = base.href === new URL('./', document.baseURI).href;
  return {metadata, files, where: home ? 'this page’s folder' : where};
}

/**
 * The same from files the user picked: metadata.json and some of its `.tflite` files.
 *
 * @param {FileList|File[]} chosen
 */
export async function openFiles(chosen) {
  chosen = Array.from(chosen);
  const json = chosen.find((file) => file.name === 'metadata.json');
  if (!json) {
    throw new PageError(
      'No metadata.json among the chosen files: choose metadata.json together with a ' +
      'generator_*.tflite from one `tfganimation export` folder.');
  }
  const metadata = checkMetadata(await parseJson(await json.text(), 'metadata.json'), 'metadata.json');
  const files = {};
  for (const [variant, name] of Object.entries(metadata.litert.files)) {
    const file = chosen.find((candidate) => candidate.name === name);
    if (file) files[variant] = {name, load: async () => new Uint8Array(await file.arrayBuffer())};
  }
  if (Object.keys(files).length === 0) {
    throw new PageError(
      `None of this export's model files was chosen: metadata.json lists ` +
      `${Object.values(metadata.litert.files).join(', ')}.`);
  }
  return {metadata, files, where: 'the chosen files'};
}

/** The variant to open first: `wanted` if there, else the fastest usual choice. */
export function defaultVariant(files, wanted) {
  if (wanted && files[wanted]) return wanted;
  return VARIANT_PREFERENCE.find((variant) => files[variant]) || Object.keys(files)[0];
}

/**
 * Compiles one `.tflite` for WebAssembly and checks its `animate` signature
 * against the metadata.
 */
export async function compile(folder, variant, threads) {
  const entry = folder.files[variant];
  const bytes = await entry.load();
  let model;
  try {
    model = await liteRt.loadAndCompile(bytes, {accelerator: 'wasm', cpuOptions: {numThreads: threads}});
  } catch (error) {
    throw new PageError(`${entry.name} is not a LiteRT model this runtime can run: ${error.message}`);
  }
  try {
    return new Animator(model, folder.metadata, entry.name, bytes.byteLength, variant, threads);
  } catch (error) {
    model.delete();
    throw error;
  }
}

export class Animator {
  constructor(model, metadata, name, size, variant, threads) {
    const runner = model.signatures.animate;
    if (!runner) {
      throw new PageError(
        `${name} has no 'animate' signature (it has: ${Object.keys(model.signatures).join(', ')}).`);
    }
    const size_ = metadata.image_size;
    const inputs = details(runner.getInputDetails());
    const outputs = details(runner.getOutputDetails());
    const expected = {
      'input image': [inputs.image, 'uint8', [1, size_, size_, 3]],
      'input aus': [inputs.aus, 'float32', [1, N_AUS]],
      'output image': [outputs.image, 'uint8', [1, size_, size_, 3]],
      'output attention': [outputs.attention, 'float32', [1, size_, size_, 1]],
      'output color': [outputs.color, 'uint8', [1, size_, size_, 3]],
    };
    for (const [what, [found, dtype, shape]] of Object.entries(expected)) {
      if (!found) {
        throw new PageError(`${name}'s animate signature has no ${what}: it is not a tfganimation generator.`);
      }
      const foundShape = Array.from(found.shape);
      if (found.dtype !== dtype || foundShape.join() !== shape.join()) {
        const sizeHint = what.endsWith('image') && foundShape.length === 4 ?
            ` It takes ${foundShape[1]}×${foundShape[2]} images, but metadata.json says ` +
            `${size_}×${size_}: the two files come from different exports.` : '';
        throw new PageError(
          `${name}: ${what} is ${found.dtype} [${foundShape}], expected ${dtype} [${shape}].${sizeHint}`);
      }
    }
    this.model = model;
    this.runner = runner;
    this.imageSize = size_;
    this.name = name;
    this.size = size;
    this.variant = variant;
    this.threads = threads;
    this.queue = Promise.resolve();
  }

  /**
   * Runs `animate` once; the time covers the input copies, the run and the
   * output copies.
   *
   * @param {Uint8Array} pixels RGB, imageSize × imageSize × 3.
   * @param {Float32Array} aus 17 OpenFace intensities, 0..5.
   */
  run(pixels, aus) {
    const result = this.queue.then(() => this.runNow(pixels, aus));
    this.queue = result.catch(() => {});
    return result;
  }

  async runNow(pixels, aus) {
    const size = this.imageSize;
    const start = performance.now();
    const inputs = {
      image: new liteRt.Tensor(pixels, [1, size, size, 3]),
      aus: new liteRt.Tensor(aus, [1, N_AUS]),
    };
    let outputs = {};
    try {
      outputs = await this.runner.run(inputs);
      const result = {
        image: outputs.image.toTypedArray(),
        attention: outputs.attention.toTypedArray(),
        color: outputs.color.toTypedArray(),
      };
      result.ms = performance.now() - start;
      return result;
    } finally {
      for (const tensor of [...Object.values(inputs), ...Object.values(outputs)]) tensor.delete();
    }
  }

  delete() {
    this.model.delete();
  }
}

function details(list) {
  return Object.fromEntries(list.map((detail) => [detail.name, detail]));
}

async function fetchBytes(url, where) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new PageError(`Could not reach ${where}: ${error.message}`);
  }
  if (!response.ok) {
    throw new PageError(`${where} is listed in metadata.json but is not there (HTTP ${response.status}).`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function parseJson(text, where) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PageError(`${where} is not valid JSON: ${error.message}`);
  }
}

/** The fields the page relies on, or one message that says what is wrong. */
function checkMetadata(doc, where) {
  const problems = [];
  if (doc === null || typeof doc !== 'object') {
    throw new PageError(`${where} is not a tfganimation metadata document.`);
  }
  if (!Number.isInteger(doc.image_size) || doc.image_size < 4) {
    problems.push(`image_size is ${JSON.stringify(doc.image_size)}, not a size in pixels`);
  }
  const aus = doc.action_units;
  if (!Array.isArray(aus) || aus.length !== N_AUS || !aus.every((au) => au && au.code && au.name)) {
    problems.push(`action_units must list the ${N_AUS} AUs with code and name`);
  }
  const files = doc.litert && doc.litert.files;
  if (!files || typeof files !== 'object' || Object.keys(files).length === 0) {
    problems.push('it lists no LiteRT files (export with the tflite format)');
  }
  if (problems.length) {
    throw new PageError(`${where} does not describe a tfganimation export: ${problems.join('; ')}.`);
  }
  return doc;
}
