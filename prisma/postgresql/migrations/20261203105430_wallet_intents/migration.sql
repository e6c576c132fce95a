-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "walletReference" TEXT;

-- AlterTable
ALTER TABLE "PaymentAttempt" ADD COLUMN     "intentKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "PaymentSession_walletReference_key" ON "PaymentSession"("walletReference");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentAttempt_intentKey_key" ON "PaymentAttempt"("intentKey");

