/**
 * A TCP relay on loopback in front of a server (PostgreSQL): a process connected through it can
 * be cut off from that server, as a network partition would, while the process lives on. Cut,
 * the relay ends every connection it carries and refuses new ones (accepted, then closed at once),
 * until restored. Closed when the test ends.
 */
import net from 'node:net';
import type { TestContext } from 'node:test';

export interface CuttableLink {
  /** `url` (a `postgres://` URL of the server) with the relay's host and port instead. */
  through(url: string): string;
  /** Ends every connection carried and refuses new ones. */
  cut(): void;
  /** Carries connections again. */
  restore(): void;
}

/** Starts a relay to the server of `url` (its host and port). */
export async function startCuttableLink(t: TestContext, url: string): Promise<CuttableLink> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    through: (of) => {
      const relayed = new URL(of);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      return relayed.toString();
    },
    cut: () => {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      cut = false;
    },
  };
}
