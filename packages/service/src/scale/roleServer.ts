// The HTTP face of the worker and ingest roles: /v1/health (ownership, lag, live workers, as JSON) and
// /metrics (Prometheus text). Neither role serves the API, so a plain node:http server is enough.
import { createServer, type Server } from 'node:http';

export interface RoleHealth {
  health(): object;
  metrics(): string;
}

export function startRoleServer(
  host: string,
  port: number,
  role: RoleHealth,
): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(role.health()));
    } else if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(role.metrics());
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found: this role serves GET /v1/health and GET /metrics' }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, address: typeof a === 'object' && a ? `http://${host}:${a.port}` : String(a) });
    });
  });
}
