import { createAccelebitGateway } from "~/accelebit";
import { config } from "~/lib/config.server";
import { logger } from "~/lib/logger";
import { gatewayLatency, gatewayPathTemplate, timedFetch } from "~/observability/metrics.server";

type Gateway = ReturnType<typeof createAccelebitGateway>;
let gateway: Gateway | undefined;

/** The card gateway of this process, pointed at ACCELEBIT_API_URL. */
export function accelebitGateway(): Gateway {
  gateway ??= createAccelebitGateway({
    baseUrl: config().ACCELEBIT_API_URL,
    logger,
    fetch: timedFetch((url, method, status, seconds) => gatewayLatency.observe({ method, path: gatewayPathTemplate(url.pathname), status }, seconds)),
  });
  return gateway;
}
