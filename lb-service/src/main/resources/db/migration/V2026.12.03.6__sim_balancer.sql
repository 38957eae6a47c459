-- the sim balancer's members and open sessions, kept in lb-service's database so that a restart finds them (the
-- real balancer, HAProxy, keeps its own)
create table sim_member (
    seq               bigserial    not null,
    deployment        varchar(63)  not null,
    server            varchar(63)  not null,
    address           varchar(300) not null,
    state             varchar(8)   not null,
    health_check_file boolean      not null,
    check_passes_at   timestamp(6) with time zone not null,
    primary key (deployment, server)
);

create table sim_session (
    id         bigserial    primary key,
    deployment varchar(63)  not null,
    server     varchar(63)  not null,
    ends_at    timestamp(6) with time zone not null
);
create index sim_session_server on sim_session (deployment, server);
