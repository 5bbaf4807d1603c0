/**
 * Hive Gateway's server adapter (@whatwg-node/server, `disposeOnProcessTerminate`, hard-wired on in
 * createGatewayRuntime) disposes every runtime of the process as soon as SIGTERM or SIGINT
 * arrives, which aborts the requests in flight ("operation has been aborted because the server is
 * shutting down"). Our server drains on those signals itself (kit/service.ts runService → stop():
 * readiness 503, in-flight requests finish, then the runtime is disposed), so the adapter's own
 * handlers are taken off. They are registered once per process under the name `terminateHandler`;
 * the graceful-shutdown tests fail if that ever changes.
 *
 * Call after createGatewayRuntime. The adapter's `exit` handler stays: at exit nothing is in flight.
 */
export function detachRuntimeSignalDisposal(): number {
  let detached = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const listener of process.listeners(signal)) {
      if (listener.name !== 'terminateHandler') continue;
      process.off(signal, listener);
      detached++;
    }
  }
  return detached;
}
