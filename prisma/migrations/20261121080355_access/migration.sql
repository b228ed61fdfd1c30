-- DropIndex
DROP INDEX "ShareLink_tokenHash_key";

-- AlterTable
ALTER TABLE "ShareLink" DROP COLUMN "tokenHash",
ADD COLUMN     "token" TEXT NOT NULL;

-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "leasedUntil" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "ShareLink_token_key" ON "ShareLink"("token");
