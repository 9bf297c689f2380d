// A pub/sub subscription on a connection of its own: a connection that subscribes can run
// no other command (RESP2), so each revocation list duplicates the application's client
// (`client.duplicate()`, both clients) and owns that duplicate. What the list needs to know
// is when the subscription is live — every message published from then on will arrive —
// and when it is not, whichever client it is.
import type { ClientKind } from './client.ts';

/** The events of a {@link Subscription}. */
export interface SubscriptionEvents {
  /** A message on the channel. */
  message(text: string): void;
  /** Subscribed and confirmed by Redis: from now on no message is missed (until `down`). */
  up(): void;
  /** The connection dropped or could not subscribe: messages may be missed from now on. */
  down(error?: unknown): void;
}

/** A subscription to one channel, on a connection of its own. */
export interface Subscription {
  /** A PING on the subscribing connection: answered only while that connection is alive. */
  ping(): Promise<unknown>;
  /** Unsubscribes and closes the connection. */
  close(): void;
}

/** An event listener, as both clients take them. */
type Listener = (...args: unknown[]) => void;

/** The part of a node-redis v5 client's `duplicate()` that a subscription uses. */
export interface NodeRedisSubscriber {
  readonly isReady: boolean;
  on(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  ping(): Promise<unknown>;
  destroy(): void;
}

/** The part of an ioredis v5 `Redis` made by `duplicate()` that a subscription uses. */
export interface IoredisSubscriber {
  /** `'ready'` while connected and usable. */
  readonly status: string;
  on(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  ping(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Subscribes to `channel` on a duplicate of `client` (a single node-redis or ioredis client,
 * as {@link ClientKind} says) and reports to `events`. Reconnects as the client does; after
 * each reconnection `up` comes once the subscription is confirmed again.
 */
export function subscribe(
  client: unknown,
  kind: ClientKind,
  channel: string,
  events: SubscriptionEvents,
): Subscription {
  return kind === 'node-redis'
    ? nodeRedis(client as { duplicate(): NodeRedisSubscriber }, channel, events)
    : ioredis(client as { duplicate(override?: object): IoredisSubscriber }, channel, events);
}

function nodeRedis(
  client: { duplicate(): NodeRedisSubscriber },
  channel: string,
  events: SubscriptionEvents,
): Subscription {
  const sub = client.duplicate();
  let closed = false;
  let confirmed = false;
  let subscribing = false;
  const listener = (message: string): void => events.message(message);
  const attempt = async (): Promise<void> => {
    if (subscribing || closed) return;
    subscribing = true;
    try {
      await sub.subscribe(channel, listener);
      confirmed = true;
      if (!closed) events.up();
    } catch (error) {
      if (!closed) events.down(error);
    } finally {
      subscribing = false;
    }
  };
  // An 'error' without a listener would end the process (EventEmitter); the client
  // reconnects by itself, and the socket's error comes with the loss of readiness.
  sub.on('error', (error: unknown) => {
    if (!closed && !sub.isReady) events.down(error);
  });
  sub.on('reconnecting', () => {
    if (!closed) events.down();
  });
  sub.on('end', () => {
    if (!closed) events.down();
  });
  // node-redis subscribes again to what it was subscribed to before it says 'ready'.
  sub.on('ready', () => {
    if (closed) return;
    if (confirmed) events.up();
    else void attempt();
  });
  sub.connect().catch((error: unknown) => {
    if (!closed) events.down(error);
  });
  return {
    ping: () => sub.ping(),
    close() {
      closed = true;
      try {
        sub.destroy();
      } catch {
        // already closed
      }
    },
  };
}

function ioredis(
  client: { duplicate(override?: object): IoredisSubscriber },
  channel: string,
  events: SubscriptionEvents,
): Subscription {
  // Connected here, by us; its offline queue stays off like the client's.
  const sub = client.duplicate({ lazyConnect: true });
  let closed = false;
  sub.on('message', (from: unknown, message: unknown) => {
    if (from === channel && typeof message === 'string') events.message(message);
  });
  // An 'error' without a listener would be reported as unhandled; one that ends the
  // connection is followed by 'close'.
  sub.on('error', (error: unknown) => {
    if (!closed && sub.status !== 'ready') events.down(error);
  });
  sub.on('close', () => {
    if (!closed) events.down();
  });
  // ioredis says 'ready' before it subscribes again: subscribe ourselves and wait for the
  // confirmation (subscribing twice to one channel is harmless).
  sub.on('ready', () => {
    if (closed) return;
    sub.subscribe(channel).then(
      () => {
        if (!closed) events.up();
      },
      (error: unknown) => {
        if (!closed) events.down(error);
      },
    );
  });
  sub.connect().catch((error: unknown) => {
    if (!closed) events.down(error);
  });
  return {
    ping: () => sub.ping(),
    close() {
      closed = true;
      sub.disconnect();
    },
  };
}
