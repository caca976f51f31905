-- socialcrm's BI tables in PostgreSQL, filled by the JDBC sink (docker/connect/sink-postgres.json:
-- Debezium's JDBC sink connector, socialcrm's AvroConverter and ContractTables transform).
-- Table reference and example queries: docs/bi.md. Safe to run again: every statement is idempotent.
-- The sink adds a column here if a later version of the contract adds a field (schema.evolution=basic).

-- One row per customer with a profile; deleted on the profile's tombstone (erasure, merge).
CREATE TABLE IF NOT EXISTS customers (
    customer_id                  text PRIMARY KEY,
    accounts                     jsonb NOT NULL,
    influence_raw                double precision NOT NULL,
    influence_score              double precision NOT NULL,
    influence_percentile         double precision NOT NULL,
    influence_followers          bigint NOT NULL,
    influence_shares_received    double precision NOT NULL,
    influence_mentions_received  double precision NOT NULL,
    influence_replies_received   double precision NOT NULL,
    influence_likes_received     double precision NOT NULL,
    influence_distinct_engagers  double precision NOT NULL,
    influence_follows_received   double precision NOT NULL,
    influence_momentum           double precision NOT NULL,
    contexts                     jsonb NOT NULL,
    best_hour_of_week            integer,
    segments                     text[] NOT NULL,
    contactable                  boolean NOT NULL,
    last_activity_at             timestamptz,
    activity_level               double precision NOT NULL,
    updated_at                   timestamptz NOT NULL,
    model_version                text NOT NULL,
    platforms                    text[] NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_by_score ON customers (influence_score DESC);

-- The members of each segment now; a row is deleted when its customer leaves the segment.
CREATE TABLE IF NOT EXISTS segment_members (
    segment_id          text NOT NULL,
    customer_id         text NOT NULL,
    since               timestamptz NOT NULL,
    reason              text NOT NULL,
    definition_version  integer NOT NULL,
    PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX IF NOT EXISTS segment_members_by_customer ON segment_members (customer_id);

-- Every entry and exit with its reason (the history; its key makes a redelivered change one row).
CREATE TABLE IF NOT EXISTS segment_changes (
    customer_id         text NOT NULL,
    segment_id          text NOT NULL,
    change              text NOT NULL,
    reason              text NOT NULL,
    influence_score     double precision NOT NULL,
    top_contexts        text[] NOT NULL,
    best_hour_of_week   integer,
    contactable         boolean NOT NULL,
    definition_version  integer NOT NULL,
    at                  timestamptz NOT NULL,
    PRIMARY KEY (customer_id, segment_id, at, change)
);
CREATE INDEX IF NOT EXISTS segment_changes_by_segment ON segment_changes (segment_id, at);

-- Anonymous counts per platform and hour.
CREATE TABLE IF NOT EXISTS social_metrics (
    platform                  text NOT NULL,
    window_start              timestamptz NOT NULL,
    window_end                timestamptz NOT NULL,
    activities_seen           bigint NOT NULL,
    activities_accepted       bigint NOT NULL,
    dropped_no_consent        bigint NOT NULL,
    distinct_active_accounts  bigint NOT NULL,
    consents_granted          bigint NOT NULL,
    consents_revoked          bigint NOT NULL,
    PRIMARY KEY (platform, window_start)
);

-- The proofs of erasure. customer_id is cleared as the row is written (see below): the receipt says
-- what was removed where, and when the warehouse copy was cleared, without naming the customer.
CREATE TABLE IF NOT EXISTS erasure_receipts (
    request_id            text PRIMARY KEY,
    customer_id           text,
    held_data             boolean NOT NULL,
    accounts_removed      integer NOT NULL,
    segments_exited       text[] NOT NULL,
    removed               jsonb NOT NULL,
    completed_at          timestamptz NOT NULL,
    warehouse_cleared_at  timestamptz
);

-- Erasure reaches the warehouse. The topics arrive through one sink but in no order between them, so
-- a receipt may be written before the last rows of its customer: the receipt deletes every row that
-- names the customer and leaves a one-way digest (SHA-256 of the id, which names nobody by itself)
-- that refuses rows of that customer arriving later. An erased id stays erased here: a returning
-- customer gets a new id (or an operator deletes the digest; docs/bi.md).
CREATE TABLE IF NOT EXISTS erased_customers (
    customer_digest  bytea PRIMARY KEY,
    request_id       text NOT NULL,
    erased_at        timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION socialcrm_digest(customer_id text) RETURNS bytea
    LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(convert_to(customer_id, 'UTF8')) $$;

CREATE OR REPLACE FUNCTION socialcrm_clear_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.customer_id IS NOT NULL THEN
        INSERT INTO erased_customers (customer_digest, request_id, erased_at)
            VALUES (socialcrm_digest(NEW.customer_id), NEW.request_id, NEW.completed_at)
            ON CONFLICT (customer_digest) DO NOTHING;
        DELETE FROM customers WHERE customer_id = NEW.customer_id;
        DELETE FROM segment_members WHERE customer_id = NEW.customer_id;
        DELETE FROM segment_changes WHERE customer_id = NEW.customer_id;
        NEW.customer_id := NULL;
        NEW.warehouse_cleared_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS erasure_clears_warehouse ON erasure_receipts;
CREATE TRIGGER erasure_clears_warehouse BEFORE INSERT ON erasure_receipts
    FOR EACH ROW EXECUTE FUNCTION socialcrm_clear_erased();

CREATE OR REPLACE FUNCTION socialcrm_refuse_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_customers WHERE customer_digest = socialcrm_digest(NEW.customer_id)) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS refuse_erased ON customers;
CREATE TRIGGER refuse_erased BEFORE INSERT OR UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION socialcrm_refuse_erased();
DROP TRIGGER IF EXISTS refuse_erased ON segment_members;
CREATE TRIGGER refuse_erased BEFORE INSERT OR UPDATE ON segment_members
    FOR EACH ROW EXECUTE FUNCTION socialcrm_refuse_erased();

-- segment_changes: an erased customer's rows are refused as above; the exit that closes a merged
-- customer record takes that record's history with it (the survivor's rows carry on).
CREATE OR REPLACE FUNCTION socialcrm_segment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_customers WHERE customer_digest = socialcrm_digest(NEW.customer_id)) THEN
        RETURN NULL;
    END IF;
    IF NEW.change = 'EXITED' AND NEW.reason = 'merged into another customer record' THEN
        DELETE FROM segment_changes WHERE customer_id = NEW.customer_id;
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS refuse_erased ON segment_changes;
DROP TRIGGER IF EXISTS segment_change ON segment_changes;
CREATE TRIGGER segment_change BEFORE INSERT OR UPDATE ON segment_changes
    FOR EACH ROW EXECUTE FUNCTION socialcrm_segment_change();
