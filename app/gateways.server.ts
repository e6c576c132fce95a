import { createAccelebitPaymentGateway } from "~/accelebit/payment-gateway";
import { createAccruePaymentGateway } from "~/accrue/payment-gateway";
import { config } from "~/lib/config.server";
import { logger } from "~/lib/logger";
import { gatewayLatency, gatewayPathTemplate, timedFetch } from "~/observability/metrics.server";
import type { GatewayId, PaymentGateway } from "~/payments/gateway/port";

/**
 * The one wiring module between the payments domain and the gateway adapters: which adapter
 * serves a session's gateway, configured from this process's settings. The domain asks for a
 * `Gateways` function and never imports an adapter (docs/decisions/0011-gateway-port.md).
 */
import type { Gateways } from "~/payments/gateway-account.server";

export type { Gateways };

let built: Map<GatewayId, PaymentGateway> | undefined;

const measuredFetch = () =>
  timedFetch((url, method, status, seconds) => gatewayLatency.observe({ method, path: gatewayPathTemplate(url.pathname), status }, seconds));

export const gateways: Gateways = (id) => {
  built ??= new Map<GatewayId, PaymentGateway>([
    ["accelebit", createAccelebitPaymentGateway({ baseUrl: config().ACCELEBIT_API_URL, logger, fetch: measuredFetch() })],
    [
      "accrue",
      createAccruePaymentGateway({
        liveBaseUrl: config().ACCRUE_API_URL,
        sandboxBaseUrl: config().ACCRUE_SANDBOX_API_URL,
        logger,
        fetch: measuredFetch(),
        client: { requestsPerMinute: config().ACCRUE_REQUESTS_PER_MINUTE },
        widget: { liveScriptUrl: config().ACCRUE_WIDGET_URL, sandboxScriptUrl: config().ACCRUE_SANDBOX_WIDGET_URL },
      }),
    ],
  ]);
  const gateway = built.get(id);
  if (!gateway) throw new Error(`No adapter is configured for the ${id} gateway`);
  return gateway;
};
