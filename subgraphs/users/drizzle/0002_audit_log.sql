CREATE TABLE "users"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"target" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"client_ip" text,
	"trace_id" text
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "users"."audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "users"."audit_log" USING btree ("actor_id","id");--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): the audit log is append-only for the
-- application. UPDATE and TRUNCATE always raise; DELETE raises unless the retention purge
-- (framework/privacy/retention.ts) set autograph.audit_purge in its own transaction.
CREATE FUNCTION "users"."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND current_setting('autograph.audit_purge', true) = 'on' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only: % refused on %.%', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "users"."audit_log"
	FOR EACH ROW EXECUTE FUNCTION "users"."audit_log_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "users"."audit_log"
	FOR EACH STATEMENT EXECUTE FUNCTION "users"."audit_log_append_only"();
