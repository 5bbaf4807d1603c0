CREATE TABLE "users"."erasure_deliveries" (
	"request_id" uuid NOT NULL,
	"service" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone,
	CONSTRAINT "erasure_deliveries_request_id_service_pk" PRIMARY KEY("request_id","service")
);
--> statement-breakpoint
CREATE TABLE "users"."erasure_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users"."erasure_deliveries" ADD CONSTRAINT "erasure_deliveries_request_id_erasure_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "users"."erasure_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "erasure_deliveries_pending_idx" ON "users"."erasure_deliveries" USING btree ("service") WHERE done_at is null;