/**
 * The demo app inside each simulated VM: while a VM is RUNNING, a small page answers on 127.0.0.1 at a
 * port of its own (reachable on every OS, unlike 127.0.1.x), at the path its machine image declares.
 * The app reaches it through `reach` (an AppReach): the declared port of that VM maps to this port, and
 * the readiness probe may fetch exactly these addresses and nothing else. A VM keeps its port across
 * stop/start (and restarts, via `ports`) while the port is free.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppReach } from '../../src/platform/app-reach.ts';
import { zoneOf } from './instance-model.ts';
import { appPathFromLabel } from './samples.ts';
import { lastSegment } from './state.ts';
import type { GceInstance, GceMachineImage } from './types.ts';

/** The app a machine image declares (labels app-port, app-path; see samples.ts), if any. */
interface AppDeclaration {
  port: number;
  path: string;
}

function declaredApp(labels: Record<string, string>): AppDeclaration | null {
  const port = Number(labels['app-port']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  const path = appPathFromLabel(labels['app-path']);
  return { port, path: path.startsWith('/') ? path : `/${path}` };
}

interface VmApp {
  server: Server;
  app: AppDeclaration;
  /** Set once listening. */
  port?: number;
}

const HOST = '127.0.0.1';

export class VmApps {
  readonly #findImage: (name: string) => GceMachineImage | undefined;
  readonly #open = new Map<string, VmApp>();
  /** VMs running whose app is not up yet (zone/name). */
  readonly #held = new Set<string>();
  /** The port each VM had (zone/name → port), kept while the VM exists. */
  readonly ports = new Map<string, number>();
  /** Every request the VMs' apps received (zone/name and path), for tests. */
  readonly requests: Array<{ vm: string; path: string }> = [];

  constructor(findImage: (name: string) => GceMachineImage | undefined) {
    this.#findImage = findImage;
  }

  /** Follow an instance's status: answer while RUNNING (and not held), stop answering otherwise or once it is gone. */
  changed(res: GceInstance, gone = false): void {
    const key = `${zoneOf(res)}/${res.name}`;
    if (gone) this.ports.delete(key);
    if (!gone && res.status === 'RUNNING') {
      if (!this.#held.has(key)) this.#start(key, res);
    } else {
      this.#held.delete(key);
      this.#stop(key);
    }
  }

  /**
   * Realistic profile: a VM that has just started runs before its app answers (the OS boots, then the
   * app starts). Held, its app stays closed; released, it opens if the VM is RUNNING.
   */
  hold(res: GceInstance, held: boolean): void {
    const key = `${zoneOf(res)}/${res.name}`;
    if (held) {
      this.#held.add(key);
      this.#stop(key);
    } else {
      this.#held.delete(key);
      if (res.status === 'RUNNING') this.#start(key, res);
    }
  }

  readonly reach: AppReach = {
    endpoint: (vm, port) => {
      const open = this.#open.get(`${vm.zone}/${vm.instanceName}`);
      // Plain HTTP whatever the image declares: the simulator has no certificate to offer.
      return open?.port && open.app.port === port ? { host: HOST, port: open.port, scheme: 'http' } : null;
    },
    mayProbe: (target) => target.host === HOST && [...this.#open.values()].some((o) => o.port === target.port),
  };

  closeAll(): void {
    for (const key of [...this.#open.keys()]) this.#stop(key);
  }

  #start(key: string, res: GceInstance): void {
    if (this.#open.has(key)) return;
    const image = res.sourceMachineImage ? this.#findImage(lastSegment(res.sourceMachineImage)) : undefined;
    const app = image && declaredApp(image.labels);
    if (!image || !app) return;
    const title = image.description.split('\n')[0] || image.name;
    const server = createServer((req, reply) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.requests.push({ vm: key, path });
      const found = path === app.path;
      reply.writeHead(found ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      reply.end(found ? page(title, res, app) : '<!doctype html><title>Not found</title><p>Not found</p>');
    });
    const open: VmApp = { server, app };
    this.#open.set(key, open);
    const listen = (port: number) => server.listen(port, HOST);
    server.on('error', (err: NodeJS.ErrnoException) => {
      // The remembered port was taken meanwhile: any free one will do (the app asks where it is).
      if (err.code === 'EADDRINUSE' && open.port === undefined) listen(0);
    });
    server.on('listening', () => {
      open.port = (server.address() as AddressInfo).port;
      this.ports.set(key, open.port);
    });
    listen(this.ports.get(key) ?? 0);
  }

  #stop(key: string): void {
    const open = this.#open.get(key);
    if (!open) return;
    this.#open.delete(key);
    open.server.close();
    open.server.closeAllConnections();
  }
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, vm: GceInstance, app: AppDeclaration): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:40rem;color:#1d1c1d}h1{margin-bottom:.25rem}.vm{color:#616061}code{background:#f4f4f4;padding:0 .25rem}</style>
</head><body>
<h1>${escape(title)}</h1>
<p class="vm">Demo VM <code>${escape(vm.name)}</code> in ${escape(zoneOf(vm))} — app port ${app.port}, path <code>${escape(app.path)}</code></p>
<p>This page is served by the GCE simulator of demo-vm's local mode, in place of the demo's real app.</p>
</body></html>
`;
}
