-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "shopifyState" TEXT;

