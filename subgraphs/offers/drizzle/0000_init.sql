CREATE SCHEMA "offers";
--> statement-breakpoint
CREATE TYPE "offers"."currency" AS ENUM('RUB', 'USD', 'EUR');--> statement-breakpoint
CREATE TYPE "offers"."offer_status" AS ENUM('ACTIVE', 'SOLD', 'ARCHIVED');--> statement-breakpoint
CREATE TABLE "offers"."offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seller_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"make_id" uuid NOT NULL,
	"title" text NOT NULL,
	"price" integer NOT NULL,
	"currency" "offers"."currency" DEFAULT 'RUB' NOT NULL,
	"year" integer NOT NULL,
	"mileage_km" integer NOT NULL,
	"city" text NOT NULL,
	"status" "offers"."offer_status" DEFAULT 'ACTIVE' NOT NULL,
	"photos" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "offers_status_created_idx" ON "offers"."offers" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "offers_status_price_idx" ON "offers"."offers" USING btree ("status","price","id");--> statement-breakpoint
CREATE INDEX "offers_status_mileage_idx" ON "offers"."offers" USING btree ("status","mileage_km","id");--> statement-breakpoint
CREATE INDEX "offers_seller_created_idx" ON "offers"."offers" USING btree ("seller_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "offers_model_created_idx" ON "offers"."offers" USING btree ("model_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "offers_make_created_idx" ON "offers"."offers" USING btree ("make_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "offers_city_idx" ON "offers"."offers" USING btree ("city");