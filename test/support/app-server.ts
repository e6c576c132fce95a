import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;
interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

/**
 * Serves the app's real route modules over HTTP on an ephemeral port, so the simulators can
 * talk to the app as they would in production (Shopify posting sessions, Accelebit sending
 * the shopper back after 3-D Secure) without a Remix build. Only the routes a test names.
 */
export async function startAppServer(routes: Record<string, RouteModule>): Promise<{ url: string; close(): Promise<void> }> {
  const compiled = Object.entries(routes).map(([pattern, module]) => {
    const names: string[] = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_m, name: string) => (names.push(name), "([^/]+)"))}$`);
    return { regex, names, module };
  });

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      const match = compiled.map((r) => ({ r, m: r.regex.exec(url.pathname) })).find((x) => x.m);
      if (!match) {
        res.writeHead(404).end("no such route");
        return;
      }
      const params = Object.fromEntries(match.r.names.map((name, i) => [name, decodeURIComponent(match.m![i + 1]!)]));
      const fn = req.method === "GET" || req.method === "HEAD" ? match.r.module.loader : match.r.module.action;
      if (!fn) {
        res.writeHead(405).end();
        return;
      }
      const request = new Request(url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readAll(req)),
      });
      let response: unknown;
      try {
        response = await fn({ request, params, context: { clientIp: "203.0.113.10" } });
      } catch (thrown) {
        response = thrown;
      }
      if (!(response instanceof Response)) response = Response.json(response);
      const r = response as Response;
      res.writeHead(r.status, Object.fromEntries(r.headers.entries()));
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
