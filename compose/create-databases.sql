-- one database per service: each owns its state
CREATE DATABASE baton_planner;
CREATE DATABASE baton_cloud;
CREATE DATABASE baton_db;
CREATE DATABASE baton_lb;
