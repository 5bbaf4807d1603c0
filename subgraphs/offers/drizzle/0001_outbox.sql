CREATE TABLE "offers"."offer_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"offer_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "offer_events_pending_idx" ON "offers"."offer_events" USING btree ("id") WHERE "offers"."offer_events"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "offer_events_pending_offer_idx" ON "offers"."offer_events" USING btree ("offer_id","id") WHERE "offers"."offer_events"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "offer_events_sent_idx" ON "offers"."offer_events" USING btree ("sent_at") WHERE "offers"."offer_events"."sent_at" is not null;