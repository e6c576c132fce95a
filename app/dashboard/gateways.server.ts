import { gateways } from "~/gateways.server";
import { GATEWAY_IDS, isGatewayId, type GatewayId } from "~/payments/gateway/port";

/**
 * How the dashboard names a session's gateway: the adapter's own display name, so the list,
 * the detail page and their labels ("Accrue payment ID") never spell a vendor themselves.
 * A stored value that names no known gateway is shown as it is rather than hidden.
 */
export function gatewayDisplayName(gateway: string): string {
  return isGatewayId(gateway) ? gateways(gateway).displayName : gateway;
}

/** Whether the gateway has a void of its own; a gateway without one refunds instead of voiding. */
export function gatewayVoids(gateway: string): boolean {
  return isGatewayId(gateway) ? gateways(gateway).capabilities.void : true;
}

/** The gateway filter's choices, in GATEWAY_IDS order. */
export function gatewayChoices(): { value: GatewayId; label: string }[] {
  return GATEWAY_IDS.map((id) => ({ value: id, label: gatewayDisplayName(id) }));
}
