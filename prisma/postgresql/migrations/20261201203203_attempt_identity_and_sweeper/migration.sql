-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deadlineAt" TIMESTAMP(3),
ADD COLUMN     "nextCheckAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "PaymentAttempt" ADD COLUMN     "merchantRef" TEXT,
ADD COLUMN     "surplusRefund" TEXT,
ADD COLUMN     "threeDs" BOOLEAN NOT NULL DEFAULT false;
-- Attempts made before this migration carried Shopify's id as their merchantRef; an attempt
-- still in 3-D Secure was sent to it.
UPDATE "PaymentAttempt" SET "merchantRef" = s."shopifyId", "threeDs" = ("PaymentAttempt"."status" = 'pending_3ds')
FROM "PaymentSession" s WHERE s."id" = "PaymentAttempt"."paymentSessionId";
ALTER TABLE "PaymentAttempt" ALTER COLUMN "merchantRef" SET NOT NULL;
-- Open sessions are looked at by the sweeper at once (their old deadline jobs still run too).
UPDATE "PaymentSession" SET "nextCheckAt" = CURRENT_TIMESTAMP WHERE "status" IN ('awaiting_card', 'processing', 'three_ds', 'pending');

-- AlterTable
ALTER TABLE "GatewayEvent" ADD COLUMN     "merchantRef" TEXT;

-- CreateTable
CREATE TABLE "CardPayload" (
    "paymentSessionId" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CardPayload_pkey" PRIMARY KEY ("paymentSessionId")
);

-- CreateIndex
CREATE INDEX "CardPayload_expiresAt_idx" ON "CardPayload"("expiresAt");

-- CreateIndex
CREATE INDEX "PaymentSession_nextCheckAt_idx" ON "PaymentSession"("nextCheckAt");

-- CreateIndex
CREATE INDEX "PaymentAttempt_accelebitPaymentId_idx" ON "PaymentAttempt"("accelebitPaymentId");

-- CreateIndex
CREATE INDEX "PaymentAttempt_merchantRef_idx" ON "PaymentAttempt"("merchantRef");

-- AddForeignKey
ALTER TABLE "CardPayload" ADD CONSTRAINT "CardPayload_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

