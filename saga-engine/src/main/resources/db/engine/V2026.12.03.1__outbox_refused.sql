-- an event the broker refused for good (too large, say) is set aside with the reason instead of blocking the events
-- behind it; it stays in the table for whoever investigates
alter table outbox add column refused_at timestamp(6) with time zone;
alter table outbox add column refused_reason text;
drop index outbox_unpublished;
create index outbox_unpublished on outbox (id) where published_at is null and refused_at is null;
