-- GET /upgrades pages through every upgrade newest first by (created_at, id); filtered lists use the indexes on
-- (deployment, created_at) and (state, created_at).
create index upgrade_created on upgrade (created_at, id);
