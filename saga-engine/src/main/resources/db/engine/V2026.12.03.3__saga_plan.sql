-- the plan of each upgrade as this service first saw it (deployment, kind, steps and owners, what was asked): a later
-- event whose plan differs is dead-lettered instead of acted on
create table saga_plan (
    upgrade_id varchar(64) primary key,
    deployment varchar(63) not null,
    digest     varchar(64) not null,
    steps      text        not null,
    seen_at    timestamp(6) with time zone not null
);
