ALTER TABLE "search"."offer_documents" ADD COLUMN "seller_id" uuid;--> statement-breakpoint
CREATE INDEX "offer_documents_seller_idx" ON "search"."offer_documents" USING btree ("seller_id");