import { describeExit, spawnService, stopChild, type Child } from './child-process';
import { env } from './config';
import { portIsFree } from './ports';

/**
 * Keeps child processes running: `bun start`'s services (launcher/) and the gateway's workers
 * (gateway/workers/). A child that exits on its own is started again after a backoff, on the port
 * it had, while every other child keeps serving; a child that crashes again and again (a crash
 * loop) makes the supervisor give up, and its owner then stops everything.
 *
 * Hand-written rather than taken from a library: p-retry (installed), exponential-backoff and
 * cockatiel retry a call until it succeeds, with an attempt count that never resets and no idea
 * of a process that ran well for a while before failing; respawn (npm) restarts child_process
 * children but counts restarts over the whole run rather than within a window, and can neither
 * change a child's environment (its port) between starts nor read the URL our services announce
 * over Bun's IPC. What is needed is the small state machine below.
 */
export interface RestartPolicy {
  /** Delay before the first restart; doubled by each crash after it, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A child that ran at least this long before crashing starts again from `initialDelayMs`. */
  stableAfterMs: number;
  /** This many crashes of one child within `crashWindowMs` (failed restarts count) is a crash loop. */
  maxCrashes: number;
  crashWindowMs: number;
}

/** 0.5 s doubling to 10 s, back to 0.5 s after 30 s of stable running; 5 crashes within 60 s give up. */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
  maxCrashes: 5,
  crashWindowMs: 60_000,
};

/**
 * CRASH_LOOP_MAX_CRASHES and CRASH_LOOP_WINDOW_MS, read by every owner of a supervisor (`bun start`,
 * the gateway's primary): a crashed child is restarted with backoff; this many crashes of one child
 * within the window stop everything.
 */
export const crashLoopEnv = {
  CRASH_LOOP_MAX_CRASHES: env.wholeNumber(1, DEFAULT_RESTART_POLICY.maxCrashes),
  CRASH_LOOP_WINDOW_MS: env.wholeNumber(1_000, DEFAULT_RESTART_POLICY.crashWindowMs),
};

export interface ServiceSpec {
  name: string;
  /** Arguments to `bun`: the entry point and its arguments. */
  entry: string[];
  /** Read at every start, so a restart sees its peers' URLs as they are then. */
  env: () => Record<string, string | undefined>;
  /** The variable the service reads its port from, and the port configured for it (0: any free port). */
  portVariable: string;
  port: number;
  /**
   * Given, a restart whose kept port (first chosen by the OS, `port` being 0) has been taken moves
   * to another free port, and this is called with the new URL so callers can tell others (the
   * registry). Not given, the restart insists on its port: crash after crash, until it is free or
   * the crash loop gives up. A configured port (not 0) never moves.
   */
  onMoved?: (url: string, previousUrl: string, signal: AbortSignal) => Promise<void>;
  /** How long a stop waits after SIGTERM before SIGKILL (default: `stopChild`'s). */
  stopGraceMs?: number;
}

export interface SupervisedService {
  readonly name: string;
  /** Where it listens now. */
  readonly url: string;
  /** The running process's id; undefined between a crash and the restart that follows it. */
  readonly pid: number | undefined;
  /**
   * Sends a signal to the running process (none running: false). An exit it causes is a crash
   * like any other: the service is restarted with backoff.
   */
  signal(signal: NodeJS.Signals): boolean;
  /** Kills the process with `signal` and keeps it down (no restart, not a crash) until `resume()`. */
  hold(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a held service again, on the port it had; resolves once it listens. */
  resume(): Promise<void>;
}

/** Why the supervisor gave up: one child crashed `crashes` times within `windowMs`. */
export interface CrashLoop {
  service: string;
  crashes: number;
  windowMs: number;
  /** How it ended the last time: `exit code 1`, `signal SIGKILL`, `failed to start: …`. */
  lastExit: string;
  /** One sentence for people: which child, how often, how it ended last. */
  message: string;
}

export interface SupervisorOptions {
  policy?: Partial<RestartPolicy>;
  /** Crashes, restarts and the give-up, one line each. */
  log?: (message: string) => void;
  /** Every line a child prints. */
  output?: (service: string, line: string) => void;
  /** How long a (re)start may take before it counts as failed. */
  startTimeoutMs?: number;
}

export class Supervisor {
  /** Resolves when a child crashes in a loop; nothing is restarted after that. */
  readonly gaveUp: Promise<CrashLoop>;
  readonly policy: Readonly<RestartPolicy>;
  private readonly services: Service[] = [];
  private stopping = false;
  private givenUp = false;
  private reportGiveUp!: (loop: CrashLoop) => void;

  constructor(private readonly options: SupervisorOptions = {}) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
    this.gaveUp = new Promise((resolve) => (this.reportGiveUp = resolve));
  }

  /** Starts a service and supervises it from then on; rejects if its first start fails. */
  async start(spec: ServiceSpec): Promise<SupervisedService> {
    if (this.stopping) throw new Error(`${spec.name} was not started: the system is stopping`);
    const service = new Service(spec, this.options, this.policy, {
      restartsAllowed: () => !this.stopping && !this.givenUp,
      giveUp: (loop) => {
        if (this.givenUp) return;
        this.givenUp = true;
        this.reportGiveUp(loop);
      },
    });
    this.services.push(service);
    await service.start();
    return service;
  }

  /** A service started by this supervisor, by name. */
  service(name: string): SupervisedService {
    const service = this.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`no supervised service named ${name}`);
    return service;
  }

  /**
   * Stops every service, last started first (`together`: all at once, each draining meanwhile);
   * none is restarted from now on, whatever exits. Resolves with how each running one ended.
   */
  async stop(options: { together?: boolean } = {}): Promise<StoppedService[]> {
    this.stopping = true;
    const stop = async (service: Service): Promise<StoppedService> => ({
      service: service.name,
      exit: await service.stop(),
    });
    const services = [...this.services].reverse();
    if (options.together) return Promise.all(services.map(stop));
    const stopped: StoppedService[] = [];
    for (const service of services) stopped.push(await stop(service));
    return stopped;
  }
}

/** How a service ended when it was stopped (`exit code 0`, `signal SIGKILL`); null: none was running. */
export interface StoppedService {
  service: string;
  exit: string | null;
}

interface Control {
  restartsAllowed(): boolean;
  giveUp(loop: CrashLoop): void;
}

class Service implements SupervisedService {
  url = '';
  private child: Child | undefined;
  /** The port every restart asks for: the configured one, else the one the OS gave the first start. */
  private keptPort: number;
  /** Restarts since the last stable run: the backoff's exponent. */
  private attempt = 0;
  /** When recent crashes happened (ms since the epoch), for the crash-loop window. */
  private crashTimes: number[] = [];
  private startedAt = 0;
  /** Bumped at each spawn, so a late exit of an older process is never mistaken for the current one's. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The start or restart under way, if any: stop() waits for it (aborted) to be over. */
  private starting: Promise<void> | undefined;
  private stopped = false;
  /** Held down on purpose (hold()): its exit is not a crash, and nothing restarts it until resume(). */
  private held = false;
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly spec: ServiceSpec,
    private readonly options: SupervisorOptions,
    private readonly policy: Readonly<RestartPolicy>,
    private readonly control: Control,
  ) {
    this.keptPort = spec.port;
  }

  get name() {
    return this.spec.name;
  }

  get pid() {
    return this.child?.process.pid;
  }

  async start() {
    const starting = this.spawn(this.spec.port);
    this.starting = starting.then(
      () => {},
      () => {},
    );
    const child = await starting;
    this.running(child);
    this.keptPort = Number(new URL(child.url).port) || this.spec.port;
  }

  signal(signal: NodeJS.Signals): boolean {
    if (!this.child) return false;
    this.child.process.kill(signal);
    return true;
  }

  async hold(signal: NodeJS.Signals = 'SIGKILL') {
    this.held = true;
    clearTimeout(this.timer);
    await this.starting;
    const child = this.child;
    if (!child) return;
    child.process.kill(signal);
    await child.process.exited;
    this.child = undefined;
  }

  async resume() {
    if (!this.held) return;
    this.held = false;
    this.starting = this.restart();
    await this.starting;
    if (!this.child) throw new Error(`${this.name} did not start again`);
  }

  async stop(): Promise<string | null> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopSignal.abort(); // a start under way stops its half-started child
    await this.starting;
    const child = this.child;
    if (!child) return null;
    await stopChild(child, this.spec.stopGraceMs);
    return describeExit(child.process.exitCode, child.process.signalCode);
  }

  private spawn(port: number): Promise<Child> {
    const generation = ++this.generation;
    return spawnService({
      name: this.spec.name,
      entry: this.spec.entry,
      env: { ...this.spec.env(), [this.spec.portVariable]: String(port) },
      timeoutMs: this.options.startTimeoutMs,
      output: this.options.output,
      signal: this.stopSignal.signal,
      onExit: (_name, code, signal) => {
        if (generation === this.generation) this.exited(describeExit(code, signal));
      },
    });
  }

  private running(child: Child) {
    this.child = child;
    this.url = child.url;
    this.startedAt = Date.now();
  }

  private exited(how: string) {
    if (this.stopped || this.held || !this.control.restartsAllowed()) return; // asked to stop: not a crash
    const ranMs = Date.now() - this.startedAt;
    this.child = undefined;
    this.crashed(`crashed (${how}) after ${seconds(ranMs)}`, how, ranMs);
  }

  /** Counts a crash, then gives up on a loop or schedules the next restart. */
  private crashed(what: string, lastExit: string, ranMs: number) {
    const { maxCrashes, crashWindowMs, stableAfterMs, initialDelayMs, maxDelayMs } = this.policy;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((time) => now - time < crashWindowMs), now];
    if (ranMs >= stableAfterMs) this.attempt = 0;
    const log = this.options.log ?? (() => {});
    if (this.crashTimes.length >= maxCrashes) {
      const message = `${this.name} crashed ${this.crashTimes.length} times within ${seconds(crashWindowMs)}; giving up. Last: ${lastExit}`;
      log(
        `${this.name} ${what}; that is ${this.crashTimes.length} crashes within ${seconds(crashWindowMs)}: a crash loop, not restarting it`,
      );
      this.control.giveUp({
        service: this.name,
        crashes: this.crashTimes.length,
        windowMs: crashWindowMs,
        lastExit,
        message,
      });
      return;
    }
    this.attempt += 1;
    const delay = Math.min(initialDelayMs * 2 ** (this.attempt - 1), maxDelayMs);
    log(
      `${this.name} ${what}; restart attempt ${this.attempt} in ${seconds(delay)} (crashes within ${seconds(crashWindowMs)}: ${this.crashTimes.length} of ${maxCrashes})`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.starting = this.restart();
    }, delay);
  }

  private async restart() {
    if (this.stopped || this.held || !this.control.restartsAllowed()) return;
    const log = this.options.log ?? (() => {});
    const previousUrl = this.url;
    const port = this.portForRestart();
    let child: Child;
    try {
      child = await this.spawn(port);
    } catch (error) {
      if (this.stopped || !this.control.restartsAllowed()) return;
      const reason = (error as Error).message.split('\n')[0]!.replace(`${this.name} `, '');
      this.crashed(`failed to restart (${reason})`, `failed to start: ${(error as Error).message}`, 0);
      return;
    }
    this.running(child);
    log(`${this.name} restarted (attempt ${this.attempt}) on ${child.url}, pid ${child.process.pid}`);
    if (child.url !== previousUrl && this.spec.onMoved) {
      this.keptPort = Number(new URL(child.url).port);
      try {
        await this.spec.onMoved(child.url, previousUrl, this.stopSignal.signal);
      } catch (error) {
        if (!this.stopped)
          log(`${this.name} moved to ${child.url} but telling others failed: ${(error as Error).message}`);
      }
    }
  }

  /** The kept port, unless the service may move and someone else has taken that port meanwhile. */
  private portForRestart(): number {
    if (this.spec.port !== 0 || !this.spec.onMoved || !this.url) return this.keptPort;
    if (portIsFree(new URL(this.url).hostname.replace(/^\[|\]$/g, ''), this.keptPort)) return this.keptPort;
    this.options.log?.(
      `${this.name}: port ${this.keptPort}, which it had, has been taken by another process; restarting it on any free port`,
    );
    return 0;
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
