import { chargeDeps } from "~/payments/charge-deps.server";
import type { CardChargeDeps } from "~/payments/card/charge.server";
import { cardKeyring } from "~/payments/card/keyring.server";

/** The card charge job's collaborators, wired to this process's configuration. */
export function cardChargeDeps(): CardChargeDeps {
  return { ...chargeDeps(), keyring: cardKeyring };
}
