ALTER TABLE "offers"."offers" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "offers"."offers" ADD COLUMN "input_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "offers_seller_idempotency_key_idx" ON "offers"."offers" USING btree ("seller_id","idempotency_key") WHERE "offers"."offers"."idempotency_key" is not null;