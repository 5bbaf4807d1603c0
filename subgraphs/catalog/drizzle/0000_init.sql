CREATE SCHEMA "catalog";
--> statement-breakpoint
CREATE TYPE "catalog"."body_type" AS ENUM('SEDAN', 'HATCHBACK', 'LIFTBACK', 'WAGON', 'SUV', 'COUPE', 'CONVERTIBLE', 'PICKUP', 'VAN', 'MINIVAN');--> statement-breakpoint
CREATE TABLE "catalog"."generations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"year_from" integer NOT NULL,
	"year_to" integer
);
--> statement-breakpoint
CREATE TABLE "catalog"."makes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog"."models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"make_id" uuid NOT NULL,
	"name" text NOT NULL,
	"body_type" "catalog"."body_type" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalog"."generations" ADD CONSTRAINT "generations_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "catalog"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog"."models" ADD CONSTRAINT "models_make_id_makes_id_fk" FOREIGN KEY ("make_id") REFERENCES "catalog"."makes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "generations_model_idx" ON "catalog"."generations" USING btree ("model_id","year_from");--> statement-breakpoint
CREATE UNIQUE INDEX "makes_name_key" ON "catalog"."makes" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "models_make_name_key" ON "catalog"."models" USING btree ("make_id","name");