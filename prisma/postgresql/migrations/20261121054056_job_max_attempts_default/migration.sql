-- AlterTable
ALTER TABLE "Job" ALTER COLUMN "maxAttempts" SET DEFAULT 34;

