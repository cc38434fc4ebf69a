// Deadlines on the JS side (threat model 25: slow or silent servers). The numbers and their
// defaults are the core's (src/registry/deadline.rs); the wasm transport (src/wasm/fetch.rs)
// enforces them on every registry request. This module only checks the `timeout` option,
// combines the caller's AbortSignal with the transport's own, and gives hosts that make requests
// of their own (the CLI's `nv2 login`, Node's streaming copy in node-pipe.js) the same deadlines.
import { createError } from './errors.js';

const KEYS = ['firstByteMs', 'idleMs', 'operationMs'];

function positiveMs(value, what) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw createError('ERR_INVALID_ARGUMENT', `nv2: ${what} must be a positive number of milliseconds`);
  }
  return Math.ceil(value);
}

/**
 * The `timeout` option as the wasm side reads it (`{ ms?, firstByteMs?, idleMs?, operationMs? }`):
 * a number caps every deadline (the whole operation and each wait within it); an object sets the
 * deadlines it names. `undefined`: the defaults.
 */
export function normaliseTimeout(timeout) {
  if (timeout === undefined || timeout === null) return undefined;
  if (typeof timeout === 'number') return { ms: positiveMs(timeout, 'timeout') };
  if (typeof timeout !== 'object' || Array.isArray(timeout)) {
    throw createError('ERR_INVALID_ARGUMENT', 'nv2: timeout must be a number of ms or { firstByteMs, idleMs, operationMs }');
  }
  const out = {};
  for (const [k, v] of Object.entries(timeout)) {
    if (!KEYS.includes(k)) {
      throw createError('ERR_INVALID_ARGUMENT', `nv2: timeout.${k} is not a deadline (${KEYS.join(', ')})`);
    }
    if (v !== undefined) out[k] = positiveMs(v, `timeout.${k}`);
  }
  return out;
}

/** One signal aborted when any of `signals` is (AbortSignal.any where the runtime has it). */
export function anySignal(signals) {
  const live = signals.filter(Boolean);
  if (live.length <= 1) return live[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(live);
  const controller = new AbortController();
  for (const s of live) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

/**
 * `fetch` with the caller's `signal` combined with the transport's own (each request's
 * `init.signal`, which the wasm side aborts when a deadline passes; WHATWG fetch §5.6).
 */
export function withSignal(fetch, signal) {
  if (!signal) return fetch;
  return (url, init = {}) => fetch(url, { ...init, signal: anySignal([init.signal, signal]) });
}

/**
 * A passed deadline, shaped as the wasm transport reads it (`during`, `waitedMs`) and as the
 * registry errors report it (`details: { url, transport, during, waitedMs }`).
 */
export class DeadlineError extends Error {
  constructor(during, waitedMs, url) {
    const what = { firstByte: 'the first byte', idle: 'the next body byte', operation: 'the operation to finish' }[during];
    super(`deadline passed: waited ${waitedMs} ms for ${what}${url ? ` (${String(url).split('?')[0]})` : ''}`);
    this.name = 'DeadlineError';
    this.during = during;
    this.waitedMs = waitedMs;
    this.url = url ? String(url).split('?')[0] : undefined;
  }
}

/**
 * A watchdog for one request made outside the wasm transport: `arm(during, ms)` (re)starts the
 * timer for what is awaited next, `disarm()` stops it, `signal` aborts with a DeadlineError when
 * it fires or when `operationMs` (what is left of the operation) passes. `done()` clears both.
 */
export function watchdog({ firstByteMs, idleMs, operationMs, operationTotalMs }, url, signal) {
  const controller = new AbortController();
  let timer;
  const fire = (during, ms) => controller.abort(new DeadlineError(during, ms, url));
  // `operationMs` is what is left; the error names the operation's whole deadline when known.
  const operation = setTimeout(() => fire('operation', operationTotalMs ?? operationMs), Math.min(operationMs, 2 ** 31 - 1));
  const end = Date.now() + operationMs;
  const arm = (during) => {
    clearTimeout(timer);
    const ms = during === 'firstByte' ? firstByteMs : idleMs;
    // A wait that cannot end before the operation's deadline is that deadline (as in fetch.rs).
    if (Date.now() + ms >= end) return;
    timer = setTimeout(() => fire(during, ms), Math.min(ms, 2 ** 31 - 1));
  };
  return {
    signal: anySignal([controller.signal, signal]),
    arm,
    disarm: () => clearTimeout(timer),
    done() {
      clearTimeout(timer);
      clearTimeout(operation);
    },
    /** The DeadlineError, when the watchdog fired. */
    get reason() {
      return controller.signal.aborted ? controller.signal.reason : undefined;
    },
  };
}
