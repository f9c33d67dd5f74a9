import { AsyncResource } from 'node:async_hooks';

/**
 * CPU-heavy steps of requests (parsing a large JSON body, checking its variables, parsing a large GraphQL document),
 * one per turn of the event loop. When several such requests complete in the same turn — 8 clients starting together,
 * or bodies arriving in one read — their steps used to run back to back, and the event loop stalled for their sum
 * (tests/edge/flood.test.ts: 110–143 ms, the documented bound is 100 ms). Here each waits for a turn of its own:
 * timers, /healthz and other requests' I/O run between two of them. Jobs run in the order they were queued, each in
 * the async context of the request that queued it (AsyncResource.bind): the turn that runs it was scheduled by
 * whichever request started the queue, and the request's stores (its SQL statement count, its replica routing, its
 * prepared uploads) must stay its own.
 */
const queue: (() => void)[] = [];
let draining = false;

function drain(): void {
  const job = queue.shift();
  if (!job) {
    draining = false;
    return;
  }
  setImmediate(drain);
  job();
}

/** Runs `job` in a later turn of the event loop, at most one such job per turn. */
export function onePerTurn(job: () => void): void {
  queue.push(AsyncResource.bind(job));
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
}
