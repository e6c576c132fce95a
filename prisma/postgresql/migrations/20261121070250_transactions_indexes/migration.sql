-- CreateIndex
CREATE INDEX "PaymentSession_shopId_status_createdAt_idx" ON "PaymentSession"("shopId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentSession_shopId_group_createdAt_idx" ON "PaymentSession"("shopId", "group", "createdAt");

