-- CreateTable
CREATE TABLE "ShopGateway" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "gateway" TEXT NOT NULL,
    "webhookToken" TEXT NOT NULL,
    "webhookSecretCiphertext" TEXT,
    "webhookId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ShopGateway_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GatewayCredential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "gateway" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "secretLast4" TEXT NOT NULL,
    "publicId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "GatewayCredential_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("active", "createdAt", "domain", "id", "installedAt", "name", "uninstalledAt", "updatedAt") SELECT "active", "createdAt", "domain", "id", "installedAt", "name", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
CREATE TABLE "new_ShopSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "externalHandle" TEXT,
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "configuredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ShopSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ShopSettings" ("configuredAt", "createdAt", "externalHandle", "id", "ready", "shopId", "updatedAt") SELECT "configuredAt", "createdAt", "externalHandle", "id", "ready", "shopId", "updatedAt" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
CREATE UNIQUE INDEX "ShopSettings_shopId_key" ON "ShopSettings"("shopId");
CREATE TABLE "new_PaymentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "shopifySessionId" TEXT,
    "gateway" TEXT NOT NULL DEFAULT 'accelebit',
    "kind" TEXT NOT NULL,
    "amount" DECIMAL NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "paymentMethodType" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "shopifyState" TEXT,
    "shopperToken" TEXT NOT NULL,
    "cancelUrl" TEXT,
    "proposedAt" DATETIME,
    "merchantLocale" TEXT,
    "customerEmail" TEXT,
    "customerPhone" TEXT,
    "billingAddress" TEXT,
    "clientIp" TEXT,
    "customerRedactedAt" DATETIME,
    "shopifyRequestId" TEXT,
    "apiVersion" TEXT,
    "responseBody" TEXT,
    "gatewayPaymentId" TEXT,
    "provider" TEXT,
    "gatewayStatus" TEXT,
    "capturedAmount" DECIMAL,
    "authorizationExpiresAt" DATETIME,
    "pendingExpiresAt" DATETIME,
    "rejectReason" TEXT,
    "merchantMessage" TEXT,
    "nextActionUrl" TEXT,
    "finalizedAt" DATETIME,
    "deadlineAt" DATETIME,
    "nextCheckAt" DATETIME,
    "checks" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PaymentSession_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PaymentSession" ("amount", "apiVersion", "authorizationExpiresAt", "billingAddress", "cancelUrl", "capturedAmount", "checks", "clientIp", "createdAt", "currency", "customerEmail", "customerPhone", "customerRedactedAt", "deadlineAt", "finalizedAt", "gatewayStatus", "gid", "group", "id", "kind", "merchantLocale", "merchantMessage", "nextActionUrl", "nextCheckAt", "paymentMethodType", "pendingExpiresAt", "proposedAt", "provider", "rejectReason", "responseBody", "shopId", "shopifyId", "shopifyRequestId", "shopifySessionId", "shopifyState", "shopperToken", "status", "test", "updatedAt", "gatewayPaymentId") SELECT "amount", "apiVersion", "authorizationExpiresAt", "billingAddress", "cancelUrl", "capturedAmount", "checks", "clientIp", "createdAt", "currency", "customerEmail", "customerPhone", "customerRedactedAt", "deadlineAt", "finalizedAt", CASE "gatewayStatus" WHEN 'pending_3ds' THEN 'action_required' ELSE "gatewayStatus" END, "gid", "group", "id", "kind", "merchantLocale", "merchantMessage", "nextActionUrl", "nextCheckAt", "paymentMethodType", "pendingExpiresAt", "proposedAt", "provider", "rejectReason", "responseBody", "shopId", "shopifyId", "shopifyRequestId", "shopifySessionId", "shopifyState", "shopperToken", "status", "test", "updatedAt", "accelebitPaymentId" FROM "PaymentSession";
DROP TABLE "PaymentSession";
ALTER TABLE "new_PaymentSession" RENAME TO "PaymentSession";
CREATE UNIQUE INDEX "PaymentSession_shopperToken_key" ON "PaymentSession"("shopperToken");
CREATE INDEX "PaymentSession_shopId_createdAt_idx" ON "PaymentSession"("shopId", "createdAt");
CREATE INDEX "PaymentSession_shopId_status_createdAt_idx" ON "PaymentSession"("shopId", "status", "createdAt");
CREATE INDEX "PaymentSession_shopId_group_createdAt_idx" ON "PaymentSession"("shopId", "group", "createdAt");
CREATE INDEX "PaymentSession_status_updatedAt_idx" ON "PaymentSession"("status", "updatedAt");
CREATE INDEX "PaymentSession_gatewayPaymentId_idx" ON "PaymentSession"("gatewayPaymentId");
CREATE INDEX "PaymentSession_nextCheckAt_idx" ON "PaymentSession"("nextCheckAt");
CREATE UNIQUE INDEX "PaymentSession_shopId_shopifyId_key" ON "PaymentSession"("shopId", "shopifyId");
CREATE TABLE "new_PaymentAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "paymentSessionId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "merchantRef" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "threeDs" BOOLEAN NOT NULL DEFAULT false,
    "gatewayPaymentId" TEXT,
    "errorName" TEXT,
    "errorMessage" TEXT,
    "cardBrand" TEXT,
    "cardLast4" TEXT,
    "surplusRefund" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PaymentAttempt_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PaymentAttempt" ("cardBrand", "cardLast4", "createdAt", "errorMessage", "errorName", "id", "idempotencyKey", "merchantRef", "number", "paymentSessionId", "status", "surplusRefund", "threeDs", "updatedAt", "gatewayPaymentId") SELECT "cardBrand", "cardLast4", "createdAt", "errorMessage", "errorName", "id", "idempotencyKey", "merchantRef", "number", "paymentSessionId", CASE "status" WHEN 'pending_3ds' THEN 'action_required' ELSE "status" END, "surplusRefund", "threeDs", "updatedAt", "accelebitPaymentId" FROM "PaymentAttempt";
DROP TABLE "PaymentAttempt";
ALTER TABLE "new_PaymentAttempt" RENAME TO "PaymentAttempt";
CREATE UNIQUE INDEX "PaymentAttempt_idempotencyKey_key" ON "PaymentAttempt"("idempotencyKey");
CREATE INDEX "PaymentAttempt_gatewayPaymentId_idx" ON "PaymentAttempt"("gatewayPaymentId");
CREATE INDEX "PaymentAttempt_merchantRef_idx" ON "PaymentAttempt"("merchantRef");
CREATE UNIQUE INDEX "PaymentAttempt_paymentSessionId_number_key" ON "PaymentAttempt"("paymentSessionId", "number");
CREATE TABLE "new_RefundSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "paymentShopifyId" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "gateway" TEXT NOT NULL DEFAULT 'accelebit',
    "amount" DECIMAL NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "gatewayRefundId" TEXT,
    "rejectReason" TEXT,
    "merchantMessage" TEXT,
    "shopifyRequestId" TEXT,
    "finalizedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RefundSession_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RefundSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_RefundSession" ("amount", "createdAt", "currency", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt", "gatewayRefundId") SELECT "amount", "createdAt", "currency", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt", "accelebitRefundId" FROM "RefundSession";
DROP TABLE "RefundSession";
ALTER TABLE "new_RefundSession" RENAME TO "RefundSession";
CREATE INDEX "RefundSession_paymentSessionId_idx" ON "RefundSession"("paymentSessionId");
CREATE UNIQUE INDEX "RefundSession_shopId_shopifyId_key" ON "RefundSession"("shopId", "shopifyId");
CREATE TABLE "new_CaptureSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "paymentShopifyId" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "gateway" TEXT NOT NULL DEFAULT 'accelebit',
    "amount" DECIMAL NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "gatewayCaptureId" TEXT,
    "rejectReason" TEXT,
    "merchantMessage" TEXT,
    "shopifyRequestId" TEXT,
    "finalizedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CaptureSession_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CaptureSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CaptureSession" ("amount", "createdAt", "currency", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt") SELECT "amount", "createdAt", "currency", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt" FROM "CaptureSession";
DROP TABLE "CaptureSession";
ALTER TABLE "new_CaptureSession" RENAME TO "CaptureSession";
CREATE INDEX "CaptureSession_paymentSessionId_idx" ON "CaptureSession"("paymentSessionId");
CREATE UNIQUE INDEX "CaptureSession_shopId_shopifyId_key" ON "CaptureSession"("shopId", "shopifyId");
CREATE TABLE "new_VoidSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "paymentShopifyId" TEXT NOT NULL,
    "paymentSessionId" TEXT,
    "gateway" TEXT NOT NULL DEFAULT 'accelebit',
    "test" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "gatewayVoidId" TEXT,
    "rejectReason" TEXT,
    "merchantMessage" TEXT,
    "shopifyRequestId" TEXT,
    "finalizedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "VoidSession_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VoidSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_VoidSession" ("createdAt", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt", "gatewayVoidId") SELECT "createdAt", "finalizedAt", "gid", "id", "merchantMessage", "paymentSessionId", "paymentShopifyId", "rejectReason", "shopId", "shopifyId", "shopifyRequestId", "status", "test", "updatedAt", "accelebitRefundId" FROM "VoidSession";
DROP TABLE "VoidSession";
ALTER TABLE "new_VoidSession" RENAME TO "VoidSession";
CREATE INDEX "VoidSession_paymentSessionId_idx" ON "VoidSession"("paymentSessionId");
CREATE UNIQUE INDEX "VoidSession_shopId_shopifyId_key" ON "VoidSession"("shopId", "shopifyId");
CREATE TABLE "new_GatewayEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "gateway" TEXT NOT NULL DEFAULT 'accelebit',
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "objectId" TEXT,
    "merchantRef" TEXT,
    "signatureValid" BOOLEAN NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    CONSTRAINT "GatewayEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_GatewayEvent" ("eventId", "id", "merchantRef", "objectId", "processedAt", "receivedAt", "shopId", "signatureValid", "type") SELECT "eventId", "id", "merchantRef", "objectId", "processedAt", "receivedAt", "shopId", "signatureValid", "type" FROM "GatewayEvent";
DROP TABLE "GatewayEvent";
ALTER TABLE "new_GatewayEvent" RENAME TO "GatewayEvent";
CREATE INDEX "GatewayEvent_shopId_receivedAt_idx" ON "GatewayEvent"("shopId", "receivedAt");
CREATE UNIQUE INDEX "GatewayEvent_shopId_eventId_key" ON "GatewayEvent"("shopId", "eventId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "ShopGateway_webhookToken_key" ON "ShopGateway"("webhookToken");

-- CreateIndex
CREATE UNIQUE INDEX "ShopGateway_shopId_gateway_key" ON "ShopGateway"("shopId", "gateway");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayCredential_shopId_gateway_mode_key" ON "GatewayCredential"("shopId", "gateway", "mode");

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
