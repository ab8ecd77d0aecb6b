import { once } from 'node:events';
import { connect, createServer } from 'node:net';

/** Thrown when a port the stack needs is taken by another process. */
export class PortInUseError extends Error {
  readonly port: number;

  constructor(port: number, envVarName: string, options?: { cause?: unknown }) {
    super(`Port ${port} is already in use; set ${envVarName} to use another`, options);
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/** A port on 127.0.0.1 that nothing listens on right now, chosen by the OS. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the port the OS chose');
  return address.port;
}

/** Free ports, all different from each other. */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

/**
 * Throws a PortInUseError naming `envVarName` when 127.0.0.1:`port` cannot be bound. A listener on
 * 0.0.0.0 or :: holds the loopback address too, so this catches those as well.
 */
export async function assertPortFree(port: number, envVarName: string): Promise<void> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new PortInUseError(port, envVarName, { cause: error });
    throw new Error(`Port ${port} cannot be used (${code ?? String(error)}); set ${envVarName} to use another`, {
      cause: error,
    });
  }
  server.close();
  await once(server, 'close');
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
