import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The service's Prometheus metrics (prom-client), served at GET /metrics when METRICS_TOKEN is
 * set. One registry per process, kept on globalThis: Next.js bundles a module into several chunks,
 * and each copy must count into the same metrics.
 */

interface Metrics {
  registry: Registry;
  requests: Counter<"endpoint" | "method" | "status">;
  duration: Histogram<"endpoint" | "method">;
  logins: Counter<"outcome">;
  rateLimited: Counter<"limit">;
  mailFailures: Counter<"kind" | "final">;
  hashesWaiting: Gauge;
  hashesRunning: Gauge;
}

const holder = globalThis as unknown as { __authMetrics?: Metrics };

function create(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const opts = { registers: [registry] };
  return {
    registry,
    requests: new Counter({ name: "auth_http_requests_total", help: "Requests answered, by endpoint (as declared), method and status", labelNames: ["endpoint", "method", "status"], ...opts }),
    duration: new Histogram({
      name: "auth_http_request_duration_seconds",
      help: "Time to answer a request, by endpoint and method",
      labelNames: ["endpoint", "method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ...opts,
    }),
    logins: new Counter({ name: "auth_logins_total", help: "Password checks of logins and password changes, by outcome", labelNames: ["outcome"], ...opts }),
    rateLimited: new Counter({ name: "auth_rate_limited_total", help: "Requests refused by a limit (429), by limit", labelNames: ["limit"], ...opts }),
    mailFailures: new Counter({ name: "auth_mail_send_failures_total", help: "Failed mail deliveries, by kind and whether the row was given up", labelNames: ["kind", "final"], ...opts }),
    hashesWaiting: new Gauge({ name: "auth_password_hash_queue_length", help: "Password hashes waiting for a worker", ...opts }),
    hashesRunning: new Gauge({ name: "auth_password_hashes_running", help: "Password hashes at the hash threads, being computed or next in line", ...opts }),
  };
}

export const metrics = (): Metrics => (holder.__authMetrics ??= create());

/** A gauge read from the database (or anywhere) when Prometheus scrapes, registered once. */
export function gaugeOnScrape(name: string, help: string, read: () => Promise<number>): void {
  const { registry } = metrics();
  if (registry.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}
