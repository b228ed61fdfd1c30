-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'RETRYING';

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "failingSince" TIMESTAMP(3);

-- Deliveries still FAILED from before this migration were waiting for a retry (the old meaning):
-- they have been failing since they were first tried. The dispatcher retries them when due and
-- then records RETRYING, DELIVERED or FAILED (given up). (A new enum value cannot be used in the
-- transaction that adds it, so their status is not rewritten here.)
UPDATE "WebhookDelivery" SET "failingSince" = "createdAt" WHERE "status" = 'FAILED';

-- Signing moves to Standard Webhooks, whose secrets are "whsec_" + base64 of the HMAC key.
-- Existing endpoints keep their key: the old scheme used the secret's UTF-8 bytes as the key,
-- so the new secret is "whsec_" + base64(old secret) — a receiver derives it from what it has,
-- and no secret has to be shown again (docs/API.md, "Upgrading from Punchcard-Signature").
UPDATE "WebhookEndpoint"
SET "secret" = 'whsec_' || replace(encode(convert_to("secret", 'UTF8'), 'base64'), E'\n', '');
