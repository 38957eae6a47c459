-- how far a switchover got, recorded before each irreversible part, so that a restarted or other replica of
-- db-upgrade-service finishes it or gives writes back to the old master; and how often one was interrupted
alter table switchover add column phase varchar(32);
alter table switchover add column interruptions integer not null default 0;
