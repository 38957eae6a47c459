package io.baton.contracts.fleet;

public enum Role {
    MASTER,
    SLAVE,
    APP,
    LB
}
