-- which replica of the service publishes its outbox, until when: one relay at a time, another after it died
create table relay_lease (
    service     varchar(63)  primary key,
    owner       varchar(120) not null,
    lease_until timestamp(6) with time zone not null
);
