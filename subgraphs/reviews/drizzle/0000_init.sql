CREATE SCHEMA "reviews";
--> statement-breakpoint
CREATE TABLE "reviews"."model_ratings" (
	"model_id" uuid PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"sum" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews"."reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"rating" smallint NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_rating_range" CHECK ("reviews"."reviews"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_author_model_key" ON "reviews"."reviews" USING btree ("author_id","model_id");--> statement-breakpoint
CREATE INDEX "reviews_model_created_idx" ON "reviews"."reviews" USING btree ("model_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reviews_author_created_idx" ON "reviews"."reviews" USING btree ("author_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);