import { z } from "zod";
import { keyMode } from "~/accelebit";
import { ACCRUE_CLIENT_ID_PATTERN, ACCRUE_CLIENT_SECRET_PATTERN } from "~/accrue/payment-gateway";

/**
 * The setup form's rules for Accelebit secrets, with the messages a merchant sees. The
 * key format itself (prefixes, test vs live) is the gateway adapter's: keyMode().
 */
export const testSecretKey = z
  .string()
  .trim()
  .refine((v) => keyMode(v) === "test", { message: "Enter an Accelebit test secret key: it starts with smtgw_sk_test_." });

export const liveSecretKey = z
  .string()
  .trim()
  .refine((v) => keyMode(v) !== "test", { message: "This is a test key; enter it in the test key field." })
  .refine((v) => keyMode(v) === "live", { message: "Enter an Accelebit live secret key: it starts with smtgw_sk_." });

export const webhookSigningSecret = z
  .string()
  .trim()
  .min(16, "The webhook signing secret is at least 16 characters long.")
  .max(500, "The webhook signing secret is at most 500 characters long.")
  .refine((v) => !/\s/.test(v), { message: "The webhook signing secret has no spaces." });

/** Accrue's Client ID: a UUID, public (the widget carries it). The forms are the adapter's. */
export const accrueClientId = z
  .string()
  .trim()
  .regex(ACCRUE_CLIENT_ID_PATTERN, "Enter an Accrue Client ID: a UUID such as 123e4567-e89b-12d3-a456-426614174000.");

export const accrueClientSecret = z
  .string()
  .trim()
  .regex(ACCRUE_CLIENT_SECRET_PATTERN, "Enter an Accrue Client Secret: 16 to 512 characters, no spaces, as shown in your Accrue dashboard.");

export type GatewayMode = "test" | "live";
