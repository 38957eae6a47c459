-- the services an outbox event asks to decide, published as the batonconcerns CloudEvents extension
alter table outbox add column concerns varchar(255);
