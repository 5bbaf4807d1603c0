CREATE SCHEMA "search";
--> statement-breakpoint
CREATE TABLE "search"."offer_documents" (
	"offer_id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"make_id" uuid NOT NULL,
	"make_name" text NOT NULL,
	"model_id" uuid NOT NULL,
	"model_name" text NOT NULL,
	"body_type" text NOT NULL,
	"city" text NOT NULL,
	"price" integer NOT NULL,
	"year" integer NOT NULL,
	"mileage_km" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"source_updated_at" timestamp with time zone NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"document" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', "search"."offer_documents"."title" || ' ' || "search"."offer_documents"."make_name" || ' ' || "search"."offer_documents"."model_name" || ' ' || "search"."offer_documents"."city")) STORED
);
--> statement-breakpoint
CREATE INDEX "offer_documents_document_idx" ON "search"."offer_documents" USING gin ("document");--> statement-breakpoint
CREATE INDEX "offer_documents_make_idx" ON "search"."offer_documents" USING btree ("make_id");--> statement-breakpoint
CREATE INDEX "offer_documents_model_idx" ON "search"."offer_documents" USING btree ("model_id");--> statement-breakpoint
CREATE INDEX "offer_documents_city_idx" ON "search"."offer_documents" USING btree ("city");--> statement-breakpoint
CREATE INDEX "offer_documents_price_idx" ON "search"."offer_documents" USING btree ("price");--> statement-breakpoint
CREATE INDEX "offer_documents_year_idx" ON "search"."offer_documents" USING btree ("year");--> statement-breakpoint
CREATE INDEX "offer_documents_created_idx" ON "search"."offer_documents" USING btree ("created_at" DESC NULLS LAST,"offer_id" DESC NULLS LAST);