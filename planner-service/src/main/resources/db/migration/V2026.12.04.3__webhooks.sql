-- Webhooks: who is told when an upgrade waits for approval, completes, rolls back or fails (deployment null: every
-- deployment), and each delivery, written in the transaction that changed the upgrade's state, so that none is lost
-- and none is made twice; a replica claims due deliveries for a while, sends, and records the outcome.
create table webhook (
    id          varchar(36) primary key,
    deployment  varchar(63),
    url         varchar(2000) not null,
    secret      varchar(200) not null,
    created_by  varchar(200),
    created_at  timestamp(6) with time zone not null
);
create index webhook_deployment on webhook (deployment);

create table webhook_delivery (
    id              bigserial primary key,
    webhook_id      varchar(36) not null references webhook (id) on delete cascade,
    event_id        varchar(200) not null,
    type            varchar(200) not null,
    upgrade_id      varchar(36) not null,
    payload         text not null,
    created_at      timestamp(6) with time zone not null,
    attempts        integer not null default 0,
    next_attempt_at timestamp(6) with time zone not null,
    claimed_by      varchar(200),
    claimed_until   timestamp(6) with time zone,
    delivered_at    timestamp(6) with time zone,
    given_up_at     timestamp(6) with time zone,
    last_error      text,
    unique (webhook_id, event_id)
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where delivered_at is null and given_up_at is null;
