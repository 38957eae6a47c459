-- who started, approved and aborted each upgrade, as their tokens name them; and who asked for each event that a
-- person asked for
alter table upgrade add column requested_by varchar(255);
alter table upgrade add column approved_by varchar(255);
alter table upgrade add column aborted_by varchar(255);
alter table upgrade_event add column actor varchar(255);
