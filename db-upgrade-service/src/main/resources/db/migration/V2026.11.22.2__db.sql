-- db-upgrade-service's records: each real switchover as far as it got, and the sim drivers' replication and schema.

create table switchover (
    id                          varchar(255) primary key,
    deployment                  varchar(255),
    old_master_final_position   varchar(255),
    new_master_applied_position varchar(255),
    fence_millis                bigint,
    completed_at                timestamp(6) with time zone
);

create table sim_node (
    id                        varchar(255) primary key,
    deployment                varchar(255) not null,
    name                      varchar(255),
    master_id                 varchar(255),
    rate                      bigint not null,
    base_position             bigint not null,
    base_at                   timestamp(6) with time zone,
    fenced_at                 timestamp(6) with time zone,
    backlog                   bigint not null,
    replica_since             timestamp(6) with time zone,
    catch_up_at               timestamp(6) with time zone,
    promoted_from             varchar(255),
    old_master_final_position varchar(255),
    applied_at_promotion      varchar(255),
    fence_millis              bigint not null
);
create index sim_node_deployment on sim_node (deployment);

create table sim_write_path (
    deployment varchar(255) primary key,
    master_id  varchar(255)
);

create table sim_applied_migration (
    id         varchar(255) primary key,
    deployment varchar(255) not null,
    upgrade_id varchar(255),
    position   integer not null,
    name       varchar(255),
    up         text,
    applied_at timestamp(6) with time zone
);
create index sim_applied_deployment on sim_applied_migration (deployment);
