/**
 * A browser-like HTTP/1.1 load generator. Each virtual user is what one browser tab is to a
 * site: one keep-alive connection (a raw `node:net` socket, one request in flight at a time,
 * no pipelining, as browsers do), the request headers a desktop Chrome sends for a page, and
 * its own cookie jar that takes every `Set-Cookie` it is answered, so a session cookie that
 * changes on every write is the one sent back on the next request.
 *
 * Every answer is checked: the status must be 200 and, on a session route, the body must be
 * the counter this user expects (a lost write, a cookie not taken or a session not opened
 * shows up as a mismatch). The generator is kept cheap, so that the server stays the
 * bottleneck: requests are built from a fixed prefix and the user's Cookie line, and only the
 * status line, `Set-Cookie`, `Content-Length` and `Transfer-Encoding` of an answer are read.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { AnswerReader, CookieJar, readBuffer, requestHead, thirdPartyCookies } from './browser.ts';
import type { Answer } from './browser.ts';

/** What a request does to the session, and so what its answer must show. */
export type Step = 'write' | 'read';

/** A mix of requests: which step request number `i` of user `user` is. */
export interface Workload {
  /** Short name, used in tables and the chart. */
  name: string;
  /** One line for the report. */
  description: string;
  step(user: number, i: number): Step;
}

/** Read, increment and write the session on every request. */
export const readWrite: Workload = {
  name: 'read-write',
  description: 'every request reads the session counter, increments it and writes it back',
  step: () => 'write',
};

/**
 * 90 % reads, 10 % writes: every tenth request of a user writes, the users offset from one
 * another so that the writes are spread evenly over time.
 */
export const readMostly: Workload = {
  name: 'read-mostly',
  description: '90 % of requests read the session, 10 % increment it; sliding refresh every second',
  step: (user, i) => ((user + i) % 10 === 0 ? 'write' : 'read'),
};

/** Where the generator sends requests. */
export interface Target {
  port: number;
  /** Paths of the two steps. */
  paths: Record<Step, string>;
  /** False for a server without sessions: its bodies are not checked. */
  sessions: boolean;
}

/** Counts of one user, or of all users together. */
export interface LoadCounts {
  /** Answers received and checked. */
  responses: number;
  /** Answers that carried at least one Set-Cookie. */
  withSetCookie: number;
  /** Request bytes sent (headers; GET has no body), to report the Cookie header's weight. */
  requestBytes: number;
}

/** One virtual user: a connection, a jar, a counter it expects, and its request number. */
class VirtualUser {
  readonly counts: LoadCounts = { responses: 0, withSetCookie: 0, requestBytes: 0 };
  readonly #index: number;
  readonly #target: Target;
  readonly #workload: Workload;
  readonly #heads: Record<Step, string>;
  readonly #jar = new CookieJar(thirdPartyCookies);
  readonly #reader = new AnswerReader();
  readonly #socket: Socket;
  #request = 0;
  #counter = 0;
  #step: Step = 'write';
  #stopping = false;
  #failure: Error | undefined;
  #onIdle: (() => void) | undefined;

  constructor(index: number, target: Target, workload: Workload) {
    this.#index = index;
    this.#target = target;
    this.#workload = workload;
    this.#heads = {
      write: requestHead(target.port, target.paths.write),
      read: requestHead(target.port, target.paths.read),
    };
    this.#socket = connect({
      host: '127.0.0.1',
      port: target.port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (length, buffer) => {
          this.#receive(buffer, length);
          return true;
        },
      },
    });
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => {
      if (!this.#stopping) this.#fail(new Error('the server closed the connection'));
    });
  }

  /** The first error this user met (a bad answer, a closed socket), if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Sends the first request, a write that creates the session; the rest follow each answer. */
  start(): void {
    this.#send('write');
  }

  /** Stops after the answer in flight; resolves when the connection is closed. */
  stop(): Promise<void> {
    this.#stopping = true;
    return new Promise((resolve) => {
      const close = (): void => {
        this.#socket.once('close', () => resolve());
        this.#socket.destroy();
      };
      if (this.#failure !== undefined || this.#socket.destroyed) resolve();
      else this.#onIdle = close;
    });
  }

  #send(step: Step): void {
    this.#step = step;
    const request = `${this.#heads[step]}${this.#jar.line}\r\n`;
    this.counts.requestBytes += request.length;
    this.#socket.write(request, 'latin1');
  }

  #receive(data: Uint8Array, length: number): void {
    let answer: Answer | undefined;
    try {
      answer = this.#reader.push(data as Buffer, length);
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    if (answer === undefined) return;
    for (const line of answer.setCookies) this.#jar.take(line);
    if (!this.#check(answer)) return;
    this.counts.responses++;
    if (answer.setCookies.length > 0) this.counts.withSetCookie++;
    if (this.#stopping) {
      this.#onIdle?.();
      return;
    }
    this.#send(this.#workload.step(this.#index, ++this.#request));
  }

  /** The answer is a 200 with the counter this user expects; false (and failed) otherwise. */
  #check(answer: Answer): boolean {
    if (answer.status !== 200) {
      this.#fail(new Error(`status ${answer.status} on a ${this.#step}`));
      return false;
    }
    if (!this.#target.sessions) return true;
    if (this.#step === 'write') this.#counter++;
    if (answer.body !== String(this.#counter)) {
      this.#fail(
        new Error(
          `a ${this.#step} answered ${JSON.stringify(answer.body.slice(0, 40))}, expected ${this.#counter}: the session was not kept`,
        ),
      );
      return false;
    }
    return true;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#socket.destroy();
    this.#onIdle?.();
  }
}

/** A running load: users started, counts readable at any time. */
export class Load {
  readonly #users: VirtualUser[];

  /** Connects `users` virtual users to `target` and starts each one's first request. */
  constructor(target: Target, workload: Workload, users: number) {
    this.#users = Array.from({ length: users }, (_, i) => new VirtualUser(i, target, workload));
    for (const user of this.#users) user.start();
  }

  /** The counts of all users together, so far. */
  counts(): LoadCounts {
    const total: LoadCounts = { responses: 0, withSetCookie: 0, requestBytes: 0 };
    for (const { counts } of this.#users) {
      total.responses += counts.responses;
      total.withSetCookie += counts.withSetCookie;
      total.requestBytes += counts.requestBytes;
    }
    return total;
  }

  /** Throws the first failure of any user, naming how many failed. */
  check(): void {
    const failed = this.#users.filter((user) => user.failure !== undefined);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${this.#users.length} virtual users failed; the first: ${failed[0]!.failure!.message}`,
      );
    }
  }

  /** Stops every user after its answer in flight and closes the connections. */
  async stop(): Promise<void> {
    await Promise.all(this.#users.map((user) => user.stop()));
  }
}
