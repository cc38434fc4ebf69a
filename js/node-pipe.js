// Streaming blob copy for Node (the registry client's `pipe`, src/wasm/fetch.rs): the source
// blob's body is streamed through the same `fetch` as every other request straight into one
// PATCH of the destination's upload session (`duplex: 'half'`), hashed with node:crypto on the
// way, so a copy holds stream buffers, not layers. Browsers need HTTP/2 to stream request
// bodies, so the browser entry has no pipe and copies in ranged chunks instead. The wasm side compares the hash with the
// descriptor's digest before it closes the upload (threat model 3).
// Deadlines (threat model 25): the wasm side passes the request's `{ firstByteMs, idleMs,
// operationMs }` in `info.deadline`; a watchdog aborts both streams when the source's headers,
// the next chunk, or the sink's answer do not come in time, and the pipe rejects with the
// DeadlineError (`during`, `waitedMs`), which src/wasm/fetch.rs reports as a deadline.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { anySignal, watchdog } from './deadlines.js';

const MAX_SINK_ANSWER = 64 * 1024;
const PROGRESS_STEP = 4 * 1024 * 1024;

/** Counts, bounds and hashes the bytes going through; reports progress. */
function meter({ blob, size, algorithm }, onProgress, tick) {
  const hash = createHash(algorithm);
  const state = { bytes: 0, reported: 0, hash };
  const step = (chunk) => {
    tick?.();
    state.bytes += chunk.byteLength;
    // A source that sends more than the descriptor says is cut off (threat model 15).
    if (state.bytes > size) throw new Error(`blob ${blob} is longer than its descriptor's ${size} bytes`);
    hash.update(chunk);
    if (onProgress && state.bytes - state.reported >= PROGRESS_STEP) {
      state.reported = state.bytes;
      try {
        onProgress({ type: 'blob-progress', digest: blob, size, sent: state.bytes });
      } catch {
        // progress display must not decide the copy
      }
    }
  };
  return { state, step };
}

function result(source, sink, state) {
  return { source, sink, hash: new Uint8Array(state.hash.digest()), bytes: state.bytes };
}

/** Runs `run(wd)` under the watchdog of `info.deadline` (none: no deadlines). */
async function guarded(info, url, signal, run) {
  // `info.signal`: the wasm side aborts it when it stops waiting for this pipe (src/wasm/fetch.rs).
  if (!info.deadline) return run(null);
  const wd = watchdog(info.deadline, url, anySignal([signal, info.signal]));
  try {
    return await run(wd);
  } catch (e) {
    throw wd.reason ?? e;
  } finally {
    wd.done();
  }
}

const pairs = (headers) => [...headers.entries()];

/**
 * The source's request, shared by both pipes: its headers within the first-byte deadline, then
 * each chunk within the idle one (`wd`, or none). `{ answer, source }` where `source` is null when
 * there is no 200 body to stream (the body is cancelled), else `{ body, state, step }` (meter).
 */
async function openSource(fetch, sourceUrl, sourceInit, info, onProgress, wd) {
  wd?.arm('firstByte');
  const res = await fetch(sourceUrl, wd ? { ...sourceInit, signal: wd.signal } : sourceInit);
  wd?.arm('idle');
  const answer = { status: res.status, headers: pairs(res.headers) };
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel().catch(() => {});
    return { answer, source: null };
  }
  return { answer, source: { body: res.body, ...meter(info, onProgress, () => wd?.arm('idle')) } };
}

async function fetchPipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress) {
  return guarded(info, sourceUrl, undefined, (wd) => fetchPipeOnce(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, wd));
}

async function fetchPipeOnce(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, wd) {
  const { answer: sourceAnswer, source } = await openSource(fetch, sourceUrl, sourceInit, info, onProgress, wd);
  if (!source) return { source: sourceAnswer, sink: null };
  const { state, step } = source;
  const body = source.body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        step(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  const sink = await fetch(sinkUrl, { ...sinkInit, body, duplex: 'half', ...(wd ? { signal: wd.signal } : {}) });
  wd?.disarm();
  const answer = new Uint8Array(await sink.arrayBuffer()).subarray(0, MAX_SINK_ANSWER);
  return result(
    sourceAnswer,
    { status: sink.status, headers: pairs(sink.headers), body: answer },
    state,
  );
}

/**
 * The source through fetch, the sink through node:http / node:https: undici buffers a streamed
 * request body well ahead of the socket (peak memory grew with the layer: about +200 MB for a
 * 200 MB layer), while a node:http request waits for 'drain' (measured +17 MB).
 */
async function httpSinkPipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, signal) {
  return guarded(info, sourceUrl, signal, (wd) => httpSinkPipeOnce(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, signal, wd));
}

async function httpSinkPipeOnce(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, signal, wd) {
  const { answer: sourceAnswer, source } = await openSource(fetch, sourceUrl, sourceInit, info, onProgress, wd);
  if (!source) return { source: sourceAnswer, sink: null };
  const { state, step } = source;
  const mod = sinkUrl.startsWith('https:') ? https : http;
  const headers = Object.fromEntries(sinkInit.headers);
  const sink = mod.request(sinkUrl, { method: sinkInit.method, headers, signal: wd?.signal ?? signal });
  const answered = new Promise((resolve, reject) => sink.once('response', resolve).once('error', reject));
  const sent = pipeline(
    Readable.fromWeb(source.body),
    new Transform({
      transform(chunk, _encoding, done) {
        try {
          step(chunk);
          done(null, chunk);
        } catch (e) {
          done(e);
        }
      },
    }),
    sink,
  );
  // Once the body is sent, the sink's answer is awaited like a first byte.
  sent.then(() => wd?.arm('firstByte'), () => {});
  const [sending, answer] = await Promise.allSettled([sent, answered]);
  if (answer.status === 'rejected') throw answer.reason;
  wd?.disarm();
  const res = answer.value;
  // A registry may answer (an error) before it has read the whole body: report that answer.
  if (sending.status === 'rejected' && res.statusCode === 202) throw sending.reason;
  const chunks = [];
  let n = 0;
  for await (const c of res) {
    if (n < MAX_SINK_ANSWER) chunks.push(c);
    n += c.length;
  }
  const answerHeaders = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answerHeaders.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
  return result(sourceAnswer, { status: res.statusCode, headers: answerHeaders, body: new Uint8Array(Buffer.concat(chunks).subarray(0, MAX_SINK_ANSWER)) }, state);
}

/**
 * The pipe for one copy. `onProgress` receives `blob-progress` events; with the caller's own
 * `userFetch` every request (the sink too) goes through it, else the sink uses node:http(s)
 * (aborted by `signal`).
 */
export function nodePipe(onProgress, { userFetch, signal } = {}) {
  return (fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info) =>
    userFetch
      ? fetchPipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress)
      : httpSinkPipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, info, onProgress, signal);
}
