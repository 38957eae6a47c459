-- which replica of the service runs each run, until when (renewed by its heartbeat), and a fencing token that goes
-- up with every claim: a replica whose run was taken over cannot write its outcome
alter table step_execution add column owner varchar(120);
alter table step_execution add column lease_until timestamp(6) with time zone;
alter table step_execution add column token bigint not null default 0;
create index step_execution_lease on step_execution (lease_until) where state = 'RUNNING';
