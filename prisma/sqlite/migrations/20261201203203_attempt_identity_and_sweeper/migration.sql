-- AlterTable
ALTER TABLE "GatewayEvent" ADD COLUMN "merchantRef" TEXT;

-- CreateTable
CREATE TABLE "CardPayload" (
    "paymentSessionId" TEXT NOT NULL PRIMARY KEY,
    "ciphertext" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CardPayload_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PaymentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "shopifySessionId" TEXT,
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
    "accelebitPaymentId" TEXT,
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
INSERT INTO "new_PaymentSession" ("accelebitPaymentId", "amount", "apiVersion", "authorizationExpiresAt", "billingAddress", "cancelUrl", "capturedAmount", "clientIp", "createdAt", "currency", "customerEmail", "customerPhone", "customerRedactedAt", "finalizedAt", "gatewayStatus", "gid", "group", "id", "kind", "merchantLocale", "merchantMessage", "nextActionUrl", "paymentMethodType", "pendingExpiresAt", "proposedAt", "provider", "rejectReason", "responseBody", "shopId", "shopifyId", "shopifyRequestId", "shopifySessionId", "shopifyState", "shopperToken", "status", "test", "updatedAt") SELECT "accelebitPaymentId", "amount", "apiVersion", "authorizationExpiresAt", "billingAddress", "cancelUrl", "capturedAmount", "clientIp", "createdAt", "currency", "customerEmail", "customerPhone", "customerRedactedAt", "finalizedAt", "gatewayStatus", "gid", "group", "id", "kind", "merchantLocale", "merchantMessage", "nextActionUrl", "paymentMethodType", "pendingExpiresAt", "proposedAt", "provider", "rejectReason", "responseBody", "shopId", "shopifyId", "shopifyRequestId", "shopifySessionId", "shopifyState", "shopperToken", "status", "test", "updatedAt" FROM "PaymentSession";
DROP TABLE "PaymentSession";
ALTER TABLE "new_PaymentSession" RENAME TO "PaymentSession";
-- Open sessions are looked at by the sweeper at once (their old deadline jobs still run too).
UPDATE "PaymentSession" SET "nextCheckAt" = CURRENT_TIMESTAMP WHERE "status" IN ('awaiting_card', 'processing', 'three_ds', 'pending');
CREATE UNIQUE INDEX "PaymentSession_shopperToken_key" ON "PaymentSession"("shopperToken");
CREATE INDEX "PaymentSession_shopId_createdAt_idx" ON "PaymentSession"("shopId", "createdAt");
CREATE INDEX "PaymentSession_shopId_status_createdAt_idx" ON "PaymentSession"("shopId", "status", "createdAt");
CREATE INDEX "PaymentSession_shopId_group_createdAt_idx" ON "PaymentSession"("shopId", "group", "createdAt");
CREATE INDEX "PaymentSession_status_updatedAt_idx" ON "PaymentSession"("status", "updatedAt");
CREATE INDEX "PaymentSession_accelebitPaymentId_idx" ON "PaymentSession"("accelebitPaymentId");
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
    "accelebitPaymentId" TEXT,
    "errorName" TEXT,
    "errorMessage" TEXT,
    "cardBrand" TEXT,
    "cardLast4" TEXT,
    "surplusRefund" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PaymentAttempt_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Attempts made before this migration carried Shopify's id as their merchantRef; an attempt
-- still in 3-D Secure was sent to it.
INSERT INTO "new_PaymentAttempt" ("accelebitPaymentId", "cardBrand", "cardLast4", "createdAt", "errorMessage", "errorName", "id", "idempotencyKey", "number", "paymentSessionId", "status", "updatedAt", "merchantRef", "threeDs") SELECT "accelebitPaymentId", "cardBrand", "cardLast4", "createdAt", "errorMessage", "errorName", "id", "idempotencyKey", "number", "paymentSessionId", "status", "updatedAt", (SELECT "shopifyId" FROM "PaymentSession" WHERE "PaymentSession"."id" = "PaymentAttempt"."paymentSessionId"), "status" = 'pending_3ds' FROM "PaymentAttempt";
DROP TABLE "PaymentAttempt";
ALTER TABLE "new_PaymentAttempt" RENAME TO "PaymentAttempt";
CREATE UNIQUE INDEX "PaymentAttempt_idempotencyKey_key" ON "PaymentAttempt"("idempotencyKey");
CREATE INDEX "PaymentAttempt_accelebitPaymentId_idx" ON "PaymentAttempt"("accelebitPaymentId");
CREATE INDEX "PaymentAttempt_merchantRef_idx" ON "PaymentAttempt"("merchantRef");
CREATE UNIQUE INDEX "PaymentAttempt_paymentSessionId_number_key" ON "PaymentAttempt"("paymentSessionId", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "CardPayload_expiresAt_idx" ON "CardPayload"("expiresAt");

