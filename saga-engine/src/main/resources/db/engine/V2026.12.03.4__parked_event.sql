-- events of an upgrade whose upgrade-requested this service has not seen yet: acted on once it comes, dead-lettered
-- if it does not come within baton.saga.park-timeout
create table parked_event (
    seq        bigserial    not null,
    event_id   varchar(255) primary key,
    upgrade_id varchar(64)  not null,
    topic      varchar(255) not null,
    type       varchar(255) not null,
    payload    text         not null,
    parked_at  timestamp(6) with time zone not null
);
create index parked_event_upgrade on parked_event (upgrade_id);
create index parked_event_parked_at on parked_event (parked_at);
