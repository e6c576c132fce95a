-- CreateTable
CREATE TABLE "ShopGateway" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "gateway" TEXT NOT NULL,
    "webhookToken" TEXT NOT NULL,
    "webhookSecretCiphertext" TEXT,
    "webhookId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopGateway_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayCredential" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "gateway" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "secretLast4" TEXT NOT NULL,
    "publicId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayCredential_pkey" PRIMARY KEY ("id")
);

-- Carry the shop's Accelebit set-up into the per-gateway tables (ciphertexts keep their
-- contexts, so they decrypt as before), before the old columns go.
INSERT INTO "ShopGateway" ("id", "shopId", "gateway", "webhookToken", "webhookSecretCiphertext", "updatedAt")
  SELECT 'sg_' || s."id" || '_accelebit', s."id", 'accelebit', s."webhookToken", t."webhookSecretCiphertext", CURRENT_TIMESTAMP
  FROM "Shop" s LEFT JOIN "ShopSettings" t ON t."shopId" = s."id";
INSERT INTO "GatewayCredential" ("id", "shopId", "gateway", "mode", "secretCiphertext", "secretLast4", "updatedAt")
  SELECT 'gc_' || "shopId" || '_accelebit_test', "shopId", 'accelebit', 'test', "testApiKeyCiphertext", COALESCE("testApiKeyLast4", ''), CURRENT_TIMESTAMP
  FROM "ShopSettings" WHERE "testApiKeyCiphertext" IS NOT NULL;
INSERT INTO "GatewayCredential" ("id", "shopId", "gateway", "mode", "secretCiphertext", "secretLast4", "updatedAt")
  SELECT 'gc_' || "shopId" || '_accelebit_live', "shopId", 'accelebit', 'live', "liveApiKeyCiphertext", COALESCE("liveApiKeyLast4", ''), CURRENT_TIMESTAMP
  FROM "ShopSettings" WHERE "liveApiKeyCiphertext" IS NOT NULL;

-- DropIndex
DROP INDEX "Shop_webhookToken_key";

-- AlterTable
ALTER TABLE "Shop" DROP COLUMN "webhookToken";

-- AlterTable
ALTER TABLE "ShopSettings" DROP COLUMN "liveApiKeyCiphertext",
DROP COLUMN "liveApiKeyLast4",
DROP COLUMN "testApiKeyCiphertext",
DROP COLUMN "testApiKeyLast4",
DROP COLUMN "webhookSecretCiphertext";

-- Vendor-named columns become the gateway's, with their data.
ALTER TABLE "PaymentSession" RENAME COLUMN "accelebitPaymentId" TO "gatewayPaymentId";
ALTER INDEX "PaymentSession_accelebitPaymentId_idx" RENAME TO "PaymentSession_gatewayPaymentId_idx";
ALTER TABLE "PaymentSession" ADD COLUMN     "gateway" TEXT NOT NULL DEFAULT 'accelebit';
ALTER TABLE "PaymentAttempt" RENAME COLUMN "accelebitPaymentId" TO "gatewayPaymentId";
ALTER INDEX "PaymentAttempt_accelebitPaymentId_idx" RENAME TO "PaymentAttempt_gatewayPaymentId_idx";
ALTER TABLE "RefundSession" RENAME COLUMN "accelebitRefundId" TO "gatewayRefundId";
ALTER TABLE "RefundSession" ADD COLUMN     "gateway" TEXT NOT NULL DEFAULT 'accelebit';
ALTER TABLE "CaptureSession" ADD COLUMN     "gateway" TEXT NOT NULL DEFAULT 'accelebit',
ADD COLUMN     "gatewayCaptureId" TEXT;
ALTER TABLE "VoidSession" RENAME COLUMN "accelebitRefundId" TO "gatewayVoidId";
ALTER TABLE "VoidSession" ADD COLUMN     "gateway" TEXT NOT NULL DEFAULT 'accelebit';
ALTER TABLE "GatewayEvent" ADD COLUMN     "gateway" TEXT NOT NULL DEFAULT 'accelebit';

-- Neutral attempt statuses.
UPDATE "PaymentAttempt" SET "status" = 'action_required' WHERE "status" = 'pending_3ds';
UPDATE "PaymentSession" SET "gatewayStatus" = 'action_required' WHERE "gatewayStatus" = 'pending_3ds';

-- CreateIndex
CREATE UNIQUE INDEX "ShopGateway_webhookToken_key" ON "ShopGateway"("webhookToken");

-- CreateIndex
CREATE UNIQUE INDEX "ShopGateway_shopId_gateway_key" ON "ShopGateway"("shopId", "gateway");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayCredential_shopId_gateway_mode_key" ON "GatewayCredential"("shopId", "gateway", "mode");

-- AddForeignKey
ALTER TABLE "ShopGateway" ADD CONSTRAINT "ShopGateway_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayCredential" ADD CONSTRAINT "GatewayCredential_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Job types named after Accelebit are the gateway's now.
UPDATE "Job" SET "type" = 'gateway.event' WHERE "type" = 'accelebit.event';
UPDATE "Job" SET "type" = 'void-session.gateway' WHERE "type" = 'void-session.refund';
UPDATE "Job" SET "type" = 'refund-session.gateway' WHERE "type" = 'refund-session.refund';

-- Attempts' error names in the domain's words (app/payments/gateway/port.ts); the vendor's own
-- name stays in the message.
UPDATE "PaymentAttempt" SET "errorMessage" = '(' || "errorName" || ') ' || COALESCE("errorMessage", ''),
  "errorName" = CASE "errorName"
    WHEN 'CARD_DECLINED' THEN 'DECLINED'
    WHEN 'PROVIDER_ERROR' THEN 'UNAVAILABLE'
    WHEN 'SERVER_ERROR' THEN 'UNAVAILABLE'
    WHEN 'UNAUTHORIZED' THEN 'CREDENTIALS_REFUSED'
    WHEN 'NETWORK_ERROR' THEN 'NETWORK'
    ELSE "errorName" END
  WHERE "errorName" IN ('CARD_DECLINED', 'PROVIDER_ERROR', 'SERVER_ERROR', 'UNAUTHORIZED', 'NETWORK_ERROR');
